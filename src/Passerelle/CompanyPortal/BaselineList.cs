using System.Net;
using System.Text;
using Npgsql;
using Passerelle.Candidates;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// The benchmark's baseline (issue 6, figure b): the same 20 rows as the company list, read with one hand-written
/// SQL query and written as minimal HTML, with no sign-in, no EF Core and no Razor. It is the data path's ceiling
/// the real page is compared with. Mapped only when <c>Benchmark:Baseline</c> is true (never in production: it
/// answers for any contact without a sign-in).
/// </summary>
public static class BaselineList
{
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

    /// <summary>Checked at start-up, before the database is touched.</summary>
    public static void CheckSetting(IConfiguration configuration, DatabaseOptions database)
    {
        if (configuration.GetValue<bool>("Benchmark:Baseline") && database.Provider != DatabaseProvider.PostgreSQL)
            throw new StartupException("Benchmark:Baseline is for the benchmark on PostgreSQL: turn it off or set Database:Provider to PostgreSQL.");
    }

    public static void MapBaselineList(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Benchmark:Baseline"))
            return;
        app.MapGet("/bench/baseline", async (Guid school, Guid contact, DatabaseOptions database, HttpContext http, CancellationToken ct) =>
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
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
            html.Append("</table>");
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(html.ToString(), ct);
        });
    }

    private static string Text(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? "" : WebUtility.HtmlEncode(reader.GetString(column));
}
