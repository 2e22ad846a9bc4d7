using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Passerelle.Tests.Infrastructure;

/// <summary>
/// Runs a step (another connection's work) just before a context sends its first command that <paramref name="matches"/>, or just
/// after that command ran: a race made certain instead of hoped for.
/// </summary>
public sealed class RaceStep(Func<string, bool> matches, Func<Task> step, bool after = false) : DbCommandInterceptor
{
    public bool Ran { get; private set; }

    /// <summary>An UPDATE of the table, as EF Core writes it for either provider (quoted on SQLite).</summary>
    public static Func<string, bool> Updating(string table) => sql =>
        sql.Contains($"UPDATE {table} ", StringComparison.Ordinal) || sql.Contains($"UPDATE \"{table}\" ", StringComparison.Ordinal);

    /// <summary>An INSERT into the table, as EF Core writes it for either provider.</summary>
    public static Func<string, bool> Inserting(string table) => sql =>
        sql.Contains($"INSERT INTO {table} ", StringComparison.Ordinal) || sql.Contains($"INSERT INTO \"{table}\" ", StringComparison.Ordinal);

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (!after)
            await RunOnceAsync(command);
        return result;
    }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        if (after)
            await RunOnceAsync(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (!after)
            await RunOnceAsync(command);
        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        if (after)
            await RunOnceAsync(command);
        return result;
    }

    private async Task RunOnceAsync(DbCommand command)
    {
        if (!Ran && matches(command.CommandText))
        {
            Ran = true;
            await step();
        }
    }
}
