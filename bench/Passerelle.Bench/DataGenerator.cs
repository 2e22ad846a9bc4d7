using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Passerelle.Companies;
using Passerelle.Storage;

namespace Passerelle.Bench;

/// <summary>
/// Fills a PostgreSQL database with schools, companies, contacts, candidates (with document metadata), offers and
/// referrals spread over every stage with timelines that match, by binary COPY. School 0's first contact gets
/// 200 referrals: the company list of the benchmark reads them among all the others.
/// </summary>
public static class DataGenerator
{
    public const string Password = "bench-password";
    private const int StaffPerSchool = 2;
    private const int ContactsPerSchool = 10;
    private const int OffersPerSchool = 20;

    /// <summary>How many referrals bench.contact0 has in school 0: the company list of the benchmark pages through them.</summary>
    public const int ListedReferrals = 200;

    private static readonly string[] Stages =
        ["AwaitingCandidate", "OfferDeclined", "AwaitingCompany", "CompanyRefused", "AwaitingAppointmentAnswer", "AppointmentDeclined", "AwaitingOutcome", "Recruited", "NotRetained", "Cancelled"];

    public static async Task RunAsync(string connectionString, int schools, int referrals, TextWriter log)
    {
        await MigrateAsync(connectionString);

        var random = new Random(42);
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        var hash = new PasswordHasher<object>().HashPassword(new object(), Password);
        // No command timeout: finishing a COPY of millions of rows (the server builds the indexes' entries) or the
        // VACUUM after it takes longer than Npgsql's 30 s on a slow or shared machine, which is no error.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ToString());
        await connection.OpenAsync();

        var schoolIds = Enumerable.Range(0, schools).Select(_ => Guid.NewGuid()).ToArray();
        var companyCount = Math.Max(ContactsPerSchool, schools * 2);
        var companyIds = Enumerable.Range(0, companyCount).Select(_ => Guid.NewGuid()).ToArray();
        var contactIds = companyIds.Select(_ => Guid.NewGuid()).ToArray(); // one contact per company
        var staffIds = new Guid[schools, StaffPerSchool];

        await CopyAsync(connection, "schools (id, name, link_validity_days, created_at)", schools, log, i =>
            [schoolIds[i], $"École {i:D4}", 7, now.AddYears(-3)]);
        await CopyAsync(connection, "staff (id, school_id, user_name, password_hash, last_name, first_name, email, role, created_at)", schools * StaffPerSchool, log, i =>
        {
            var (school, n) = (i / StaffPerSchool, i % StaffPerSchool);
            staffIds[school, n] = Guid.NewGuid();
            return [staffIds[school, n], schoolIds[school], $"bench.s{school}.{n}", hash, $"STAFF{n}", $"École{school}", $"staff{n}.s{school}@bench.example",
                n == 0 ? "SchoolAdmin" : "Recruiter", now.AddYears(-3)];
        });
        await CopyAsync(connection, "companies (id, name, siret, created_at)", companyCount, log, i => [companyIds[i], $"Entreprise {i:D5}", SiretFor(i), now.AddYears(-3)]);
        await CopyAsync(connection, "company_contacts (id, company_id, last_name, first_name, email, user_name, password_hash, created_at)", companyCount, log, i =>
            [contactIds[i], companyIds[i], $"CONTACT{i:D5}", "Bench", $"contact{i}@bench.example", $"bench.contact{i}", hash, now.AddYears(-3)]);

        // Each school works with ContactsPerSchool contacts; school 0 with contacts 0..9, and so on round the pool.
        int ContactOf(int school, int n) => (school * ContactsPerSchool + n) % companyCount;
        await CopyAsync(connection, "school_contacts (school_id, contact_id, created_at)", schools * ContactsPerSchool, log, i =>
            [schoolIds[i / ContactsPerSchool], contactIds[ContactOf(i / ContactsPerSchool, i % ContactsPerSchool)], now.AddYears(-3)]);
        await CopyAsync(connection, "school_companies (school_id, company_id, created_at)", schools * ContactsPerSchool, log, i =>
            [schoolIds[i / ContactsPerSchool], companyIds[ContactOf(i / ContactsPerSchool, i % ContactsPerSchool)], now.AddYears(-3)]);

        var offerIds = new Guid[schools, OffersPerSchool];
        await CopyAsync(connection, "job_offers (id, school_id, company_id, title, description, location, is_active, created_at)", schools * OffersPerSchool, log, i =>
        {
            var (school, n) = (i / OffersPerSchool, i % OffersPerSchool);
            offerIds[school, n] = Guid.NewGuid();
            return [offerIds[school, n], schoolIds[school], companyIds[ContactOf(school, n % ContactsPerSchool)], $"Offre {n} de l'école {school}",
                "Mission en alternance.", "Bordeaux", true, now.AddYears(-2)];
        });

        var perSchool = Math.Max(1, referrals / schools);
        if (perSchool < ListedReferrals)
            throw new ArgumentException($"{referrals} referrals over {schools} schools is fewer than {ListedReferrals} a school: school 0's contact could not get its {ListedReferrals}.");
        var candidatesPerSchool = Math.Max(1, perSchool / 2);
        var candidateIds = new Guid[schools * candidatesPerSchool];
        await CopyAsync(connection, "candidates (id, school_id, last_name, first_name, email, created_at)", candidateIds.Length, log, i =>
        {
            candidateIds[i] = Guid.NewGuid();
            return [candidateIds[i], schoolIds[i / candidatesPerSchool], $"CANDIDAT{i:D7}", "Bench", $"candidat{i}@bench.example", now.AddYears(-2)];
        });
        var cvIds = new Guid[candidateIds.Length];
        await CopyAsync(connection, "documents (id, school_id, candidate_id, kind, title, content_type, size_bytes, storage_key, uploaded_at)", candidateIds.Length, log, i =>
        {
            var id = cvIds[i] = Guid.NewGuid();
            return [id, schoolIds[i / candidatesPerSchool], candidateIds[i], "Cv", "cv", "application/pdf", 50_000L, $"{schoolIds[i / candidatesPerSchool]:N}/{id:N}", now.AddYears(-2)];
        });

        // Referrals and their timelines: a referral of stage k has the events that lead there.
        var events = new List<object?[]>(referrals * 3);
        var shared = new List<(Guid Referral, Guid Document, Guid School)>(referrals); // each referral shares the candidate's CV
        var used = new HashSet<(int School, int Candidate, int Offer)>();
        await CopyAsync(connection,
            "referrals (id, school_id, candidate_id, job_offer_id, contact_id, created_by_staff_id, created_at, stage, offer_answer, offer_answered_at, " +
            "company_answer, company_answered_at, appointment_starts_at, appointment_location, appointment_sequence, appointment_answer, appointment_answered_at, " +
            "outcome, outcome_recorded_at, cancelled_at, cancellation_reason, version, updated_at)",
            schools * perSchool, log, i =>
            {
                var school = i / perSchool;
                // School 0's contact 0 gets exactly its first 200 referrals, on its offers 0 and 10, with distinct
                // candidates; every other referral of school 0 goes to its other contacts.
                int offer, pick;
                if (school == 0 && i < ListedReferrals)
                {
                    (offer, pick) = (i % 2 * ContactsPerSchool, i / 2);
                    used.Add((school, pick, offer));
                }
                else
                {
                    offer = random.Next(OffersPerSchool);
                    pick = random.Next(candidatesPerSchool);
                    // One open referral per candidate and offer (the database insists): draw until the pair is new.
                    while ((school == 0 && offer % ContactsPerSchool == 0) || !used.Add((school, pick, offer)))
                        (offer, pick) = (random.Next(OffersPerSchool), random.Next(candidatesPerSchool));
                }
                var contact = contactIds[ContactOf(school, offer % ContactsPerSchool)];
                var candidate = candidateIds[(school * candidatesPerSchool) + pick];
                var id = Guid.NewGuid();
                shared.Add((id, cvIds[(school * candidatesPerSchool) + pick], schoolIds[school]));
                var created = now.AddDays(-random.Next(1, 730)).AddMinutes(-random.Next(1440));
                var stage = Stages[random.Next(Stages.Length)];
                var staff = staffIds[school, random.Next(StaffPerSchool)];
                var at = created;
                DateTimeOffset Next() => at = at.AddHours(random.Next(2, 200));
                var kinds = Timeline(stage);
                object? offerAnswer = null, offerAt = null, companyAnswer = null, companyAt = null, appointment = null, location = null,
                    appointmentAnswer = null, appointmentAt = null, outcome = null, outcomeAt = null, cancelledAt = null, reason = null;
                var sequence = 0;
                foreach (var kind in kinds)
                {
                    var when = kind == "Proposed" ? created : Next();
                    switch (kind)
                    {
                        case "OfferAccepted" or "OfferDeclined": (offerAnswer, offerAt) = (kind == "OfferAccepted" ? "Accepted" : "Declined", when); break;
                        case "CandidateAccepted": (companyAnswer, companyAt, appointment, location) = ("Accepted", when, when.AddDays(5), "Bordeaux"); break;
                        case "CandidateRefused": (companyAnswer, companyAt) = ("Refused", when); break;
                        case "AppointmentAccepted" or "AppointmentDeclined": (appointmentAnswer, appointmentAt) = (kind == "AppointmentAccepted" ? "Accepted" : "Declined", when); break;
                        case "Recruited" or "NotRetained": (outcome, outcomeAt) = (kind, ((DateTimeOffset)appointment!).AddDays(1)); when = (DateTimeOffset)outcomeAt; break;
                        case "Cancelled": (cancelledAt, reason) = (when, "Offre pourvue"); break;
                    }
                    sequence++;
                    events.Add([Guid.NewGuid(), schoolIds[school], id, sequence, when, kind, kind is "Proposed" or "Cancelled" or "Recruited" or "NotRetained" ? "Staff" : "Candidate",
                        staff, "STAFF Bench", "EmailLink", kind == "CandidateAccepted" ? appointment : null]);
                }
                return [id, schoolIds[school], candidate, offerIds[school, offer], contact, staff, created, stage, offerAnswer, offerAt, companyAnswer, companyAt,
                    appointment, location, 0, appointmentAnswer, appointmentAt, outcome, outcomeAt, cancelledAt, reason, sequence, at];
            });
        await CopyAsync(connection,
            "referral_events (id, school_id, referral_id, sequence, occurred_at, kind, actor_kind, actor_id, actor_name, channel, appointment_starts_at)",
            events.Count, log, i => events[i]);
        await CopyAsync(connection, "referral_documents (referral_id, document_id, school_id)", shared.Count, log, i => [shared[i].Referral, shared[i].Document, shared[i].School]);

        // Settled as a database in service is: vacuumed (hint bits set, visibility map written) as well as analysed. With
        // ANALYZE alone, the first reads of the fresh rows and autovacuum's first pass over them fell in (c)'s window: in the
        // report of 03/12 07h42, (c) cost PostgreSQL 0.78 ms a request, against 0.47 on the same data ten minutes later.
        await using (var settle = new NpgsqlCommand("VACUUM (ANALYZE)", connection))
            await settle.ExecuteNonQueryAsync();
        log.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0.0} s: {schools} schools, {schools * perSchool} referrals, {events.Count} events. " +
            $"Contact with {ListedReferrals} referrals in school 0: bench.contact0 / {Password}.");
    }

    /// <summary>Brings the database to this build's schema, as `Passerelle.dll migrate` would.</summary>
    public static async Task MigrateAsync(string connectionString) =>
        await new SchemaMigrator(PasserelleOptions(connectionString), NullLogger<SchemaMigrator>.Instance).MigrateAsync();

    /// <summary>The database settings Passerelle makes of this PostgreSQL connection string (its Npgsql defaults added).</summary>
    public static DatabaseOptions PasserelleOptions(string connectionString) =>
        DatabaseOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL", ["Database:ConnectionString"] = connectionString,
        }).Build());

    private static string[] Timeline(string stage) => stage switch
    {
        "AwaitingCandidate" => ["Proposed"],
        "OfferDeclined" => ["Proposed", "OfferDeclined"],
        "AwaitingCompany" => ["Proposed", "OfferAccepted"],
        "CompanyRefused" => ["Proposed", "OfferAccepted", "CandidateRefused"],
        "AwaitingAppointmentAnswer" => ["Proposed", "OfferAccepted", "CandidateAccepted"],
        "AppointmentDeclined" => ["Proposed", "OfferAccepted", "CandidateAccepted", "AppointmentDeclined"],
        "AwaitingOutcome" => ["Proposed", "OfferAccepted", "CandidateAccepted", "AppointmentAccepted"],
        "Recruited" => ["Proposed", "OfferAccepted", "CandidateAccepted", "AppointmentAccepted", "Recruited"],
        "NotRetained" => ["Proposed", "OfferAccepted", "CandidateAccepted", "AppointmentAccepted", "NotRetained"],
        _ => ["Proposed", "Cancelled"],
    };

    private static string SiretFor(int i)
    {
        var prefix = $"7{i:D8}0000";
        return Enumerable.Range(0, 10).Select(d => prefix + d).First(Siret.IsValid);
    }

    /// <summary>Binary COPY of <paramref name="count"/> rows, with a progress line every tenth (the load driver's links and mails too).</summary>
    internal static async Task CopyAsync(NpgsqlConnection connection, string table, int count, TextWriter log, Func<int, object?[]> row)
    {
        var name = table[..table.IndexOf(' ', StringComparison.Ordinal)];
        await using var writer = await connection.BeginBinaryImportAsync($"COPY {table} FROM STDIN (FORMAT BINARY)");
        var step = Math.Max(1, count / 10);
        for (var i = 0; i < count; i++)
        {
            await writer.StartRowAsync();
            foreach (var value in row(i))
                await WriteAsync(writer, value);
            if ((i + 1) % step == 0 || i + 1 == count)
                log.Write($"\r{name,-18} [{new string('#', (i + 1) * 20 / count),-20}] {i + 1}/{count}");
        }
        await writer.CompleteAsync();
        log.WriteLine();
    }

    private static Task WriteAsync(NpgsqlBinaryImporter writer, object? value) => value switch
    {
        null => writer.WriteNullAsync(),
        Guid g => writer.WriteAsync(g, NpgsqlDbType.Uuid),
        string s => writer.WriteAsync(s, NpgsqlDbType.Text),
        int n => writer.WriteAsync(n, NpgsqlDbType.Integer),
        long l => writer.WriteAsync(l, NpgsqlDbType.Bigint),
        bool b => writer.WriteAsync(b, NpgsqlDbType.Boolean),
        byte[] bytes => writer.WriteAsync(bytes, NpgsqlDbType.Bytea),
        DateTimeOffset d => writer.WriteAsync(d.ToUniversalTime(), NpgsqlDbType.TimestampTz),
        _ => throw new ArgumentException($"no COPY type for {value.GetType()}"),
    };
}
