using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Storage;

/// <summary>A database populated at schema version 1 upgrades to the latest version without losing a row.</summary>
public class UpgradeTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_version_1_database_with_data_upgrades_to_the_latest_schema_and_keeps_working(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        (await database.Migrator().MigrateAsync(targetVersion: 1)).ShouldBe(1);
        var (school, candidate, contact, referral) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var (staff, company, offer) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var at = new DateTimeOffset(2020, 5, 15, 13, 41, 0, TimeSpan.Zero);
        var sqlite = provider == DatabaseProvider.Sqlite;
        object G(Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;
        object T(DateTimeOffset instant) => sqlite ? instant.UtcTicks : instant;

        // Rows written as version 1 knew them, with SQL of that version.
        await using (var connection = database.Options.CreateConnection())
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "INSERT INTO schools (id, name, link_validity_days, created_at) VALUES (@p0, 'École v1', 9, @p1)", G(school), T(at));
            await ExecuteAsync(connection, "INSERT INTO staff (id, school_id, user_name, password_hash, last_name, first_name, email, role, created_at) " +
                "VALUES (@p0, @p1, 'v1.staff', 'hash', 'MARTIN', 'Benoît', 'b@example.org', 'Recruiter', @p2)", G(staff), G(school), T(at));
            await ExecuteAsync(connection, "INSERT INTO candidates (id, school_id, last_name, first_name, email, created_at) VALUES (@p0, @p1, 'TECHER', 'Margaud', 'm@example.org', @p2)",
                G(candidate), G(school), T(at));
            await ExecuteAsync(connection, "INSERT INTO companies (id, name, siret, created_at) VALUES (@p0, 'Laboriosam', @p1, @p2)", G(company), Seed.NextSiret(), T(at));
            await ExecuteAsync(connection, "INSERT INTO company_contacts (id, company_id, last_name, first_name, email, user_name, password_hash, created_at) " +
                "VALUES (@p0, @p1, 'LEFEBVRE', 'Sophie', 's@example.org', 'v1.contact', 'hash', @p2)", G(contact), G(company), T(at));
            await ExecuteAsync(connection, "INSERT INTO school_contacts (school_id, contact_id, created_at) VALUES (@p0, @p1, @p2)", G(school), G(contact), T(at));
            await ExecuteAsync(connection, "INSERT INTO job_offers (id, school_id, company_id, title, description, is_active, created_at) " +
                "VALUES (@p0, @p1, @p2, 'Et laboriosam praesentium', 'Offre', @p3, @p4)", G(offer), G(school), G(company), sqlite ? 1 : true, T(at));
            await ExecuteAsync(connection, "INSERT INTO referrals (id, school_id, candidate_id, job_offer_id, contact_id, created_by_staff_id, created_at, stage, appointment_sequence, version) " +
                "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, 'AwaitingCandidate', 0, 1)", G(referral), G(school), G(candidate), G(offer), G(contact), G(staff), T(at));
            await ExecuteAsync(connection, "INSERT INTO referral_events (id, school_id, referral_id, sequence, occurred_at, kind, actor_kind, actor_id, actor_name, channel) " +
                "VALUES (@p0, @p1, @p2, 1, @p3, 'Proposed', 'Staff', @p4, 'MARTIN Benoît', 'SchoolBackOffice')", G(Guid.NewGuid()), G(school), G(referral), T(at), G(staff));
        }

        // A mail link written at version 8, before the push CV module made its referral optional (SQLite rebuilds the table).
        var (link, linkExpires) = (Guid.NewGuid(), at.AddDays(7));
        (await database.Migrator().MigrateAsync(targetVersion: 8)).ShouldBe(7);
        await using (var connection = database.Options.CreateConnection())
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "INSERT INTO action_links (id, school_id, referral_id, recipient, recipient_id, step, secret_hash, created_at, expires_at, " +
                "reminded_at, appointment_sequence) VALUES (@p0, @p1, @p2, 'CompanyContact', @p3, 'Company', @p4, @p5, @p6, @p5, 2)",
                G(link), G(school), G(referral), G(contact), new byte[] { 1, 2, 3 }, T(at), T(linkExpires));
        }

        var ran = await database.Migrator().MigrateAsync();

        ran.ShouldBe(database.Migrator().Migrations.Count - 8);
        await using var db = database.NewContext();
        db.ForSchool(school);
        var upgraded = await db.Schools.SingleAsync(s => s.Id == school);
        (upgraded.LinkValidityDays, upgraded.RefusalReasons, upgraded.MutedNotifications).ShouldBe((9, "", ""));
        var account = await db.CompanyContacts.SingleAsync(c => c.Id == contact);
        (account.LastSchoolId, account.SecurityStamp).ShouldBe((null, ""));
        (await db.ReferralEvents.CountAsync(e => e.ReferralId == referral)).ShouldBe(1);
        var kept = await db.ActionLinks.AsNoTracking().SingleAsync(l => l.Id == link);
        (kept.ReferralId, kept.PushedProfileId, kept.RecipientId, kept.Step, kept.ExpiresAt, kept.RemindedAt, kept.AppointmentSequence)
            .ShouldBe(((Guid?)referral, (Guid?)null, contact, LinkStep.Company, linkExpires, (DateTimeOffset?)at, (int?)2));
        kept.SecretHash.ShouldBe([1, 2, 3]);
        await using (var connection = database.Options.CreateConnection())
        {
            await connection.OpenAsync();
            await Should.ThrowAsync<DbException>(() => ExecuteAsync(connection,
                "INSERT INTO action_links (id, school_id, recipient, recipient_id, step, secret_hash, created_at, expires_at) " +
                "VALUES (@p0, @p1, 'CompanyContact', @p2, 'Push', @p3, @p4, @p5)", G(Guid.NewGuid()), G(school), G(contact), new byte[] { 1 }, T(at), T(linkExpires)),
                "a link names a referral or a pushed profile, never neither");
        }
        var result = await Seed.Actions(db).ApplyAsync(referral, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, Actor.Candidate(candidate, "TECHER Margaud"), now));
        result.Succeeded.ShouldBeTrue("the upgraded referral goes on through the workflow");
        (await db.OutboxMessages.CountAsync(m => m.ReferralId == referral)).ShouldBe(2, "its mails are queued in the new outbox");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Migration_20_forgets_the_former_values_left_in_the_histories_of_people_erased_before_erasures_did(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        (await database.Migrator().MigrateAsync(targetVersion: 19)).ShouldBe(19);
        var school = await Seed.SchoolAsync(database);
        Guid erased = school.Candidate.Id, kept = Guid.NewGuid();
        await using (var db = database.NewContext().ForSchool(school.School.Id))
        {
            db.Candidates.Add(new Passerelle.Candidates.Candidate
            {
                Id = kept, SchoolId = school.School.Id, LastName = "JOURDAN", FirstName = "Guillaume", Email = "g@example.org", CreatedAt = Seed.Now,
            });
            // Erased at version 19: the record of an earlier correction still says what the name and the phone were.
            foreach (var id in new[] { erased, kept })
                new Changes.ChangeSet().Compare("Prénom", "Margot", "Margaud").Compare("Téléphone", null, "06 12 12 12 12").Note("Export des données")
                    .Record(db, Changes.ChangeSubject.Candidate, id, null, "MARTIN Benoît", Seed.Now);
            await db.SaveChangesAsync();
            await db.Candidates.Where(c => c.Id == erased).ExecuteUpdateAsync(set => set.SetProperty(c => c.ErasedAt, Seed.Now));
        }

        (await database.Migrator().MigrateAsync()).ShouldBeGreaterThanOrEqualTo(1);
        await using var check = database.NewContext().ForSchool(school.School.Id);
        (await check.ChangeRecords.SingleAsync(r => r.SubjectId == erased)).Fields().ShouldBe([
            new Changes.FieldChange("Prénom", null, null, ValuesErased: true), new Changes.FieldChange("Téléphone", null, null, ValuesErased: true),
            new Changes.FieldChange("Export des données", null, null),
        ]);
        (await check.ChangeRecords.SingleAsync(r => r.SubjectId == kept)).Fields().ShouldBe([
            new Changes.FieldChange("Prénom", "Margot", "Margaud"), new Changes.FieldChange("Téléphone", null, "06 12 12 12 12"),
            new Changes.FieldChange("Export des données", null, null),
        ], "someone not erased keeps their history");
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, params object[] values)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{i}";
            parameter.Value = values[i];
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync();
    }
}
