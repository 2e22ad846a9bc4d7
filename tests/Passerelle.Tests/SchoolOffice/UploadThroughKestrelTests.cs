using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Passerelle.Demo;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>
/// Kestrel holds every request body to 1 MB (RequestLimits); the document upload alone takes up to 10 MB. Checked
/// through a real server, since the in-memory test host enforces no body limit.
/// </summary>
public sealed partial class UploadThroughKestrelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("passerelle-upload-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_9_MB_document_is_stored_a_10_5_MB_one_is_refused_in_French_and_a_form_over_1_MB_gets_413()
    {
        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}"], new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitReadyAsync(client, app);

        var login = await client.GetStringAsync("/ecole/connexion");
        using (var signIn = await client.PostAsync("/ecole/connexion", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token(login), ["UserName"] = "demo.ecole", ["Password"] = DemoData.Password,
        })))
            signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var candidate = "/ecole/candidats/0193c2a0-0000-7000-8000-000000000401"; // TECHER Margaud in the demo
        var token = Token(await client.GetStringAsync(candidate));

        (await UploadAsync(client, candidate, token, Pdf(9 * 1024 * 1024))).ShouldBe(candidate);
        (await UploadAsync(client, candidate, token, Pdf((10 * 1024 * 1024) + (512 * 1024)))).ShouldBe($"{candidate}?refus=taille");
        WebUtility.HtmlDecode(await client.GetStringAsync($"{candidate}?refus=taille")).ShouldContain("Le fichier dépasse 10 Mo : rien n'a été enregistré.");

        using var oversized = await client.PostAsync("/ecole/connexion", new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = new string('x', 1200 * 1024) }));
        oversized.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await oversized.Content.ReadAsStringAsync()).ShouldContain("Le formulaire envoyé est trop volumineux");
    }

    private static async Task<string?> UploadAsync(HttpClient client, string candidate, string token, byte[] pdf)
    {
        using var body = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new StringContent("Cv"), "Kind" } };
        body.Add(new ByteArrayContent(pdf), "File", "cv.pdf");
        using var response = await client.PostAsync($"{candidate}/documents", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return response.Headers.Location?.OriginalString;
    }

    /// <summary>A one-page PDF of about <paramref name="size"/> bytes (its content stream padded with PDF comments).</summary>
    private static byte[] Pdf(int size)
    {
        var stream = new StringBuilder("BT /F1 12 Tf 72 760 Td (CV) Tj ET");
        while (stream.Length < size)
            stream.Append("\n% ").Append('x', 1000);
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {stream.Length} >>\nstream\n{stream}\nendstream", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    private static string Token(string page) => FormToken().Match(page).Groups[1].Value;

    private static async Task WaitReadyAsync(HttpClient client, AppProcess app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Passerelle did not start: {app.StandardError}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
