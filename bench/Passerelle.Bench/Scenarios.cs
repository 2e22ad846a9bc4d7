using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Passerelle.Accounts;
using Passerelle.Email;
using Passerelle.Referrals;

namespace Passerelle.Bench;

/// <summary>What the load sends, prepared against one server and its database: figures (a) to (d), and (e)'s queue.</summary>
public sealed partial class Scenarios(Uri server, string connectionString)
{
    private const string FormToken = "__RequestVerificationToken";

    public Uri Server => server;
    public Guid SchoolId { get; private set; }
    public Guid ContactId { get; private set; }
    private string listCookie = "";

    /// <summary>Signs bench.contact0 in, chooses school 0 and checks the list shows its 20 newest referrals.</summary>
    public async Task SignInAsync()
    {
        await using (var connection = await OpenAsync())
        {
            await using var command = new NpgsqlCommand(
                "SELECT s.id, c.id FROM schools s, company_contacts c WHERE s.name = 'École 0000' AND c.user_name = 'bench.contact0'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
                throw new InvalidOperationException("The database has no 'École 0000' or no bench.contact0: run the generator first.");
            (SchoolId, ContactId) = (reader.GetGuid(0), reader.GetGuid(1));
        }

        using var client = BehindTls.Client(server, out var cookies);
        var login = await client.GetStringAsync("/entreprise/connexion");
        await ExpectAsync(client.PostAsync("/entreprise/connexion", Form((FormToken, TokenIn(login)),
            ("UserName", "bench.contact0"), ("Password", DataGenerator.Password))), HttpStatusCode.Redirect, "sign-in");
        var home = await client.GetStringAsync("/entreprise");
        await ExpectAsync(client.PostAsync("/entreprise?handler=ChooseSchool", Form((FormToken, TokenIn(home)),
            ("schoolId", SchoolId.ToString()))), HttpStatusCode.Redirect, "choice of school");
        listCookie = cookies.CookieHeader;

        var page = await SendListAsync(client);
        var rows = RowPattern().Count(page) - 1; // the header's row
        if (!page.Contains($"{DataGenerator.ListedReferrals} mise(s) en relation", StringComparison.Ordinal) || rows != 20)
            throw new InvalidOperationException($"The company list does not show the 20 rows of {DataGenerator.ListedReferrals} expected ({rows} rows).");
    }

    /// <summary>(a) the framework's ceiling: the liveness probe, which touches nothing.</summary>
    public static LoadDriver.Request Health() => async (client, ct) =>
    {
        using var response = await client.GetAsync("/health/live", ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        return response.StatusCode == HttpStatusCode.OK;
    };

    /// <summary>(b) the data path's ceiling: the same rows as (c), one SQL query, minimal HTML, no sign-in.</summary>
    /// <remarks>Sent to the baseline's own host (<see cref="ServerProcess.StartBaselineAsync"/>), not to Passerelle.</remarks>
    public LoadDriver.Request Baseline() => async (client, ct) =>
    {
        using var response = await client.GetAsync($"{BaselineList.Path}?school={SchoolId}&contact={ContactId}", ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.StatusCode == HttpStatusCode.OK && body.Length > 2000;
    };

    /// <summary>(b′) the API's ceiling: the same page of 50 as (f), one SQL query, minimal JSON, on the baseline's host.</summary>
    public LoadDriver.Request ApiBaseline() => async (client, ct) =>
    {
        using var response = await client.GetAsync($"{BaselineList.ApiPath}?school={SchoolId}", ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.StatusCode == HttpStatusCode.OK && body.Contains("\"nextCursor\":\"", StringComparison.Ordinal);
    };

    /// <summary>(c) the company's referral list, signed in, first page (20 rows, newest first).</summary>
    public LoadDriver.Request CompanyList() => async (client, ct) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/entreprise/candidats");
        request.Headers.Add("Cookie", listCookie);
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.StatusCode == HttpStatusCode.OK && body.Length > 5000;
    };

    private static async Task<string> SendListAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/entreprise/candidats");
        var response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"The company list answered {(int)response.StatusCode}.");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// (d) The company accepts a candidate with an appointment from its e-mail link: one link per referral waiting
    /// for the company (outside school 0), made here as the mail would have made it (only the secret's hash stored).
    /// Every answer is a new referral's, as in real use. The antiforgery pair of one page serves every post.
    /// </summary>
    public async Task<Func<LoadDriver.Request?>> MailAnswersAsync(int count)
    {
        var links = await CompanyLinksAsync(count);
        using var client = BehindTls.Client(server, out var cookies);
        var page = await client.GetStringAsync($"/l/{links[0].Token}/accepter");
        var formToken = TokenIn(page);
        var cookie = cookies.CookieHeader;
        var date = AppointmentDate();

        return Each(links, async (c, token, version, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/l/{token}/accepter?handler=AcceptCandidate")
            {
                Content = AnswerForm(version, date, (FormToken, formToken)),
            };
            request.Headers.Add("Cookie", cookie);
            using var response = await c.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            // Done: the page redirects to the link's page, which shows the answer.
            return response.StatusCode == HttpStatusCode.Redirect;
        });
    }

    /// <summary>
    /// (d′) the same answers' statements alone, on the baseline's host (<see cref="BaselineList.AnswerPath"/>): the same
    /// links and form, no antiforgery, nothing kept (the host rolls back).
    /// </summary>
    public async Task<Func<LoadDriver.Request?>> AnswerBaselineAsync(int count)
    {
        var date = AppointmentDate();
        return Each(await CompanyLinksAsync(count), async (c, token, version, ct) =>
        {
            using var response = await c.PostAsync($"{BaselineList.AnswerPath}/{token}", AnswerForm(version, date), ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return response.StatusCode == HttpStatusCode.OK;
        });
    }

    /// <summary>One request per link, each link once; null once they are all used.</summary>
    private static Func<LoadDriver.Request?> Each(
        List<(string Token, int Version)> links, Func<HttpClient, string, int, CancellationToken, Task<bool>> answer)
    {
        var next = -1;
        return () =>
        {
            var i = Interlocked.Increment(ref next);
            if (i >= links.Count)
                return null;
            var (token, version) = links[i];
            return (c, ct) => answer(c, token, version, ct);
        };
    }

    /// <summary>The appointment's day: in ten days.</summary>
    private static string AppointmentDate() => DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The form of an acceptance with an appointment on <paramref name="date"/>.</summary>
    private static FormUrlEncodedContent AnswerForm(int version, string date, params (string Name, string Value)[] more) =>
        Form([.. more, ("Version", version.ToString(CultureInfo.InvariantCulture)), ("Appointment.Date", date), ("Appointment.Hour", "10"),
            ("Appointment.Minute", "30"), ("Appointment.Location", "12 rue Sainte-Catherine, Bordeaux"), ("Appointment.Comment", "Merci de venir avec votre CV.")]);

    /// <summary>A new company link for each of <paramref name="count"/> referrals waiting for the company, with the referral's version.</summary>
    private async Task<List<(string Token, int Version)>> CompanyLinksAsync(int count)
    {
        var links = new List<(string Token, int Version)>(count);
        await using (var connection = await OpenAsync())
        {
            var referrals = new List<(Guid Id, Guid School, Guid Contact, int Version)>(count);
            await using (var command = new NpgsqlCommand(
                "SELECT id, school_id, contact_id, version FROM referrals WHERE stage = 'AwaitingCompany' AND school_id <> @school LIMIT @count", connection))
            {
                command.Parameters.AddWithValue("school", SchoolId);
                command.Parameters.AddWithValue("count", count);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    referrals.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetInt32(3)));
            }
            // Enough for the measured window at the pace seen here; a re-used database may have fewer left.
            if (referrals.Count < 1000)
                throw new InvalidOperationException($"Only {referrals.Count} referrals still wait for a company: generate the data again.");
            var now = DateTimeOffset.UtcNow;
            await DataGenerator.CopyAsync(connection, "action_links (id, school_id, referral_id, recipient, recipient_id, step, secret_hash, created_at, expires_at)",
                referrals.Count, TextWriter.Null, i =>
                {
                    var (id, hash, token) = SecretToken.Create();
                    links.Add((token, referrals[i].Version));
                    return [id, referrals[i].School, referrals[i].Id, nameof(Recipient.CompanyContact), referrals[i].Contact, nameof(LinkStep.Company), hash, now, now.AddDays(7)];
                });
        }

        return links;
    }

    private string apiKey = "";

    /// <summary>An API key of school 0, made as the Intégrations page makes one (only the secret's hash stored).</summary>
    public async Task CreateApiKeyAsync()
    {
        await using var connection = await OpenAsync();
        await using var staff = new NpgsqlCommand("SELECT id FROM staff WHERE school_id = @school ORDER BY id LIMIT 1", connection);
        staff.Parameters.AddWithValue("school", SchoolId);
        var staffId = (Guid)(await staff.ExecuteScalarAsync())!;
        var (id, hash, token) = SecretToken.Create();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO api_keys (id, school_id, name, secret_hash, created_at, created_by_staff_id, created_by) VALUES (@id, @school, 'Bench', @hash, now(), @staff, 'STAFF Bench')",
            connection);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("school", SchoolId);
        insert.Parameters.AddWithValue("hash", hash);
        insert.Parameters.AddWithValue("staff", staffId);
        await insert.ExecuteNonQueryAsync();
        apiKey = Passerelle.Api.ApiKey.Prefix + token;
    }

    /// <summary>(f) The API's referral list: the first page of 50 of school 0's referrals, with the key.</summary>
    public LoadDriver.Request ApiList() => async (client, ct) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/referrals?limit=50");
        request.Headers.Add("Authorization", $"Bearer {apiKey}");
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.StatusCode == HttpStatusCode.OK && body.Contains("\"nextCursor\":\"", StringComparison.Ordinal);
    };

    /// <summary>The e-mails of the candidates (g) creates (a LIKE pattern): a reused database is measured without their referrals.</summary>
    public const string ApiCandidateEmails = "api%@bench.example";

    /// <summary>What creates need: new candidates of school 0, and the school's active offers each with a contact of its company.</summary>
    public sealed record CreateInputs(List<(Guid Offer, Guid Contact)> Offers, Guid[] Candidates);

    /// <summary><paramref name="count"/> new candidates of school 0 (made here), and the offers they can be referred to.</summary>
    public async Task<CreateInputs> CreateInputsAsync(int count)
    {
        var offers = new List<(Guid Offer, Guid Contact)>();
        var candidates = new Guid[count];
        await using (var connection = await OpenAsync())
        {
            await using (var command = new NpgsqlCommand("""
                SELECT DISTINCT ON (o.id) o.id, c.id FROM job_offers o
                JOIN company_contacts c ON c.company_id = o.company_id
                JOIN school_contacts sc ON sc.contact_id = c.id AND sc.school_id = o.school_id
                WHERE o.school_id = @school AND o.is_active ORDER BY o.id, c.id
                """, connection))
            {
                command.Parameters.AddWithValue("school", SchoolId);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    offers.Add((reader.GetGuid(0), reader.GetGuid(1)));
            }
            if (offers.Count == 0)
                throw new InvalidOperationException("School 0 has no active offer with a contact: generate the data again.");
            var now = DateTimeOffset.UtcNow;
            await DataGenerator.CopyAsync(connection, "candidates (id, school_id, last_name, first_name, email, created_at)", count, TextWriter.Null, i =>
            {
                candidates[i] = Guid.CreateVersion7();
                return [candidates[i], SchoolId, $"API{i:D6}", "Bench", $"api{i}@bench.example", now];
            });
        }
        return new CreateInputs(offers, candidates);
    }

    /// <summary>
    /// (g) A referral created through the API: each request one of the new candidates on one of the school's active offers, with a
    /// contact of the offer's company; the offer mail is queued too.
    /// </summary>
    public Func<LoadDriver.Request?> ApiCreates(CreateInputs inputs) => Creates(inputs, "/api/v1/referrals");

    /// <summary>
    /// (g′) The same requests to the baseline's host (<see cref="BaselineList.CreatePath"/>): the create's statements, rolled
    /// back, so that (g) can create the same candidates' referrals afterwards.
    /// </summary>
    public Func<LoadDriver.Request?> ApiCreateBaseline(CreateInputs inputs) => Creates(inputs, BaselineList.CreatePath);

    /// <summary>One create per candidate, each once; null once they are all used.</summary>
    private Func<LoadDriver.Request?> Creates(CreateInputs inputs, string path)
    {
        var (offers, candidates) = inputs;
        var next = -1;
        return () =>
        {
            var i = Interlocked.Increment(ref next);
            if (i >= candidates.Length)
                return null;
            var (offer, contact) = offers[i % offers.Count];
            var body = $$"""{"offerId":"{{offer}}","contactId":"{{contact}}","candidates":[{"candidateId":"{{candidates[i]}}"}]}""";
            return async (c, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path)
                {
                    Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("Authorization", $"Bearer {apiKey}");
                using var response = await c.SendAsync(request, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                return response.StatusCode == HttpStatusCode.Created;
            };
        };
    }

    /// <summary>The tables the workflow writes, vacuumed and analysed: no autovacuum of them while the figures are taken.</summary>
    public async Task SettleAsync()
    {
        await using var connection = await OpenAsync();
        await SettleAsync(connection);
    }

    public static async Task SettleAsync(NpgsqlConnection connection)
    {
        await using var vacuum = new NpgsqlCommand(
            "VACUUM (ANALYZE) referrals, candidates, referral_events, referral_documents, outbox_messages, action_links, webhook_deliveries", connection)
        {
            CommandTimeout = 600,
        };
        await vacuum.ExecuteNonQueryAsync();
    }

    /// <summary>Mails not yet delivered (pending, due or not).</summary>
    public async Task<long> PendingMailsAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM outbox_messages WHERE state = 'Pending'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// (e)'s queue: <paramref name="count"/> mails of the three kinds the workflow sends most, in one transaction, as
    /// <see cref="Outbox"/> writes them: the offer to a candidate, the candidate to a company (both create a link when
    /// composed) and the appointment to a candidate (with its calendar file). Then announced (<c>NOTIFY</c>), as a web
    /// instance announces the mail it queued.
    /// </summary>
    public async Task QueueMailsAsync(int count)
    {
        await using var connection = await OpenAsync();
        var now = DateTimeOffset.UtcNow;
        var kinds = new (string Stage, string Key, Recipient To, CalendarInvite Calendar)[]
        {
            ("AwaitingCandidate", TemplateKeys.OfferToCandidate, Recipient.Candidate, CalendarInvite.None),
            ("AwaitingCompany", TemplateKeys.CandidateToCompany, Recipient.CompanyContact, CalendarInvite.None),
            ("AwaitingAppointmentAnswer", TemplateKeys.AppointmentToCandidate, Recipient.Candidate, CalendarInvite.Request),
        };
        var rows = new List<object?[]>(count);
        for (var k = 0; k < kinds.Length; k++)
        {
            var (stage, key, to, calendar) = kinds[k];
            var wanted = (count / kinds.Length) + (k < count % kinds.Length ? 1 : 0);
            await using var command = new NpgsqlCommand(
                "SELECT id, school_id, version, appointment_starts_at, appointment_location, appointment_sequence FROM referrals WHERE stage = @stage LIMIT @count", connection);
            command.Parameters.AddWithValue("stage", stage);
            command.Parameters.AddWithValue("count", wanted);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var message = Outbox.New(reader.GetGuid(1), key, to, now);
                var data = new MailData(reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    null, reader.GetInt32(5), EventKind: ReferralEventKind.Proposed, ActorName: "STAFF Bench").Serialize();
                rows.Add([message.Id, message.SchoolId, reader.GetGuid(0), reader.GetInt32(2), key, to.ToString(), calendar.ToString(), data,
                    nameof(OutboxState.Pending), now, now, message.MessageId]);
            }
        }
        if (rows.Count < count)
            throw new InvalidOperationException($"Only {rows.Count} referrals to write {count} mails about: generate more data.");
        await DataGenerator.CopyAsync(connection,
            "outbox_messages (id, school_id, referral_id, event_sequence, template_key, recipient, calendar, data, state, next_attempt_at, created_at, message_id)",
            rows.Count, TextWriter.Null, i => rows[i]);
        // Announced as an instance that sends no mail announces what it queued: the dispatcher starts at once, not at its next poll.
        await using var notify = new NpgsqlCommand($"NOTIFY {OutboxNotifications.Channel}", connection);
        await notify.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static string TokenIn(string html) =>
        FormTokenPattern().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("No antiforgery token in the page.");

    private static async Task ExpectAsync(Task<HttpResponseMessage> sending, HttpStatusCode expected, string what)
    {
        using var response = await sending;
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"The {what} answered {(int)response.StatusCode} instead of {(int)expected}.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenPattern();

    [GeneratedRegex("<tr[ >]")]
    private static partial Regex RowPattern();
}
