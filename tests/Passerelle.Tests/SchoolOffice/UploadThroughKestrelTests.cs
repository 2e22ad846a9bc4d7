using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Passerelle.Candidates;
using Passerelle.Demo;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>
/// Kestrel holds every request body to 1 MB (RequestLimits); the document upload alone takes up to 10 MB. Checked
/// through a real server, since the in-memory test host enforces no body limit.
/// </summary>
[Trait(Category.Name, Category.Process)]
public sealed partial class UploadThroughKestrelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("passerelle-upload-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_document_of_exactly_10_MB_is_stored_one_byte_more_is_refused_in_French_and_a_form_over_1_MB_gets_413()
    {
        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await app.WaitReadyAsync(client);

        var login = await client.GetStringAsync("/ecole/connexion");
        using (var signIn = await client.PostAsync("/ecole/connexion", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(login), ["UserName"] = "demo.ecole", ["Password"] = DemoData.Password,
        })))
            signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var candidate = "/ecole/candidats/0193c2a0-0000-7000-8000-000000000401"; // TECHER Margaud in the demo
        var token = Token(await client.GetStringAsync(candidate));

        var atTheLimit = DemoPdf.OfSize("CV a la limite", 10 * 1024 * 1024);
        atTheLimit.Length.ShouldBe((int)DocumentUpload.MaxBytes);
        (await UploadAsync(client, candidate, token, atTheLimit, "cv-a-la-limite.pdf")).ShouldBe(candidate);
        WebUtility.HtmlDecode(await client.GetStringAsync(candidate)).ShouldContain("cv-a-la-limite");

        var oneByteOver = DemoPdf.OfSize("CV trop grand", (10 * 1024 * 1024) + 1);
        oneByteOver.Length.ShouldBe((int)DocumentUpload.MaxBytes + 1);
        (await UploadAsync(client, candidate, token, oneByteOver, "cv-trop-grand.pdf")).ShouldBe($"{candidate}?refus=taille");
        var refused = WebUtility.HtmlDecode(await client.GetStringAsync($"{candidate}?refus=taille"));
        refused.ShouldContain("Le fichier dépasse 10 Mo : rien n'a été enregistré.");
        refused.ShouldNotContain("cv-trop-grand");

        using var oversized = await client.PostAsync("/ecole/connexion", new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = new string('x', 1200 * 1024) }));
        oversized.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await oversized.Content.ReadAsStringAsync()).ShouldContain("Le formulaire envoyé est trop volumineux");
    }

    private static async Task<string?> UploadAsync(HttpClient client, string candidate, string token, byte[] pdf, string fileName)
    {
        using var body = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new StringContent("Cv"), "Kind" } };
        body.Add(new ByteArrayContent(pdf), "File", fileName);
        using var response = await client.PostAsync($"{candidate}/documents", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return response.Headers.Location?.OriginalString;
    }

    private static string Token(string page) => FormToken().Match(page).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
