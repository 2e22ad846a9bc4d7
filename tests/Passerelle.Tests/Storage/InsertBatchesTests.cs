using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Storage;

/// <summary>
/// On PostgreSQL a save that only adds rows, in one batch, runs without BEGIN and COMMIT and is still all or nothing — written
/// by InsertOnlySaves, or by EF Core with InsertBatches for the saves InsertOnlySaves leaves to it (here: a context whose
/// commands an interceptor watches); a save that updates keeps its transaction, so a stale version changes nothing. Checked on
/// each Npgsql or EF Core upgrade by these tests: they fail if a batch stops being atomic, or if the transaction is dropped where
/// it is needed. And a save inside a transaction sets no savepoint (PasserelleDb), on both providers.
/// </summary>
public sealed class InsertBatchesTests
{
    public static TheoryData<DatabaseProvider> PostgreSQLOnly => TestDatabase.PostgreSQLOnly;
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    public static TheoryData<DatabaseProvider, bool> PostgreSQLBothWriters()
    {
        var cases = new TheoryData<DatabaseProvider, bool>();
        foreach (var provider in ((IEnumerable<object[]>)TestDatabase.PostgreSQLOnly).Select(row => (DatabaseProvider)row[0]))
        {
            cases.Add(provider, false);
            cases.Add(provider, true);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(PostgreSQLBothWriters))]
    public async Task A_save_that_only_adds_rows_opens_no_transaction_and_keeps_nothing_when_one_row_fails(DatabaseProvider provider, bool throughEfCore)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var transactions = new TransactionCounter();
        IInterceptor[] interceptors = throughEfCore ? [transactions, new CommandWatcher()] : [transactions];
        var first = new Guid("00000000-0000-0000-0000-000000000001");
        var last = new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff");

        await using (var db = database.NewContext(interceptors))
        {
            db.ForSchool(school.School.Id);
            // Before and after the failing row in the batch, whichever order EF Core writes them in.
            db.Candidates.AddRange(NewCandidate(school, first), NewCandidate(school, school.Candidate.Id), NewCandidate(school, last));
            db.Companies.Add(new Company { Id = Guid.NewGuid(), Name = "Ajoutée avec eux", Siret = Seed.NextSiret(), CreatedAt = Seed.Now });
            (await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync())).IsUniqueViolation().ShouldBeTrue();
        }
        transactions.Started.ShouldBe(0);
        await using (var db = database.NewContext())
        {
            (await db.Candidates.IgnoreQueryFilters().CountAsync(c => c.Id == first || c.Id == last)).ShouldBe(0);
            (await db.Companies.CountAsync(c => c.Name == "Ajoutée avec eux")).ShouldBe(0);
        }

        await using (var db = database.NewContext(interceptors))
        {
            db.ForSchool(school.School.Id);
            db.Candidates.AddRange(NewCandidate(school, first), NewCandidate(school, last));
            await db.SaveChangesAsync();
        }
        transactions.Started.ShouldBe(0);
        await using (var db = database.NewContext())
            (await db.Candidates.IgnoreQueryFilters().CountAsync(c => c.Id == first || c.Id == last)).ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))]
    public async Task A_save_that_updates_keeps_its_transaction_and_a_stale_version_keeps_nothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var referralId = await Seed.ReferralAsync(database, school);
        var transactions = new TransactionCounter();
        var added = Guid.NewGuid();

        await using (var db = database.NewContext(transactions))
        {
            db.ForSchool(school.School.Id);
            var referral = await db.Referrals.SingleAsync(r => r.Id == referralId);
            await using (var other = database.NewContext())
                await other.Referrals.IgnoreQueryFilters().Where(r => r.Id == referralId).ExecuteUpdateAsync(set => set.SetProperty(r => r.Version, r => r.Version + 1));
            db.Entry(referral).Property(r => r.CancellationReason).CurrentValue = "Lue avant l'autre changement";
            db.Candidates.Add(NewCandidate(school, added));
            await Should.ThrowAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
        }
        transactions.Started.ShouldBe(1);
        await using (var db = database.NewContext())
        {
            (await db.Candidates.IgnoreQueryFilters().AnyAsync(c => c.Id == added)).ShouldBeFalse();
            (await db.Referrals.IgnoreQueryFilters().SingleAsync(r => r.Id == referralId)).CancellationReason.ShouldBeNull();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Saves_in_a_transaction_set_no_savepoint(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var transactions = new TransactionCounter();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());

        // Through EF Core's batches (InsertOnlySaves sets no savepoint anyway; EF Core's executor would).
        await using (var db = database.NewContext(transactions, new CommandWatcher()))
        {
            db.ForSchool(school.School.Id);
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Candidates.Add(NewCandidate(school, first));
            await db.SaveChangesAsync();
            db.Candidates.Add(NewCandidate(school, second));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        transactions.Savepoints.ShouldBe(0, "releasing each was one more round trip, and no transaction of Passerelle goes on after a failed save");
        await using (var db = database.NewContext())
            (await db.Candidates.IgnoreQueryFilters().CountAsync(c => c.Id == first || c.Id == second)).ShouldBe(2, "both saves ran in the transaction");
    }

    private static Candidate NewCandidate(SchoolFixture school, Guid id) => new()
    {
        Id = id, SchoolId = school.School.Id, LastName = "Nouveau", FirstName = "Candidat", Email = "nouveau@example.org", CreatedAt = Seed.Now,
    };

    /// <summary>Watches nothing: its presence sends the context's saves through EF Core's own batches.</summary>
    private sealed class CommandWatcher : DbCommandInterceptor;

    private sealed class TransactionCounter : DbTransactionInterceptor
    {
        public int Started { get; private set; }
        public int Savepoints { get; private set; }

        public override ValueTask<InterceptionResult> CreatingSavepointAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Savepoints++;
            return ValueTask.FromResult(result);
        }

        public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        {
            Started++;
            return result;
        }

        public override ValueTask<DbTransaction> TransactionStartedAsync(
            DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
        {
            Started++;
            return ValueTask.FromResult(result);
        }
    }
}
