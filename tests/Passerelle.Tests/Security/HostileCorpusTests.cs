using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Companies;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Security;

/// <summary>
/// Security/hostile-requests.json sent to the app with the demo data: each request gets exactly the answer the corpus
/// says (a 4xx, or the French form error), never a 5xx, and — unless the case is an accepted hostile text — leaves
/// the database and the documents folder as they were (compared before and after, table by table).
/// </summary>
[Trait(Category.Name, Category.Smtp)]
public sealed partial class HostileCorpusTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    /// <summary>Tables that change by design whatever the answer: the key ring, and failed logins being counted.</summary>
    private static readonly string[] Volatile = ["data_protection_keys", "login_throttles", "schema_migrations"];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_hostile_request_gets_its_exact_answer_never_a_5xx_and_changes_nothing(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var corpus = HostileCorpus.Load();
        await using var run = await Run.StartAsync(world);
        var requests = corpus.Requests().ToList();
        var failures = new List<string>();

        foreach (var (request, index) in requests.Select((r, i) => (r, i)))
        {
            var before = await FingerprintAsync(world);
            var (status, body, location) = await run.SendAsync(request, index);
            if (status >= 500 || status != request.Expect)
                failures.Add($"{request.Name}: {request.Method} {request.Path} answered {status}, expected {request.Expect}. {Excerpt(body)}");
            var shownText = System.Net.WebUtility.HtmlDecode(body);
            if (request.ExpectText is { } text && !run.Fill(text, index).Split('|').Any(t => shownText.Contains(t, StringComparison.Ordinal)))
                failures.Add($"{request.Name}: the answer does not say « {text} ». {Excerpt(body)}");
            if (request.RejectText is { } rejected && body.Contains(run.Fill(rejected, index), StringComparison.Ordinal))
                failures.Add($"{request.Name}: the answer contains « {rejected} »");
            if (request.ExpectLocation is { } expected && location != run.Fill(expected, index))
                failures.Add($"{request.Name}: redirected to {location ?? "(nowhere)"}, expected {run.Fill(expected, index)}");
            var after = await FingerprintAsync(world);
            if (!request.Changes)
            {
                var changed = before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).ToList();
                if (changed.Count > 0)
                    failures.Add($"{request.Name}: changed {string.Join(", ", changed)}");
            }
            else if (request.RenderedAt is { } page)
            {
                var shown = await run.GetTextAsync(request.As, run.Fill(page, index));
                if (shown.Contains("<script>alert(", StringComparison.Ordinal) || !shown.Contains("&lt;script&gt;alert(", StringComparison.Ordinal))
                    failures.Add($"{request.Name}: {page} does not show the hostile text escaped");
            }
        }

        failures.ShouldBeEmpty($"{failures.Count} of {requests.Count} hostile requests:\n{string.Join("\n", failures)}");
        requests.Count.ShouldBeGreaterThanOrEqualTo(200);
    }

    private static string Excerpt(string body)
    {
        var text = Regex.Replace(Regex.Replace(body, "<[^>]+>", " "), @"\s+", " ").Trim();
        var main = text.IndexOf("Se déconnecter", StringComparison.Ordinal) is var at and >= 0 ? text[(at + 14)..] : text;
        return main.Length <= 240 ? main : main[..240];
    }

    /// <summary>A digest of every table (rows sorted) and of the documents folder (names and sizes).</summary>
    private static async Task<Dictionary<string, string>> FingerprintAsync(PortalWorld world)
    {
        var digests = new Dictionary<string, string>();
        await using var db = world.Database.NewContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = world.Database.Provider == DatabaseProvider.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        foreach (var table in tables.Except(Volatile))
            digests[table] = await DigestAsync(connection, table);
        var files = Directory.Exists(world.DocumentsFolder)
            ? Directory.GetFiles(world.DocumentsFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => $"{f}:{new FileInfo(f).Length}")
            : [];
        digests["(documents folder)"] = string.Join("\n", files);
        return digests;
    }

    private static async Task<string> DigestAsync(DbConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            rows.Add(string.Join("\u001f", values.Select(v => v is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))));
        }
        rows.Sort(StringComparer.Ordinal);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows))));
    }

    /// <summary>The actors' signed-in clients, their antiforgery tokens, and the values the placeholders stand for.</summary>
    private sealed partial class Run : IAsyncDisposable
    {
        private readonly PortalWorld world;
        private readonly Dictionary<string, HttpClient> clients = [];
        private readonly Dictionary<string, CookieSession> sessions = [];
        private readonly Dictionary<string, string> tokens = [];
        private readonly Dictionary<string, string> values = [];

        private Run(PortalWorld world) => this.world = world;

        public static async Task<Run> StartAsync(PortalWorld world)
        {
            var run = new Run(world);
            var otherContact = await world.OtherCompanyContactAsync();
            await run.SignInAsync("anonymous", null, "/entreprise/connexion");
            await run.SignInAsync("contact", c => PortalWorld.LogInAsync(c, "demo.entreprise"), "/entreprise");
            await PortalWorld.ChooseSchoolAsync(run.clients["contact"], DemoData.SchoolId);
            await run.SignInAsync("otherContact", c => PortalWorld.LogInAsync(c, otherContact), "/entreprise");
            await PortalWorld.ChooseSchoolAsync(run.clients["otherContact"], DemoData.SchoolId);
            await run.SignInAsync("staff", c => StaffAsync(c, "demo.ecole"), "/ecole/candidats");
            await run.SignInAsync("admin", c => StaffAsync(c, "demo.admin"), "/ecole/candidats");
            await run.SignInAsync("otherStaff", c => StaffAsync(c, "demo.cfa"), "/ecole/candidats");
            await run.ReadValuesAsync();
            return run;
        }

        private async Task SignInAsync(string actor, Func<HttpClient, Task>? signIn, string formPage)
        {
            var session = new CookieSession();
            var client = world.App.CreateDefaultClient(PasserelleFactory.Https, session);
            sessions[actor] = session;
            if (signIn is not null)
                await signIn(client);
            var (_, page) = await Browserless.GetAsync(client, formPage);
            tokens[actor] = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
                ?? throw new InvalidOperationException($"No form on {formPage} for {actor}");
            clients[actor] = client;
        }

        private static async Task StaffAsync(HttpClient client, string userName) => await PortalWorld.LogInStaffAsync(client, userName);

        private async Task ReadValuesAsync()
        {
            await using var db = world.Database.NewContext();
            db.ForSystem();
            var referrals = await (from r in db.Referrals.IgnoreQueryFilters()
                                   join c in db.Candidates.IgnoreQueryFilters() on r.CandidateId equals c.Id
                                   select new { r.Id, r.Version, c.FirstName, CandidateId = c.Id, r.ContactId, r.SchoolId }).ToListAsync();
            foreach (var r in referrals)
            {
                var name = r.FirstName.ToLowerInvariant().Replace("é", "e", StringComparison.Ordinal);
                values[name] = r.Id.ToString();
                values[name + "Version"] = r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
                values[name + "Candidate"] = r.CandidateId.ToString();
            }
            var documents = await db.Documents.IgnoreQueryFilters().ToListAsync();
            values["margaudCv"] = documents.Single(d => d.Title == "cv").Id.ToString();
            values["linaCv"] = documents.Single(d => d.Title == "CV_Lina").Id.ToString();
            values["guillaumeCv"] = documents.Single(d => d.Title == "CV_Guillaume").Id.ToString();
            values["offer"] = (await db.JobOffers.IgnoreQueryFilters().FirstAsync(o => o.SchoolId == DemoData.SchoolId)).Id.ToString();
            values["company"] = (await db.Companies.SingleAsync(c => c.Name == "Laboriosam Industries")).Id.ToString();
            values["contactId"] = DemoData.ContactId.ToString();
            values["school"] = DemoData.SchoolId.ToString();
            values["secondSchool"] = DemoData.SecondSchoolId.ToString();
            values["staffId"] = (await db.Staff.IgnoreQueryFilters().SingleAsync(s => s.UserName == "demo.ecole")).Id.ToString();
            values["otherStaffId"] = (await db.Staff.IgnoreQueryFilters().SingleAsync(s => s.UserName == "demo.cfa")).Id.ToString();
            values["mailId"] = (await db.OutboxMessages.FirstAsync()).Id.ToString();

            // A company only the second school works with.
            var other = new Company { Id = Guid.NewGuid(), Name = "Garonne Robotique", Siret = Seed.NextSiret(), CreatedAt = Seed.Now };
            db.Companies.Add(other);
            db.SchoolCompanies.Add(new SchoolCompany { SchoolId = DemoData.SecondSchoolId, CompanyId = other.Id, CreatedAt = Seed.Now });

            // Mail links as the outbox makes them (only the secret's hash is stored).
            var margaud = referrals.Single(r => r.FirstName == "Margaud");
            var guillaume = referrals.Single(r => r.FirstName == "Guillaume");
            string Link(string name, Guid referral, Guid school, Recipient recipient, Guid recipientId, LinkStep step, DateTimeOffset expires, DateTimeOffset? revoked = null)
            {
                var (id, hash, token) = SecretToken.Create();
                db.ActionLinks.Add(new ActionLink
                {
                    Id = id, SchoolId = school, ReferralId = referral, Recipient = recipient, RecipientId = recipientId, Step = step, SecretHash = hash,
                    CreatedAt = Seed.Now, ExpiresAt = expires, RevokedAt = revoked,
                });
                return values[name] = token;
            }
            var companyToken = Link("companyToken", margaud.Id, margaud.SchoolId, Recipient.CompanyContact, margaud.ContactId, LinkStep.Company, Seed.Now.AddDays(7));
            Link("offerToken", guillaume.Id, guillaume.SchoolId, Recipient.Candidate, guillaume.CandidateId, LinkStep.Offer, Seed.Now.AddDays(7));
            Link("expiredToken", margaud.Id, margaud.SchoolId, Recipient.CompanyContact, margaud.ContactId, LinkStep.Company, Seed.Now.AddDays(-1));
            Link("revokedToken", margaud.Id, margaud.SchoolId, Recipient.CompanyContact, margaud.ContactId, LinkStep.Company, Seed.Now.AddDays(7), Seed.Now);
            values["alteredToken"] = companyToken[..^2] + (companyToken[^2] == 'A' ? "B" : "A") + companyToken[^1];

            // The demo's push of Guillaume's profile to the demo contact, and a link of its mail.
            var pushed = await db.PushedProfiles.IgnoreQueryFilters().SingleAsync();
            values["pushed"] = pushed.Id.ToString();
            values["pushedVersion"] = pushed.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (pushLinkId, pushHash, pushToken) = SecretToken.Create();
            db.ActionLinks.Add(new ActionLink
            {
                Id = pushLinkId, SchoolId = pushed.SchoolId, PushedProfileId = pushed.Id, Recipient = Recipient.CompanyContact, RecipientId = pushed.ContactId,
                Step = LinkStep.Push, SecretHash = pushHash, CreatedAt = Seed.Now, ExpiresAt = Seed.Now.AddDays(7),
            });
            values["pushToken"] = pushToken;
            values["otherCompany"] = other.Id.ToString();

            var (setupId, setupHash, setupToken) = SecretToken.Create();
            db.AccountTokens.Add(new AccountToken
            {
                Id = setupId, AccountKind = AccountKind.CompanyContact, AccountId = DemoData.ContactId, Purpose = AccountTokenPurpose.PasswordReset,
                SecretHash = setupHash, CreatedAt = Seed.Now, ExpiresAt = Seed.Now.AddHours(1),
            });
            values["passwordToken"] = setupToken;
            await db.SaveChangesAsync();

            values["future"] = Seed.Now.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            values["past"] = Seed.Now.AddDays(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            values["script"] = "<script>alert(document.cookie)</script>";
            values["sql"] = "' OR 1=1; DROP TABLE referrals; --";
            values["crlf"] = "Durand\r\nBcc: victime@example.org";
            values["nul"] = "\u0000";
            values["pdfScript"] = "%PDF-1.4\n<html><script>alert(1)</script></html>";
            values["pdf"] = Encoding.Latin1.GetString(DemoPdf.Create("cv"));
            values["exe"] = "MZ\u0090\u0000\u0003";
            values["zipBomb"] = Encoding.Latin1.GetString(ZipBomb());
            values["nestedIfs"] = string.Concat(Enumerable.Repeat("{{#if candidat}}", 9)) + "x" + string.Concat(Enumerable.Repeat("{{/if}}", 9));
        }

        /// <summary>The text with its placeholders replaced: {name} from the values, {n} by n characters.</summary>
        public string Fill(string text, int index) => Placeholder().Replace(text, m =>
        {
            var key = m.Groups[1].Value;
            if (int.TryParse(key, out var length))
                return new string('x', length);
            if (key == "n")
                return index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return values.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"Unknown placeholder {{{key}}}");
        });

        public async Task<(int Status, string Body, string? Location)> SendAsync(HostileCorpus.HostileRequest request, int index)
        {
            if (request.As == "fresh")
            {
                // A browser of its own, for a request that signs in: the shared anonymous one stays anonymous.
                clients.Remove("fresh", out var previous);
                previous?.Dispose();
                await SignInAsync("fresh", null, Fill(request.Path, index));
            }
            var client = clients[request.As];
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), Fill(request.Path, index));
            // Each request from its own client address, so the per-address login limit does not decide the answer.
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.{100 + (index / 250)}.{1 + (index % 250)}");
            foreach (var (name, value) in request.Headers.Where(h => h.Key != "Content-Type"))
                message.Headers.TryAddWithoutValidation(name, Fill(value, index));
            if (request.Headers.TryGetValue("Content-Type", out var contentType))
            {
                message.Content = new StringContent("{\"UserName\":\"demo.entreprise\",\"Password\":\"x\"}", Encoding.UTF8, contentType);
            }
            else if (request.Method == "POST")
            {
                var fields = request.Form.ToDictionary(f => f.Key, f => Fill(f.Value, index));
                var token = request.Antiforgery switch
                {
                    "valid" => tokens[request.As],
                    "missing" => null,
                    "wrong" => "CfDJ8" + new string('A', 150),
                    var actor => tokens[actor],
                };
                if (token is not null)
                    fields["__RequestVerificationToken"] = token;
                if (request.File is { } file)
                {
                    var multipart = new MultipartFormDataContent();
                    foreach (var (name, value) in fields)
                        multipart.Add(new StringContent(value), name);
                    var content = new ByteArrayContent(FileBytes(Fill(file.Content, index)));
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                    multipart.Add(content, file.Field, Fill(file.Name, index));
                    message.Content = multipart;
                }
                else if (request.RawNul)
                {
                    var encoded = await new FormUrlEncodedContent(fields).ReadAsStringAsync();
                    message.Content = new StringContent(encoded.Replace("%00", "\0"), Encoding.UTF8, "application/x-www-form-urlencoded");
                }
                else
                {
                    message.Content = new FormUrlEncodedContent(fields);
                }
            }
            // Redirects are answers too: the corpus says 302 where the app redirects (a login page, a page after acting).
            sessions[request.As].FollowRedirects = false;
            try
            {
                using var response = await client.SendAsync(message);
                var location = response.Headers.Location is { } to ? (to.IsAbsoluteUri ? to.ToString() : to.OriginalString) : null;
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), location);
            }
            finally
            {
                sessions[request.As].FollowRedirects = true;
            }
        }

        public async Task<string> GetTextAsync(string actor, string path) => await clients[actor].GetStringAsync(path);

        /// <summary>A "DOCX" whose main part unpacks to 200 MB of zeros (a few hundred kilobytes packed).</summary>
        private static byte[] ZipBomb()
        {
            using var stream = new MemoryStream();
            using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            {
                using (var types = zip.CreateEntry("[Content_Types].xml").Open())
                    types.Write("<Types/>"u8);
                using var document = zip.CreateEntry("word/document.xml", System.IO.Compression.CompressionLevel.SmallestSize).Open();
                var zeros = new byte[1024 * 1024];
                for (var i = 0; i < 200; i++)
                    document.Write(zeros);
            }
            return stream.ToArray();
        }

        private static byte[] FileBytes(string content) => content.StartsWith("bytes:", StringComparison.Ordinal)
            ? new byte[int.Parse(content[6..], System.Globalization.CultureInfo.InvariantCulture)]
            : Encoding.Latin1.GetBytes(content);

        public ValueTask DisposeAsync()
        {
            foreach (var client in clients.Values)
                client.Dispose();
            return ValueTask.CompletedTask;
        }

        [GeneratedRegex(@"(?<!\{)\{([A-Za-z0-9]+)\}(?!\})")]
        private static partial Regex Placeholder();
    }
}
