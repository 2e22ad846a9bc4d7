using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Npgsql;
using Passerelle.Accounts;
using Passerelle.Bench;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Bench;

/// <summary>
/// The benchmark's data and its baseline (figure b): the generated database is one the portal serves, and the
/// baseline — served by the benchmark's own host, not by Passerelle — lists exactly the rows of the company list it
/// is compared with.
/// </summary>
public partial class BenchmarkBaselineTests
{
    public static TheoryData<DatabaseProvider> PostgreSQL => TestDatabase.PostgreSQLOnly;

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task The_baseline_lists_the_company_list_s_rows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        await DataGenerator.RunAsync(database.Options.ConnectionString, schools: 2, referrals: 400, TextWriter.Null);
        var (school, contact) = await SchoolAndContactAsync(database.Options.ConnectionString);

        await using var app = new PasserelleFactory(database);
        using var client = app.CreateClient();
        await PortalWorld.LogInAsync(client, "bench.contact0", DataGenerator.Password);
        await PortalWorld.ChooseSchoolAsync(client, school);
        var (_, list) = await Browserless.GetAsync(client, "/entreprise/candidats");
        var baseline = await new HtmlParser().ParseDocumentAsync(
            await BaselineList.RenderAsync(database.Options.ConnectionString, school, contact, CancellationToken.None));

        list.QuerySelector("caption")!.TextContent.ShouldStartWith($"{DataGenerator.ListedReferrals} mise(s) en relation");
        var listed = Rows(list, "table.referrals tbody tr");
        var baselined = Rows(baseline, "tr:not(:first-child)");
        listed.Count.ShouldBe(20);
        baselined.Select(r => r[..4]).ShouldBe(listed.Select(r => r[..4]), "same offers, candidates, documents and dates, in the same order");
        listed.ShouldAllBe(r => r[2] == "CV - cv", "each generated referral shares the candidate's CV");
        (await client.GetAsync($"{BaselineList.Path}?school={school}&contact={contact}")).StatusCode
            .ShouldBe(HttpStatusCode.NotFound, "Passerelle itself has no page without a sign-in for the benchmark");
    }

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task The_answer_baseline_runs_the_answer_s_statements_and_keeps_nothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var connectionString = database.Options.ConnectionString;
        await DataGenerator.RunAsync(connectionString, schools: 2, referrals: 400, TextWriter.Null);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var (referral, school, contact, version) = await ScalarsAsync(connection,
            "SELECT id, school_id, contact_id, version FROM referrals WHERE stage = 'AwaitingCompany' LIMIT 1",
            r => (r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), r.GetInt32(3)));
        var (linkId, hash, token) = SecretToken.Create();
        await ExecuteAsync(connection, """
            INSERT INTO action_links (id, school_id, referral_id, recipient, recipient_id, step, secret_hash, created_at, expires_at)
            VALUES (@id, @school, @referral, 'CompanyContact', @contact, 'Company', @hash, now(), now() + interval '7 days')
            """, ("id", linkId), ("school", school), ("referral", referral), ("contact", contact), ("hash", hash));
        const string State = """
            SELECT r.stage || ' ' || r.version || ' ' || (SELECT count(*) FROM referral_events) || ' ' || (SELECT count(*) FROM outbox_messages)
                   || ' ' || (SELECT count(*) FROM action_links WHERE revoked_at IS NOT NULL)
            FROM referrals r WHERE r.id = @referral
            """;
        var before = await ScalarsAsync(connection, State, r => r.GetString(0), ("referral", referral));

        (await BaselineList.AnswerAsync(connectionString, token, version, "Bordeaux", "Merci", CancellationToken.None))
            .ShouldBeTrue("the link, the version and the conditional update held");
        (await BaselineList.AnswerAsync(connectionString, token, version + 1, "Bordeaux", "Merci", CancellationToken.None))
            .ShouldBeFalse("another version is refused, as (d) refuses it");
        (await BaselineList.AnswerAsync(connectionString, token[..^2] + "xx", version, "Bordeaux", "Merci", CancellationToken.None))
            .ShouldBeFalse("a wrong secret is refused");

        (await ScalarsAsync(connection, State, r => r.GetString(0), ("referral", referral)))
            .ShouldBe(before, "rolled back: the referral still waits, no event, no mail, no link revoked");
        before.ShouldStartWith($"AwaitingCompany {version} ");
    }

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task The_create_baseline_runs_the_create_s_statements_and_keeps_nothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var connectionString = database.Options.ConnectionString;
        await DataGenerator.RunAsync(connectionString, schools: 2, referrals: 400, TextWriter.Null);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var (school, staff, offer, contact) = await ScalarsAsync(connection, """
            SELECT o.school_id, (SELECT st.id FROM staff st WHERE st.school_id = o.school_id LIMIT 1), o.id, c.id FROM job_offers o
            JOIN company_contacts c ON c.company_id = o.company_id
            JOIN school_contacts sc ON sc.contact_id = c.id AND sc.school_id = o.school_id
            WHERE o.is_active LIMIT 1
            """, r => (r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), r.GetGuid(3)));
        var candidate = Guid.CreateVersion7();
        var (keyId, hash, token) = SecretToken.Create();
        await ExecuteAsync(connection, """
            INSERT INTO candidates (id, school_id, last_name, first_name, email, created_at) VALUES (@candidate, @school, 'Durand', 'Léa', 'lea@example.org', now());
            INSERT INTO api_keys (id, school_id, name, secret_hash, created_at, created_by_staff_id, created_by) VALUES (@key, @school, 'ERP', @hash, now(), @staff, 'X');
            """, ("candidate", candidate), ("school", school), ("key", keyId), ("hash", hash), ("staff", staff));
        // Rows inserted and rolled back leave no trace but this: a sequence does not roll back.
        await ExecuteAsync(connection, """
            CREATE SEQUENCE inserted_rows;
            CREATE FUNCTION count_inserted_row() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN PERFORM nextval(''inserted_rows''); RETURN NEW; END';
            CREATE TRIGGER counted AFTER INSERT ON referrals FOR EACH ROW EXECUTE FUNCTION count_inserted_row();
            CREATE TRIGGER counted AFTER INSERT ON referral_events FOR EACH ROW EXECUTE FUNCTION count_inserted_row();
            CREATE TRIGGER counted AFTER INSERT ON outbox_messages FOR EACH ROW EXECUTE FUNCTION count_inserted_row();
            """);
        const string State = "SELECT (SELECT count(*) FROM referrals) || ' ' || (SELECT count(*) FROM referral_events) || ' ' || (SELECT count(*) FROM outbox_messages)";
        var before = await ScalarsAsync(connection, State, r => r.GetString(0));
        var body = $$"""{"offerId":"{{offer}}","contactId":"{{contact}}","candidates":[{"candidateId":"{{candidate}}"}]}""";
        Task<ReadOnlyMemory<byte>> CreateAsync(string key) =>
            BaselineList.CreateAsync(connectionString, $"Bearer {Passerelle.Api.ApiKey.Prefix}{key}", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)), CancellationToken.None);

        var created = System.Text.Json.Nodes.JsonNode.Parse((await CreateAsync(token)).Span)!["referrals"]!.AsArray().Single()!;
        created["candidate"]!["id"]!.GetValue<Guid>().ShouldBe(candidate);
        created["candidate"]!["name"]!.GetValue<string>().ShouldContain("Léa", Case.Sensitive, "the names come with the proposal's checks");
        created["offer"]!["id"]!.GetValue<Guid>().ShouldBe(offer);
        (await CreateAsync(token[..^2] + "xx")).IsEmpty.ShouldBeTrue("a wrong key is refused, as (g) refuses it");

        (await ScalarsAsync(connection, "SELECT last_value FROM inserted_rows", r => r.GetInt64(0))).ShouldBe(3, "the referral, its event and its mail were inserted");
        (await ScalarsAsync(connection, State, r => r.GetString(0))).ShouldBe(before, "rolled back: no referral, no event, no mail kept");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarsAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        return read(reader);
    }

    private static List<string[]> Rows(IHtmlDocument page, string selector) =>
        page.QuerySelectorAll(selector).Select(tr => tr.QuerySelectorAll("td").Select(td => Spaces().Replace(td.TextContent, " ").Trim()).ToArray()).ToList();

    private static async Task<(Guid School, Guid Contact)> SchoolAndContactAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT s.id, c.id FROM schools s, company_contacts c WHERE s.name = 'École 0000' AND c.user_name = 'bench.contact0'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        return (reader.GetGuid(0), reader.GetGuid(1));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
