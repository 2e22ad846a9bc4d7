using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Passerelle.Candidates;
using Passerelle.Hosting;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Storage;

/// <summary>
/// On PostgreSQL a save that only adds rows is written by <see cref="InsertOnlySaves"/> from the model, not by EF Core's update
/// pipeline. What it writes must be what EF Core would have written: every column of every row, through the same conversions
/// (enums by name, times, nulls), principals before the rows that refer to them. A save it does not cover goes to EF Core.
/// </summary>
public sealed class InsertOnlySavesTests
{
    public static TheoryData<DatabaseProvider> PostgreSQLOnly => TestDatabase.PostgreSQLOnly;

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))]
    public async Task A_proposal_is_written_without_EF_Cores_pipeline_and_reads_back_column_for_column(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var executed = new List<string>();

        List<object> added;
        await using (var db = Logged(database, executed))
        {
            db.ForSchool(school.School.Id);
            var actions = Seed.Actions(db);
            // The referral, its shared document, its event and the candidate's mail: four types, each referring to the one before.
            var saving = new List<object>();
            db.SavingChanges += (_, _) => saving.AddRange(db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).Select(e => e.Entity));
            var (referral, result) = await actions.ProposeAsync(school.Candidate.Id, school.Offer.Id, school.Contact.Id,
                [school.Document.Id], school.StaffActor(), school.Staff.Id);
            result.Refusal.ShouldBeNull();
            added = saving;
            added.Select(e => e.GetType().Name).Distinct().Order()
                .ShouldBe(["OutboxMessage", "Referral", "ReferralDocument", "ReferralEvent"], ignoreOrder: true);
        }
        executed.ShouldNotContain(sql => sql.Contains("INSERT", StringComparison.Ordinal),
            "EF Core's pipeline ran the INSERTs; InsertOnlySaves should have");

        await using (var db = database.NewContext().ForSchool(school.School.Id))
        {
            foreach (var entity in added)
            {
                var type = db.Model.FindEntityType(entity.GetType())!;
                var key = type.FindPrimaryKey()!.Properties.Select(p => Value(p, entity)).ToArray();
                var stored = await db.FindAsync(entity.GetType(), key);
                stored.ShouldNotBeNull($"a {type.ClrType.Name} was not written");
                foreach (var property in type.GetProperties())
                    Value(property, stored).ShouldBe(Value(property, entity), $"{type.ClrType.Name}.{property.Name}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))]
    public async Task Saves_it_does_not_cover_go_to_EF_Core(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var executed = new List<string>();

        // More rows than one batch of its own takes (an import): EF Core, which splits them within a transaction.
        await using (var db = Logged(database, executed))
        {
            db.ForSchool(school.School.Id);
            db.Candidates.AddRange(Enumerable.Range(0, InsertOnlySaves.MaxRows + 1).Select(i => new Candidate
            {
                Id = Guid.CreateVersion7(), SchoolId = school.School.Id, LastName = "Importé", FirstName = $"N{i}", CreatedAt = Seed.Now,
            }));
            await db.SaveChangesAsync();
        }
        executed.ShouldContain(sql => sql.Contains("INSERT INTO candidates", StringComparison.Ordinal));
        await using (var db = database.NewContext())
            (await db.Candidates.IgnoreQueryFilters().CountAsync(c => c.LastName == "Importé")).ShouldBe(InsertOnlySaves.MaxRows + 1);

        // An update with an insert: EF Core (its transaction, its concurrency check).
        executed.Clear();
        await using (var db = Logged(database, executed))
        {
            db.ForSchool(school.School.Id);
            var candidate = await db.Candidates.SingleAsync(c => c.Id == school.Candidate.Id);
            candidate.Phone = "01 02 03 04 05";
            db.Candidates.Add(new Candidate { Id = Guid.CreateVersion7(), SchoolId = school.School.Id, LastName = "Ajouté", FirstName = "Avec", CreatedAt = Seed.Now });
            await db.SaveChangesAsync();
        }
        executed.ShouldContain(sql => sql.Contains("INSERT INTO candidates", StringComparison.Ordinal));
        executed.ShouldContain(sql => sql.Contains("UPDATE candidates", StringComparison.Ordinal));
    }

    /// <summary>A context that lists the commands EF Core itself executes (a log, not an interceptor: an interceptor sends every save to EF Core).</summary>
    private static PasserelleDb Logged(TestDatabase database, List<string> executed)
    {
        var builder = new DbContextOptionsBuilder<PasserelleDb>();
        PasserelleApp.UseDatabase(builder, database.Options)
            .LogTo(line => { lock (executed) executed.Add(line); }, [RelationalEventId.CommandExecuted]);
        return new PasserelleDb(builder.Options);
    }

    private static object? Value(IProperty property, object entity) => property.PropertyInfo is { } info
        ? info.GetValue(entity)
        : property.FieldInfo?.GetValue(entity);
}
