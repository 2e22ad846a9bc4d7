using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Hosting;

/// <summary>
/// Logging:Format=Json (issue 17): Passerelle run as a process, its console read line by line through a whole loop — every
/// line is a JSON object, the deliveries' lines carry their trace id, and no line holds a link's token, a typed password or
/// the candidate's address.
/// </summary>
[Trait(Category.Name, Category.Process)]
public sealed partial class JsonLogTests : IDisposable
{
    private const string WrongPassword = "Zx9-pas-le-bon-mot-de-passe";
    private const string CandidateAddress = "lea.dupont@example.org";
    private readonly string _directory = Directory.CreateTempSubdirectory("passerelle-json-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Json_lines_carry_the_trace_id_and_never_a_token_a_password_or_a_candidates_address()
    {
        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}", "--Logging:Format=Json", "--Email:PollSeconds=0.2"],
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await app.WaitReadyAsync(client);

        // The demo's offer mail to Léa, its link opened and the offer accepted; a staff member mistypes a password.
        var offer = await MailAsync(m => m.To.Contains(CandidateAddress));
        var token = LinkToken().Match(offer.Text!).Groups[1].Value;
        token.ShouldNotBeEmpty();
        var (status, page) = await Browserless.GetAsync(client, $"/l/{token}");
        status.ShouldBe(HttpStatusCode.OK);
        (await Browserless.ReadAsync(await Browserless.SubmitAsync(client, page, "Accepter l'offre"))).Text().ShouldContain("accept");
        (await PortalWorld.TryLogInStaffAsync(client, "demo.ecole", WrongPassword)).Page.Text().ShouldContain("incorrect");
        // The company's mail follows, sent by the dispatcher.
        await MailAsync(m => m.Subject.StartsWith("Proposition de candidat", StringComparison.Ordinal));
        await Task.Delay(500);

        var output = app.StandardOutput;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBeGreaterThan(5);
        var entries = lines.Select(line => Should.NotThrow(() => JsonDocument.Parse(line), $"not a JSON line: {line}").RootElement).ToList();
        var sentLines = entries.Where(e => e.GetProperty("Category").GetString() == "Passerelle.Email.OutboxDelivery"
            && e.GetProperty("Message").GetString()!.Contains(" sent", StringComparison.Ordinal)).ToList();
        sentLines.Count.ShouldBeGreaterThanOrEqualTo(2);
        sentLines.ShouldAllBe(e => TraceId(e) != null, "each delivery's line says which trace it belongs to");
        foreach (var secret in new[] { token, WrongPassword, CandidateAddress })
            (output + app.StandardError).ShouldNotContain(secret, Case.Insensitive);
    }

    private static string? TraceId(JsonElement entry) =>
        entry.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Select(s => s.TryGetProperty("TraceId", out var id) ? id.GetString() : null).FirstOrDefault(id => id is { Length: 32 })
            : null;

    private async Task<SentMail> MailAsync(Func<SentMail, bool> which)
    {
        var folder = Path.Combine(_directory, "data", "mail");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.eml").Select(SentMail.Load).FirstOrDefault(which) is { } mail)
                return mail;
            await Task.Delay(200);
        }
        throw new TimeoutException($"No such mail in {folder}");
    }

    [GeneratedRegex(@"/l/([A-Za-z0-9_-]{20,})")]
    private static partial Regex LinkToken();
}
