using System.Net;
using Microsoft.EntityFrameworkCore;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Hosting;

/// <summary>Passerelle started as a process, the way the README and an operator start it.</summary>
[Trait(Category.Name, Category.Process)]
public sealed class StartupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("passerelle-start-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>What <c>dotnet run --project src/Passerelle</c> does: launchSettings.json sets Development.</summary>
    private static readonly Dictionary<string, string> Development = new() { ["ASPNETCORE_ENVIRONMENT"] = "Development" };

    /// <summary>A Production instance configured as the README says: SMTP, https links (no SMTP server is needed to start).</summary>
    private static readonly string[] ProductionSettings =
        ["--Email:Delivery=Smtp", "--Email:SmtpHost=127.0.0.1", "--Email:PublicBaseUrl=https://passerelle.example"];

    [Fact]
    public async Task The_embedded_default_starts_migrated_with_the_demo_in_the_data_folder_in_Development()
    {
        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}"], Development);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var ready = await PollAsync(client, "/health/ready", TimeSpan.FromSeconds(60));

        ready.ShouldBe(HttpStatusCode.OK, app.StandardOutput + app.StandardError);
        File.Exists(Path.Combine(_directory, "data", "passerelle.db")).ShouldBeTrue();
        app.StandardOutput.ShouldContain("demo.entreprise");
        app.StandardOutput.ShouldContain("demo.ecole");
        app.StandardOutput.ShouldContain("demo.admin");
        var login = await client.GetAsync("/entreprise/connexion");
        login.StatusCode.ShouldBe(HttpStatusCode.OK, "the login form renders in Development over plain http");
        login.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("passerelle.af=", StringComparison.Ordinal));
        (await client.GetAsync("/ecole/connexion")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Production_refuses_the_embedded_default_s_mail_folder_and_http_links_one_line_each()
    {
        await using var app = AppProcess.Start(_directory, ["--Database:SeedDemoData=true"]);

        (await app.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);

        Lines(app.StandardError).ShouldBe(
        [
            "Passerelle cannot start: Email:Delivery is Folder (mail written to a local folder) in Production: set Email:Delivery=Smtp and Email:SmtpHost.",
            "Passerelle cannot start: Email:PublicBaseUrl 'http://127.0.0.1:5080' is not https in Production: links in mails carry tokens, give the public https address.",
            "Passerelle cannot start: Database:SeedDemoData=true in Production: the demo accounts' password is published, turn it off.",
        ]);
        File.Exists(Path.Combine(_directory, "data", "passerelle.db")).ShouldBeFalse("nothing was touched");
    }

    [Fact]
    public async Task Production_refuses_a_database_that_holds_the_demo_accounts()
    {
        await using (var demo = AppProcess.Start(_directory, ["migrate"], Development))
            (await demo.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, demo.StandardError);
        var port = AppProcess.FreePort();
        await using (var seeded = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}"], Development))
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            (await PollAsync(client, "/health/ready", TimeSpan.FromSeconds(60))).ShouldBe(HttpStatusCode.OK, seeded.StandardError);
        }

        await using var app = AppProcess.Start(_directory, ProductionSettings);

        (await app.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
        OneLine(app.StandardError).ShouldBe("Passerelle cannot start: Demo accounts in the database in Production " +
            "(demo.admin, demo.cfa, demo.ecole, demo.entreprise, password published in the README): start on a database without the demo data.");
    }

    [Fact]
    public async Task Production_starts_without_demo_serves_secure_cookies_and_its_first_admin_comes_from_create_school()
    {
        var created = AppProcess.Start(_directory,
            ["create-school", "--name", "CFA de l'Adour", "--admin-email", "Directrice@CFA-Adour.example", "--admin-last-name", "Etcheverry",
             "--admin-first-name", "Maite", .. ProductionSettings]);
        await using (created)
            (await created.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, created.StandardError);
        created.StandardOutput.ShouldContain("School created: CFA de l'Adour");
        created.StandardOutput.ShouldContain("First admin: ETCHEVERRY Maite <directrice@cfa-adour.example>, login directrice@cfa-adour.example.");
        created.StandardOutput.ShouldContain("The same invitation is queued by mail to directrice@cfa-adour.example.");
        var link = created.StandardOutput.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("https://passerelle.example/ecole/mot-de-passe/", StringComparison.Ordinal));

        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}", "--Email:DispatcherEnabled=false", .. ProductionSettings]);
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        (await PollAsync(client, "/health/ready", TimeSpan.FromSeconds(60))).ShouldBe(HttpStatusCode.OK, app.StandardError);
        app.StandardOutput.ShouldNotContain("demo.");
        app.StandardOutput.ShouldContain("are stored unencrypted in the database: set DataProtection:CertificatePath");

        // Behind a TLS-terminating load balancer (loopback is a known proxy): the cookies are Secure and __Host- named.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(link).PathAndQuery);
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var page = await client.SendAsync(request);
        page.StatusCode.ShouldBe(HttpStatusCode.OK, "the printed link opens the page that chooses the password");
        (await page.Content.ReadAsStringAsync()).ShouldContain("directrice@cfa-adour.example");
        var cookie = page.Headers.GetValues("Set-Cookie").Single(c => c.Contains("passerelle.af", StringComparison.Ordinal));
        cookie.ShouldStartWith("__Host-passerelle.af=");
        cookie.ShouldContain("secure");
        page.Headers.GetValues("Strict-Transport-Security").Single().ShouldStartWith("max-age=");

        await using var db = new Passerelle.Storage.PasserelleDb(new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<Passerelle.Storage.PasserelleDb>()
            .UseSqlite($"Data Source={Path.Combine(_directory, "data", "passerelle.db")};Pooling=false").Options);
        (await db.OutboxMessages.Select(m => new { m.TemplateKey, m.ToAddress }).SingleAsync())
            .ShouldBe(new { TemplateKey = Passerelle.Referrals.TemplateKeys.StaffCredentials, ToAddress = (string?)"directrice@cfa-adour.example" });
        (await db.Staff.IgnoreQueryFilters().CountAsync()).ShouldBe(1, "no demo account outside Development");

        await using var again = AppProcess.Start(_directory, ["create-school", "--name", "Autre", "--admin-email", "directrice@cfa-adour.example", .. ProductionSettings]);
        (await again.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(2);
        again.StandardError.ShouldContain("create-school: a Passerelle École account already uses directrice@cfa-adour.example");
    }

    [Fact]
    public async Task An_unknown_provider_stops_start_up_with_one_line_saying_what_to_fix()
    {
        await using var app = AppProcess.Start(_directory, ["--Database:Provider=Oracle"]);

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exitCode.ShouldBe(1);
        OneLine(app.StandardError).ShouldBe("Passerelle cannot start: Unknown database provider 'Oracle': set Database:Provider to Sqlite or PostgreSQL.");
    }

    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_one_line_saying_what_to_fix()
    {
        var closedPort = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory,
            ["--Database:Provider=PostgreSQL", $"--Database:ConnectionString=Host=127.0.0.1;Port={closedPort};Username=passerelle;Password=secret;Database=passerelle;Timeout=5",
             .. ProductionSettings]);

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exitCode.ShouldBe(1);
        var line = OneLine(app.StandardError);
        line.ShouldStartWith($"Passerelle cannot start: Cannot reach the PostgreSQL database 'passerelle' on 127.0.0.1:{closedPort}");
        line.ShouldContain("Check Database:ConnectionString");
        line.ShouldNotContain("secret");
        app.StandardOutput.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task A_database_that_is_not_migrated_stops_start_up_until_the_migrate_command_ran()
    {
        string[] noAutoMigration = ["--Database:MigrateOnStartup=false", .. ProductionSettings];
        var latest = Passerelle.Storage.SchemaMigrator.Load(Passerelle.Storage.DatabaseProvider.Sqlite).Count;
        await using (var refused = AppProcess.Start(_directory, noAutoMigration))
        {
            (await refused.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
            OneLine(refused.StandardError).ShouldContain($"is at schema version 0, this Passerelle needs {latest}: run `dotnet Passerelle.dll migrate`");
        }

        await using (var migrate = AppProcess.Start(_directory, ["migrate", .. noAutoMigration]))
        {
            (await migrate.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, migrate.StandardError);
            migrate.StandardOutput.ShouldContain($"Database migrated: {latest} migration(s) applied.");
        }

        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}", .. noAutoMigration]);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        (await PollAsync(client, "/health/ready", TimeSpan.FromSeconds(60))).ShouldBe(HttpStatusCode.OK, app.StandardError);

        // The next release's `migrate` runs: this instance stays in the load balancer until it is replaced (Degraded, 200);
        // another of this version does not start on the newer database, with or without migrating on start-up.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "data", "passerelle.db")};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ({latest + 1}, 'next_release', 'c0ffee', '2026-12-04T18:00:00.0000000+00:00')";
            await command.ExecuteNonQueryAsync();
        }
        var ready = await client.GetAsync("/health/ready");
        (ready.StatusCode, await ready.Content.ReadAsStringAsync()).ShouldBe((HttpStatusCode.OK, "Degraded"));
        foreach (var settings in new[] { noAutoMigration, ProductionSettings })
        {
            await using var older = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{AppProcess.FreePort()}", .. settings]);
            (await older.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
            OneLine(older.StandardError).ShouldContain($"is at schema version {latest + 1} but this Passerelle knows only up to {latest}: deploy the newer version.");
        }
    }

    private static string OneLine(string text)
    {
        var lines = Lines(text);
        lines.Length.ShouldBe(1, text);
        return lines[0];
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task<HttpStatusCode?> PollAsync(HttpClient client, string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                return (await client.GetAsync(path)).StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }
        return null;
    }
}
