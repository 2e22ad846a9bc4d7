using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using Passerelle.Accounts;
using Passerelle.Candidates;
using Passerelle.Storage;

namespace Passerelle.Bench;

/// <summary>
/// The benchmark's baseline (figure b): the same 20 rows as the company list, read with one hand-written SQL query
/// and written as minimal HTML — no sign-in, no EF Core, no Razor, none of the product's middleware. It is the data
/// path's ceiling the real page is compared with. The benchmark serves it from a small host of its own
/// (<c>Passerelle.Bench.dll baseline</c>): the product has no page without a sign-in for it.
/// </summary>
public static class BaselineList
{
    public const string Path = "/bench/baseline";

    /// <summary>(b′) the API's ceiling: the same page of 50 referrals as (f), one SQL query, minimal JSON.</summary>
    public const string ApiPath = "/bench/baseline/api";

    /// <summary>A referral as the API shows it: the columns <see cref="WriteReferral"/> reads, with the tables they come from.</summary>
    private const string ApiColumns = """
        SELECT r.id, r.stage, r.version, r.candidate_id, c.external_id, c.last_name, c.first_name, r.job_offer_id, o.external_id, o.title,
               co.id, co.name, r.contact_id, ct.last_name, ct.first_name, r.created_at, r.updated_at, r.offer_answer, r.offer_answered_at,
               r.company_answer, r.company_answered_at, r.appointment_starts_at, r.appointment_location, r.appointment_answer, r.outcome, r.cancelled_at
        FROM referrals r
        JOIN candidates c ON c.id = r.candidate_id
        JOIN job_offers o ON o.id = r.job_offer_id
        JOIN companies co ON co.id = o.company_id
        JOIN company_contacts ct ON ct.id = r.contact_id

        """;

    private const string ApiSql = ApiColumns + """
        WHERE r.school_id = @school
        ORDER BY r.id
        LIMIT 51
        """;

    /// <summary>
    /// (g′) the create's ceiling: what (g) asks of PostgreSQL, in its round trips, with nothing else — the key read, the
    /// proposal's checks in one query (with the names of its parties and whether the school has webhook endpoints), then the
    /// referral, its mail and its event inserted in one batch, which (g) sends without a transaction. Here the batch begins
    /// one and ends by rolling it back, still one round trip: the same candidates are created again by (g). The answer is
    /// written from the checks' row, as (g) writes it.
    /// </summary>
    public const string CreatePath = "/bench/baseline/create";

    private const string KeySql = "SELECT secret_hash, revoked_at, school_id, name, created_by_staff_id FROM api_keys WHERE id = @id";

    private const string ProposalSql = """
        SELECT o.is_active, ca.id IS NOT NULL, ct.id IS NOT NULL,
               EXISTS (SELECT 1 FROM school_contacts s WHERE s.school_id = @school AND s.contact_id = @contact AND s.deactivated_at IS NOT NULL),
               EXISTS (SELECT 1 FROM school_companies s WHERE s.school_id = @school AND s.company_id = o.company_id AND s.deactivated_at IS NOT NULL),
               (SELECT count(*)::int FROM documents d WHERE d.school_id = @school AND d.candidate_id = @candidate AND d.id = ANY (@documents)
                AND d.removed_at IS NULL),
               EXISTS (SELECT 1 FROM referrals r WHERE r.school_id = @school AND r.candidate_id = @candidate AND r.job_offer_id = @offer
                       AND r.cancelled_at IS NULL),
               EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.school_id = @school AND w.disabled_at IS NULL),
               o.external_id, o.title, co.id, co.name, ca.external_id, ca.last_name, ca.first_name, ct.last_name, ct.first_name
        FROM job_offers o
        JOIN companies co ON co.id = o.company_id
        LEFT JOIN candidates ca ON ca.school_id = @school AND ca.id = @candidate AND ca.erased_at IS NULL
        LEFT JOIN company_contacts ct ON ct.id = @contact AND ct.company_id = o.company_id
             AND EXISTS (SELECT 1 FROM school_contacts s WHERE s.school_id = @school AND s.contact_id = @contact)
        WHERE o.school_id = @school AND o.id = @offer
        LIMIT 1
        """;

    private const string ProposeSql = """
        INSERT INTO referrals (id, school_id, candidate_id, job_offer_id, contact_id, created_by_staff_id, stage, version, appointment_sequence,
                               created_at, updated_at)
        VALUES (@referral, @school, @candidate, @offer, @contact, @staff, 'AwaitingCandidate', 1, 0, @now, @now)
        """;

    private const string ProposedEventSql = """
        INSERT INTO referral_events (id, school_id, referral_id, sequence, occurred_at, kind, actor_kind, actor_id, actor_name, channel)
        VALUES (@id, @school, @referral, 1, @now, 'Proposed', 'ApiClient', @key, @actor, 'Api')
        """;

    /// <summary>
    /// (d′) the answer's ceiling: what (d) asks of PostgreSQL, in its round trips, with nothing else — the link and its
    /// referral read, the school's webhook endpoints read, then in one transaction the referral's conditional update, its
    /// event and its two mails in one batch, and the step's links revoked. Rolled back instead of committed, so the
    /// referral can be answered again and the dispatcher has nothing to send; on this server (<c>synchronous_commit=off</c>)
    /// a commit costs about what a rollback does.
    /// </summary>
    public const string AnswerPath = "/bench/baseline/answer";

    private const string LinkSql = """
        SELECT a.secret_hash, a.revoked_at, a.expires_at, r.id, r.school_id, r.stage, r.version
        FROM action_links a JOIN referrals r ON r.id = a.referral_id
        WHERE a.id = @id
        """;

    private const string EndpointsSql = "SELECT id, url, secret, events FROM webhook_endpoints WHERE school_id = @school AND disabled_at IS NULL";

    private const string UpdateSql = """
        UPDATE referrals SET appointment_comment = @comment, appointment_location = @location, appointment_starts_at = @starts,
               company_answer = 'Accepted', company_answered_at = @now, stage = 'AwaitingAppointmentAnswer', updated_at = @now, version = @version + 1
        WHERE id = @referral AND version = @version
        """;

    private const string EventSql = """
        INSERT INTO referral_events (id, school_id, referral_id, sequence, occurred_at, kind, actor_kind, actor_id, actor_name, channel, comment,
                                     appointment_starts_at, appointment_location)
        VALUES (@id, @school, @referral, @version + 1, @now, 'CandidateAccepted', 'CompanyContact', @actor, 'CONTACT Bench', 'EmailLink', @comment,
                @starts, @location)
        """;

    private const string MailSql = """
        INSERT INTO outbox_messages (id, school_id, referral_id, event_sequence, template_key, recipient, calendar, data, state, attempts,
                                     next_attempt_at, created_at, message_id)
        VALUES (@id, @school, @referral, @sequence, @template, @recipient, @calendar, @data, 'Pending', 0, @now, @now, @messageId)
        """;

    private const string RevokeSql =
        "UPDATE action_links SET revoked_at = @now WHERE school_id = @school AND referral_id = @referral AND revoked_at IS NULL AND step = 'Company'";

    /// <summary>Where the host finds its connection string (a command line would show the password to anyone).</summary>
    public const string ConnectionVariable = "PASSERELLE_BASELINE_CONNECTION";

    private const string Sql = """
        SELECT o.title, c.last_name, c.first_name, r.created_at, r.offer_answer, r.company_answer, r.appointment_answer,
               ARRAY(SELECT d.kind FROM referral_documents rd JOIN documents d ON d.id = rd.document_id
                     WHERE rd.referral_id = r.id ORDER BY d.title) AS kinds,
               ARRAY(SELECT d.title FROM referral_documents rd JOIN documents d ON d.id = rd.document_id
                     WHERE rd.referral_id = r.id ORDER BY d.title) AS titles
        FROM referrals r
        JOIN candidates c ON c.id = r.candidate_id
        JOIN job_offers o ON o.id = r.job_offer_id
        WHERE r.school_id = @school AND r.contact_id = @contact
        ORDER BY r.created_at DESC, r.id DESC
        LIMIT 20
        """;

    /// <summary>
    /// Serves the baseline on <paramref name="url"/> until stopped (with /health/ready for the launcher), connecting as
    /// Passerelle does: the connection string goes through <see cref="DatabaseOptions"/>, which adds its Npgsql
    /// settings (statements prepared once per connection, no reset on return to the pool), and the prepared query
    /// keeps its one generic plan.
    /// </summary>
    public static async Task ServeAsync(string url)
    {
        var given = Environment.GetEnvironmentVariable(ConnectionVariable)
            ?? throw new InvalidOperationException($"{ConnectionVariable} is not set.");
        var connectionString = new NpgsqlConnectionStringBuilder(DataGenerator.PasserelleOptions(given).ConnectionString)
        {
            // A ceiling pays no planning: on some data sizes PostgreSQL keeps re-planning this query at every execution
            // (custom plans), which halved (b) (bench/findings.md). Its one plan is the same index scan either way.
            Options = "-c plan_cache_mode=force_generic_plan",
        }.ToString();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/health/ready", () => "ok");
        app.MapGet(Path, async (Guid school, Guid contact, HttpContext http, CancellationToken ct) =>
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(await RenderAsync(connectionString, school, contact, ct), ct);
        });
        app.MapGet(ApiPath, async (Guid school, HttpContext http, CancellationToken ct) =>
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.Body.WriteAsync(await ApiPageAsync(connectionString, school, ct), ct);
        });
        app.MapPost(CreatePath, async (HttpContext http, CancellationToken ct) =>
        {
            var created = await CreateAsync(connectionString, http.Request.Headers.Authorization.ToString(), http.Request.Body, ct);
            http.Response.StatusCode = created.IsEmpty ? StatusCodes.Status404NotFound : StatusCodes.Status201Created;
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.Body.WriteAsync(created, ct);
        });
        app.MapPost(AnswerPath + "/{token}", async (string token, HttpContext http, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            var answered = int.TryParse(form["Version"], out var version)
                && await AnswerAsync(connectionString, token, version, form["Appointment.Location"].ToString(), form["Appointment.Comment"].ToString(), ct);
            http.Response.StatusCode = answered ? StatusCodes.Status200OK : StatusCodes.Status409Conflict;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(answered ? "<!doctype html><p>Votre réponse est enregistrée.</p>" : "<!doctype html><p>Ce lien n'est plus valable.</p>", ct);
        });
        await app.RunAsync();
    }

    /// <summary>The answer's statements (<see cref="AnswerPath"/>); false when the link or the version does not hold.</summary>
    public static async Task<bool> AnswerAsync(string connectionString, string token, int version, string location, string comment, CancellationToken ct)
    {
        if (!SecretToken.TryParse(token, out var linkId, out var presented))
            return false;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var now = DateTimeOffset.UtcNow;
        Guid referral, school;
        await using (var read = new NpgsqlCommand(LinkSql, connection))
        {
            read.Parameters.AddWithValue("id", linkId);
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct) || !SecretToken.Matches(reader.GetFieldValue<byte[]>(0), presented) || !reader.IsDBNull(1)
                || reader.GetFieldValue<DateTimeOffset>(2) <= now || reader.GetString(5) != "AwaitingCompany" || reader.GetInt32(6) != version)
                return false;
            (referral, school) = (reader.GetGuid(3), reader.GetGuid(4));
        }
        await ReadEndpointsAsync(connection, school, ct);

        await using var transaction = await connection.BeginTransactionAsync(ct);
        var starts = now.AddDays(10);
        var data = JsonSerializer.Serialize(new { appointmentStartsAt = starts, appointmentLocation = location, appointmentComment = comment, comment });
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            var update = Add(batch, UpdateSql, ("comment", comment), ("location", location), ("starts", starts), ("now", now), ("version", version), ("referral", referral));
            Add(batch, EventSql, ("id", Guid.CreateVersion7()), ("school", school), ("referral", referral), ("version", version), ("now", now),
                ("actor", Guid.NewGuid()), ("comment", comment), ("starts", starts), ("location", location));
            foreach (var (template, recipient, calendar) in new[]
            {
                ("referral.appointment_to_candidate", "Candidate", "Request"), ("school.company_proposed_appointment", "ReferringStaff", "None"),
            })
            {
                var id = Guid.CreateVersion7();
                Add(batch, MailSql, ("id", id), ("school", school), ("referral", referral), ("sequence", version + 1), ("template", template), ("recipient", recipient),
                    ("calendar", calendar), ("data", data), ("now", now), ("messageId", $"<{id:N}@passerelle>"));
            }
            await batch.ExecuteNonQueryAsync(ct);
            if (update.RecordsAffected != 1)
                return false;
        }
        await using (var revoke = new NpgsqlCommand(RevokeSql, connection, transaction))
        {
            revoke.Parameters.AddWithValue("now", now);
            revoke.Parameters.AddWithValue("school", school);
            revoke.Parameters.AddWithValue("referral", referral);
            await revoke.ExecuteNonQueryAsync(ct);
        }
        await transaction.RollbackAsync(ct);
        return true;
    }

    /// <summary>The API's first page of 50, as <c>{"items":[…],"nextCursor":…}</c>, written by hand.</summary>
    public static async Task<ReadOnlyMemory<byte>> ApiPageAsync(string connectionString, Guid school, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(ApiSql, connection);
        command.Parameters.AddWithValue("school", school);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(32 * 1024);
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("items");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var count = 0;
            Guid last = default;
            while (await reader.ReadAsync(ct) && count++ < 50)
                last = WriteReferral(json, reader);
            json.WriteEndArray();
            var more = await reader.ReadAsync(ct) || count > 50;
            json.WriteString("nextCursor", more ? last.ToString() : null);
            json.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    /// <summary>The referral of the reader's row (<see cref="ApiColumns"/>) as the API writes it; its id.</summary>
    private static Guid WriteReferral(Utf8JsonWriter json, NpgsqlDataReader reader)
    {
        var id = reader.GetGuid(0);
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("stage", reader.GetString(1));
        json.WriteNumber("version", reader.GetInt32(2));
        WriteParties(json, reader, reader.GetGuid(3), 4, reader.GetGuid(7), 8, reader.GetGuid(12), 13);
        json.WriteString("createdAt", reader.GetFieldValue<DateTimeOffset>(15));
        json.WriteString("updatedAt", reader.GetFieldValue<DateTimeOffset>(16));
        for (var column = 17; column <= 25; column++)
        {
            var name = reader.GetName(column);
            if (reader.IsDBNull(column))
                json.WriteNull(name);
            else if (reader.GetFieldType(column) == typeof(DateTime))
                json.WriteString(name, reader.GetFieldValue<DateTimeOffset>(column));
            else
                json.WriteString(name, reader.GetString(column));
        }
        json.WriteEndObject();
        return id;
    }

    /// <summary>
    /// The candidate, the offer, its company and the contact, from a row holding the candidate's external id and names from
    /// <paramref name="candidateColumn"/>, the offer's external id, title, company id and name from <paramref name="offerColumn"/>,
    /// and the contact's names from <paramref name="contactColumn"/>: the API's columns and the create's checks hold them so.
    /// </summary>
    private static void WriteParties(Utf8JsonWriter json, NpgsqlDataReader row, Guid candidate, int candidateColumn, Guid offer, int offerColumn,
        Guid contact, int contactColumn)
    {
        json.WriteStartObject("candidate");
        json.WriteString("id", candidate);
        json.WriteString("externalId", row.IsDBNull(candidateColumn) ? null : row.GetString(candidateColumn));
        json.WriteString("name", Schools.PersonName.Display(row.GetString(candidateColumn + 1), row.GetString(candidateColumn + 2)));
        json.WriteEndObject();
        json.WriteStartObject("offer");
        json.WriteString("id", offer);
        json.WriteString("externalId", row.IsDBNull(offerColumn) ? null : row.GetString(offerColumn));
        json.WriteString("title", row.GetString(offerColumn + 1));
        json.WriteEndObject();
        json.WriteStartObject("company");
        json.WriteString("id", row.GetGuid(offerColumn + 2));
        json.WriteString("name", row.GetString(offerColumn + 3));
        json.WriteEndObject();
        json.WriteStartObject("contact");
        json.WriteString("id", contact);
        json.WriteString("name", Schools.PersonName.Display(row.GetString(contactColumn), row.GetString(contactColumn + 1)));
        json.WriteEndObject();
    }

    /// <summary>
    /// The create's statements (<see cref="CreatePath"/>) for the body (g) sends — one offer, one contact, one candidate — as
    /// <c>{"referrals":[…]}</c>; empty when the key, the offer, the contact or the candidate does not hold.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> CreateAsync(string connectionString, string authorization, Stream body, CancellationToken ct)
    {
        const string bearer = "Bearer " + Passerelle.Api.ApiKey.Prefix;
        if (!authorization.StartsWith(bearer, StringComparison.Ordinal) || !SecretToken.TryParse(authorization[bearer.Length..], out var keyId, out var presented))
            return ReadOnlyMemory<byte>.Empty;
        Guid offer, contact, candidate;
        using (var request = await JsonDocument.ParseAsync(body, cancellationToken: ct))
        {
            var root = request.RootElement;
            (offer, contact, candidate) = (root.GetProperty("offerId").GetGuid(), root.GetProperty("contactId").GetGuid(),
                root.GetProperty("candidates")[0].GetProperty("candidateId").GetGuid());
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        Guid school, staff;
        string actor;
        await using (var key = new NpgsqlCommand(KeySql, connection))
        {
            key.Parameters.AddWithValue("id", keyId);
            await using var reader = await key.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct) || !SecretToken.Matches(reader.GetFieldValue<byte[]>(0), presented) || !reader.IsDBNull(1))
                return ReadOnlyMemory<byte>.Empty;
            (school, actor, staff) = (reader.GetGuid(2), $"{reader.GetString(3)} (API)", reader.GetGuid(4));
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        await using var json = new Utf8JsonWriter(buffer);
        var now = DateTimeOffset.UtcNow;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        var referral = Guid.CreateVersion7();
        await using (var check = new NpgsqlCommand(ProposalSql, connection))
        {
            check.Parameters.AddWithValue("school", school);
            check.Parameters.AddWithValue("candidate", candidate);
            check.Parameters.AddWithValue("contact", contact);
            check.Parameters.AddWithValue("offer", offer);
            check.Parameters.AddWithValue("documents", Array.Empty<Guid>());
            await using var reader = await check.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct) || !reader.GetBoolean(0) || !reader.GetBoolean(1) || !reader.GetBoolean(2) || reader.GetBoolean(3)
                || reader.GetBoolean(4) || reader.GetInt32(5) != 0 || reader.GetBoolean(6))
                return ReadOnlyMemory<byte>.Empty;
            // The school's endpoints (column 7): none in the generated data, so nothing to add to the batch.
            json.WriteStartObject();
            json.WriteStartArray("referrals");
            WriteNewReferral(json, reader, referral, candidate, offer, contact, now);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            Add(batch, ProposeSql, ("referral", referral), ("school", school), ("candidate", candidate), ("offer", offer), ("contact", contact),
                ("staff", staff), ("now", now));
            var mail = Guid.CreateVersion7();
            Add(batch, MailSql, ("id", mail), ("school", school), ("referral", referral), ("sequence", 1),
                ("template", "referral.offer_to_candidate"), ("recipient", "Candidate"), ("calendar", "None"),
                ("data", JsonSerializer.Serialize(new { actorName = actor })), ("now", now), ("messageId", $"<{mail:N}@passerelle>"));
            Add(batch, ProposedEventSql, ("id", Guid.CreateVersion7()), ("school", school), ("referral", referral), ("now", now), ("key", keyId),
                ("actor", actor));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("ROLLBACK"));
            await batch.ExecuteNonQueryAsync(ct);
        }
        await json.FlushAsync(ct);
        return buffer.WrittenMemory;
    }

    /// <summary>A new referral as the API writes it, from the proposal's checks (<see cref="ProposalSql"/>, names from column 8).</summary>
    private static void WriteNewReferral(Utf8JsonWriter json, NpgsqlDataReader check, Guid id, Guid candidate, Guid offer, Guid contact, DateTimeOffset now)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("stage", "AwaitingCandidate");
        json.WriteNumber("version", 1);
        WriteParties(json, check, candidate, 12, offer, 8, contact, 15);
        json.WriteString("createdAt", now);
        json.WriteString("updatedAt", now);
        foreach (var name in (string[])["offer_answer", "offer_answered_at", "company_answer", "company_answered_at", "appointment_starts_at",
                     "appointment_location", "appointment_answer", "outcome", "cancelled_at"])
            json.WriteNull(name);
        json.WriteEndObject();
    }

    private static NpgsqlBatchCommand Add(NpgsqlBatch batch, string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>The school's webhook endpoints, read as every save of an event reads them (none in the generated data).</summary>
    private static async Task ReadEndpointsAsync(NpgsqlConnection connection, Guid school, CancellationToken ct)
    {
        await using var endpoints = new NpgsqlCommand(EndpointsSql, connection);
        endpoints.Parameters.AddWithValue("school", school);
        await using var reader = await endpoints.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
        }
    }

    /// <summary>The page: a table whose rows are the company list's first page, in its order and with its labels.</summary>
    public static async Task<string> RenderAsync(string connectionString, Guid school, Guid contact, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.AddWithValue("school", school);
        command.Parameters.AddWithValue("contact", contact);
        var html = new StringBuilder("<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Baseline</title><table>");
        html.Append("<tr><th>Offre de poste</th><th>Candidat</th><th>Document(s) joint(s)</th><th>Date de mise en relation</th>")
            .Append("<th>Réponse candidat</th><th>Réponse entreprise</th><th>Réponse rendez-vous</th></tr>");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // The documents under the list's labels and in its order ("CV - cv").
            var kinds = reader.GetFieldValue<string[]>(7);
            var titles = reader.GetFieldValue<string[]>(8);
            var documents = kinds.Zip(titles, (kind, title) => (Kind: Enum.Parse<DocumentKind>(kind), Title: title))
                .OrderBy(d => d.Kind).Select(d => $"{Document.KindLabel(d.Kind)} - {d.Title}");
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(reader.GetString(0)))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(Schools.PersonName.Display(reader.GetString(1), reader.GetString(2))))
                .Append("</td><td>").Append(WebUtility.HtmlEncode(string.Join(' ', documents)))
                .Append("</td><td>").Append(ParisTime.Date(reader.GetFieldValue<DateTimeOffset>(3)))
                .Append("</td><td>").Append(Text(reader, 4)).Append("</td><td>").Append(Text(reader, 5)).Append("</td><td>").Append(Text(reader, 6))
                .Append("</td></tr>");
        }
        return html.Append("</table>").ToString();
    }

    private static string Text(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? "" : WebUtility.HtmlEncode(reader.GetString(column));
}
