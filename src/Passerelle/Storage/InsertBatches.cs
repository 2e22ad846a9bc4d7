using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Update;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal;
using Npgsql.EntityFrameworkCore.PostgreSQL.Update.Internal;

namespace Passerelle.Storage;

#pragma warning disable EF1001 // Npgsql's batch, extended by one rule (below); a test checks the rule on every provider upgrade.

/// <summary>
/// On PostgreSQL, a save that only adds rows and fits in one batch is sent without <c>BEGIN</c> and <c>COMMIT</c>: one round trip
/// instead of two (creating a referral, a candidate, a mail). It stays all or nothing. Npgsql sends a batch's statements with a
/// single Sync, and PostgreSQL runs everything before a Sync in one implicit transaction: a failing statement skips the ones after
/// it and rolls back the ones before. EF Core only knows that of a batch of one statement, and opens a transaction for any other.
/// <para>
/// A save that updates or deletes keeps its transaction: EF Core finds a stale version by the rows an UPDATE affected, after the
/// batch has run, and then the batch's other statements must be rolled back. A save of several batches keeps it too (EF Core
/// opens one whenever more than one batch is to come).
/// </para>
/// </summary>
internal sealed class InsertBatches(ModificationCommandBatchFactoryDependencies dependencies, IDbContextOptions options) : IModificationCommandBatchFactory
{
    /// <summary>Npgsql's own default, when the connection does not set one.</summary>
    private const int DefaultMaxBatchSize = 1000;

    private readonly int _maxBatchSize = options.FindExtension<NpgsqlOptionsExtension>()?.MaxBatchSize ?? DefaultMaxBatchSize;

    public ModificationCommandBatch Create() => new Batch(dependencies, _maxBatchSize);

    private sealed class Batch(ModificationCommandBatchFactoryDependencies dependencies, int maxBatchSize)
        : NpgsqlModificationCommandBatch(dependencies, maxBatchSize)
    {
        public override bool RequiresTransaction =>
            base.RequiresTransaction && !ModificationCommands.All(c => c.EntityState == EntityState.Added && c.StoreStoredProcedure is null);
    }
}
