using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Storage;

/// <summary>The hand-written migrations and the EF model describe the same schema, on both providers.</summary>
public class SchemaTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migrated_schema_has_exactly_the_tables_and_columns_of_the_model(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.NewContext();

        var expected = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Select(p => $"{e.GetTableName()}.{p.GetColumnName(StoreObjectIdentifier.Table(e.GetTableName()!, null))}"))
            .Order().ToList();
        var actual = (await ReadColumnsAsync(database)).Where(c => !c.StartsWith("schema_migrations.", StringComparison.Ordinal)).Order().ToList();

        actual.Except(Retired).ShouldBe(expected);
        Retired.ShouldBeSubsetOf(actual, "a retired column stays listed only until a migration drops it");
    }

    /// <summary>
    /// Columns the model no longer reads but the schema keeps, so that instances of the previous version still work
    /// while a rolling upgrade replaces them (migration 8: the per-account lock gave way to login_throttles).
    /// </summary>
    private static readonly string[] Retired =
        ["company_contacts.failed_logins", "company_contacts.locked_until", "staff.failed_logins", "staff.locked_until"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_entity_of_the_model_is_written_and_read_back_unchanged(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var at = new DateTimeOffset(2020, 5, 15, 13, 41, 7, 123, TimeSpan.Zero).AddTicks(4560); // microseconds survive both providers
        var school = new School { Id = Guid.NewGuid(), Name = "École « Test » — Île-de-France", LinkValidityDays = 12, CreatedAt = at };
        var staff = new Staff
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, UserName = "benoit.martin", PasswordHash = "hash", LastName = "Martin",
            FirstName = "Benoît", Email = "b@example.org", Role = StaffRole.SchoolAdmin, CreatedAt = at,
        };
        var candidate = new Candidate
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, LastName = "Techer", FirstName = "Margaud", Email = "m@example.org", Phone = "06 00 00 00 00", CreatedAt = at,
        };
        var document = new Document
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, CandidateId = candidate.Id, Kind = DocumentKind.Diploma, Title = "test",
            ContentType = "application/pdf", SizeBytes = 10L * 1024 * 1024, StorageKey = "ab/cd", UploadedAt = at,
        };
        var company = new Company { Id = Guid.NewGuid(), Name = "Laboriosam", Siret = Seed.NextSiret(), CreatedAt = at };
        var contact = new CompanyContact
        {
            Id = Guid.NewGuid(), CompanyId = company.Id, LastName = "Lefebvre", FirstName = "Sophie", Email = "s@example.org",
            Phone = "05", UserName = "sophie", PasswordHash = "hash", CreatedAt = at,
        };
        var link = new SchoolContact { SchoolId = school.Id, ContactId = contact.Id, CreatedAt = at };
        var offer = new JobOffer
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, CompanyId = company.Id, Title = "Et laboriosam praesentium", Description = "…",
            Location = "Bordeaux", StartsOn = new DateOnly(2020, 9, 1), IsActive = false, CreatedAt = at,
        };
        // A referral with every column set: brought through the workflow, then cancelled.
        var staffActor = Actor.Staff(staff.Id, staff.DisplayName);
        var (referral, proposed) = Referral.Propose(school.Id, candidate.Id, offer.Id, true, contact.Id, [document.Id], staffActor, staff.Id, at);
        var events = new List<ReferralEvent> { proposed.Event! };
        events.Add(referral!.AnswerOffer(OfferAnswer.Accepted, Actor.Staff(staff.Id, staff.DisplayName, Party.Candidate), at.AddDays(1), "par téléphone").Event!);
        events.Add(referral.AnswerCandidate(CompanyAnswer.Refused, null, Actor.Contact(contact.Id, contact.DisplayName, Channel.Portal), at.AddDays(2), refusalReason: "Profil").Event!);
        events.Add(referral.AnswerCandidate(CompanyAnswer.Accepted, new Appointment(at.AddDays(9), "Visio", "Lien envoyé"),
            Actor.Contact(contact.Id, contact.DisplayName, Channel.EmailLink), at.AddDays(3)).Event!);
        events.Add(referral.AnswerAppointment(AppointmentAnswer.Accepted, Actor.Candidate(candidate.Id, candidate.DisplayName), at.AddDays(4)).Event!);
        events.Add(referral.RecordOutcome(Outcome.NotRetained, staffActor, at.AddDays(10)).Event!);
        events.Add(referral.RecordOutcome(Outcome.Recruited, staffActor, at.AddDays(11)).Event!);

        object[] all = [school, staff, candidate, document, company, contact, link, offer, referral, .. referral.SharedDocuments, .. events];
        await using (var db = database.NewContext())
        {
            db.ForSystem();
            db.AddRange(all);
            await db.SaveChangesAsync();
        }

        await using var read = database.NewContext();
        read.ForSchool(school.Id);
        foreach (var written in all)
        {
            var entityType = read.Model.FindEntityType(written.GetType())!;
            var key = entityType.FindPrimaryKey()!.Properties.Select(p => p.PropertyInfo!.GetValue(written)).ToArray();
            var loaded = await read.FindAsync(written.GetType(), key);
            loaded.ShouldNotBeNull($"{entityType.ClrType.Name} was not read back");
            foreach (var property in entityType.GetProperties())
                property.PropertyInfo!.GetValue(loaded).ShouldBe(property.PropertyInfo.GetValue(written), $"{entityType.ClrType.Name}.{property.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migrating_again_changes_nothing_and_keeps_the_data(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        await Seed.ReferralAsync(database, school);

        var ran = await database.Migrator().MigrateAsync();

        ran.ShouldBe(0);
        (await database.Migrator().GetStatusAsync()).IsUpToDate.ShouldBeTrue();
        await using var db = database.NewContext();
        db.ForSchool(school.School.Id);
        (await db.Referrals.CountAsync()).ShouldBe(1);
        (await db.ReferralEvents.CountAsync()).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Instances_starting_together_apply_each_migration_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => database.Migrator().MigrateAsync())));

        runs.Sum().ShouldBe(database.Migrator().Migrations.Count);
        runs.Count(r => r > 0).ShouldBe(1, "one instance migrates, the others find it done");
        await using var connection = database.Options.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM schema_migrations";
        Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(database.Migrator().Migrations.Count);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_unmigrated_database_reports_its_pending_migrations(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);

        var status = await database.Migrator().GetStatusAsync();

        status.AppliedVersion.ShouldBe(0);
        status.IsUpToDate.ShouldBeFalse();
        status.Pending.Count.ShouldBe(status.LatestVersion);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_migration_edited_after_it_was_applied_stops_the_run(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var connection = database.Options.CreateConnection())
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Should.ThrowAsync<StartupException>(() => database.Migrator().MigrateAsync());

        error.Message.ShouldContain("Migration 1 (initial) was edited after it was applied");
    }

    [Fact]
    public void Both_providers_have_the_same_migrations()
    {
        var sqlite = SchemaMigrator.Load(DatabaseProvider.Sqlite).Select(m => (m.Version, m.Name));
        var postgres = SchemaMigrator.Load(DatabaseProvider.PostgreSQL).Select(m => (m.Version, m.Name));

        sqlite.ShouldBe(postgres);
    }

    private static async Task<List<string>> ReadColumnsAsync(TestDatabase database)
    {
        var columns = new List<string>();
        await using DbConnection connection = database.Options.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = database.Provider == DatabaseProvider.Sqlite
            ? "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            : "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            columns.Add(reader.GetString(0));
        return columns;
    }
}
