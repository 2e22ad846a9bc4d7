using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Passerelle.Api;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.CsvImports;

/// <summary>The operator's commands run as processes, as the README shows them: help, staff, API keys, imports.</summary>
[Trait(Category.Name, Category.Process)]
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("passerelle-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Development: the embedded SQLite database in the folder, with the demo schools.</summary>
    private static readonly Dictionary<string, string> Development = new() { ["ASPNETCORE_ENVIRONMENT"] = "Development" };

    private async Task<AppProcess> RunAsync(params string[] arguments)
    {
        var process = AppProcess.Start(_directory, arguments, Development);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return process;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public async Task Every_command_has_its_help()
    {
        foreach (var command in new[] { new[] { "--help" }, ["migrate", "--help"], ["create-school", "--help"], ["create-staff", "--help"], ["apikey", "--help"],
                     ["apikey", "create", "--help"], ["apikey", "list", "--help"], ["apikey", "revoke", "--help"], ["import", "candidates", "--help"], ["import", "offers", "--help"] })
        {
            await using var help = await RunAsync(command);
            (await help.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(0, string.Join(' ', command));
            help.StandardOutput.ShouldContain("Usage:", Case.Sensitive, string.Join(' ', command));
        }
        await using var mistyped = await RunAsync("apikey", "create", "--school", "Passerelle School", "--name", "ERP", "--created-bye", "x@example.org");
        (await mistyped.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(2, "a mistyped option is refused, not ignored");
        mistyped.StandardError.ShouldContain("Unknown option --created-bye");
        await using var missing = await RunAsync("apikey", "create", "--name", "ERP");
        (await missing.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(2, "a missing option is refused like a mistyped one");
        missing.StandardError.ShouldContain("Option '--school' is required.");
    }

    [Fact]
    public async Task A_key_created_on_the_command_line_works_until_it_is_revoked()
    {
        await using (var staff = await RunAsync("create-staff", "--school", "passerelle school", "--email", "Integration@Passerelle-School.example", "--admin",
                         "--last-name", "Robert", "--first-name", "Inès"))
        {
            (await staff.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(0, staff.StandardError);
            staff.StandardOutput.ShouldContain("Admin of Passerelle School: ROBERT Inès <integration@passerelle-school.example>");
        }
        await using var created = await RunAsync("apikey", "create", "--school", "Passerelle School", "--name", "ERP", "--created-by", "integration@passerelle-school.example");
        (await created.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(0, created.StandardError);
        var lines = Lines(created.StandardOutput);
        lines[^2].ShouldStartWith("Key \"ERP\" created for Passerelle School");
        lines[^2].ShouldContain("acting for ROBERT Inès");
        var key = lines[^1];
        key.ShouldMatch("^pas_[A-Za-z0-9_-]{43}$", "the key alone on the last line");
        created.StandardError.ShouldNotContain(key);

        var port = AppProcess.FreePort();
        var server = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}"], Development);
        await using (server)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            (await PollAsync(client, "/api/v1/offers")).ShouldBe(HttpStatusCode.OK, server.StandardError);

            await using var list = await RunAsync("apikey", "list", "--school", "Passerelle School");
            var row = Lines(list.StandardOutput).Single(l => l.Contains("\tERP\t", StringComparison.Ordinal)).Split('\t');
            (row[2], row[5]).ShouldBe(("ROBERT Inès", "active"));
            row[4].ShouldStartWith("last used ");

            await using var revoked = await RunAsync("apikey", "revoke", "--school", "Passerelle School", "--id", row[0]);
            (await revoked.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(0, revoked.StandardError);
            // Revoked by another process: the server reads the key in use again within ApiKeys.RecheckAfter.
            await Task.Delay(ApiKeys.RecheckAfter);
            (await client.GetAsync("/api/v1/offers")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        // Everything the server logged while the key was used and revoked: never the key.
        server.StandardOutput.ShouldNotContain(key);
        server.StandardError.ShouldNotContain(key);
        await using var unknown = await RunAsync("apikey", "revoke", "--school", "Passerelle School", "--id", Guid.NewGuid().ToString());
        (await unknown.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(2);
        await using var noSchool = await RunAsync("apikey", "list", "--school", "École inconnue");
        (await noSchool.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(2);
        noSchool.StandardError.ShouldContain("apikey list: no school is named \"École inconnue\". Schools: CFA des Métiers de Bordeaux, Passerelle School.");
    }

    [Fact]
    public async Task Import_prints_plain_progress_lines_a_summary_and_each_rejected_row_in_French()
    {
        var file = Path.Combine(_directory, "candidats.csv");
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        await File.WriteAllBytesAsync(file, Encoding.GetEncoding(1252).GetBytes(string.Join("\r\n",
            "Nom;Prénom;Courriel;Identifiant externe",
            "Hérault;Zoé;zoe@example.org;ETU-10",
            "Sans;Adresse;zoe-at-example.org;ETU-11",
            "\"Le Gall\";\"Anne\nMarie\";anne@example.org;ETU-12",
            "Doublon;Id;doublon@example.org;ETU-10") + "\r\n"));
        await using var import = await RunAsync("import", "candidates", "--school", "Passerelle School", file);
        (await import.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(1, "some rows were rejected");
        Lines(import.StandardOutput).ShouldBe(
        [
            "2/2 lignes écrites",
            "Créés : 2, mis à jour : 0, rejetés : 2.",
            "Ligne 3 : L'adresse e-mail n'est pas valide.",
            "Ligne 6 : L'identifiant externe « ETU-10 » figure déjà ligne 2 : une seule ligne par candidat.",
        ]);

        var offers = Path.Combine(_directory, "offres.csv");
        await File.WriteAllTextAsync(offers, "siret,intitulé,description,date de début\n901 234 567 00013,Alternance comptable,Deux ans,01/09/2027\n");
        await using var imported = await RunAsync("import", "offers", "--school", "Passerelle School", offers);
        (await imported.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(0, imported.StandardError);
        Lines(imported.StandardOutput)[^1].ShouldBe("Créés : 1, mis à jour : 0, rejetés : 0.");

        var rejected = Path.Combine(_directory, "rejetes.csv");
        await File.WriteAllTextAsync(rejected, "Nom;Prénom;E-mail\nSans;Adresse;pas-une-adresse\n");
        await using var none = await RunAsync("import", "candidates", "--school", "Passerelle School", rejected);
        (await none.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(2, "every row rejected: nothing could be imported");
        Lines(none.StandardOutput)[^2..].ShouldBe(["Créés : 0, mis à jour : 0, rejetés : 1.", "Ligne 2 : L'adresse e-mail n'est pas valide."]);

        await using var empty = await RunAsync("import", "candidates", "--school", "Passerelle School", offers);
        (await empty.WaitForExitAsync(TimeSpan.FromSeconds(5))).ShouldBe(2);
        empty.StandardError.ShouldContain("Rien n'a été importé : Colonne(s) manquante(s) : « nom », « prénom », « e-mail ».");
    }

    private static async Task<HttpStatusCode> PollAsync(HttpClient client, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return (await client.GetAsync(path)).StatusCode;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
