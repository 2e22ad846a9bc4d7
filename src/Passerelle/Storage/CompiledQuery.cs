using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Passerelle.Storage;

/// <summary>
/// A query EF Core translates once instead of at every request (<c>EF.CompileAsyncQuery</c>), for the queries every
/// page runs. A compiled query belongs to one model: a running Passerelle has one, the tests run SQLite and
/// PostgreSQL side by side, so the query is compiled once per model.
/// </summary>
public sealed class CompiledQuery<TQuery>(Func<TQuery> compile) where TQuery : Delegate
{
    private readonly ConditionalWeakTable<IModel, TQuery> byModel = [];

    public TQuery For(PasserelleDb db) => byModel.GetValue(db.Model, _ => compile());
}
