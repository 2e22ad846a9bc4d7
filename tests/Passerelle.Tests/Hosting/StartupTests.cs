using System.Net;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Hosting;

/// <summary>Passerelle started as a process, the way the README and an operator start it.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("passerelle-start-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_embedded_default_starts_migrated_with_the_demo_in_the_data_folder()
    {
        var port = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory, ["--urls", $"http://127.0.0.1:{port}"]);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var ready = await PollAsync(client, "/health/ready", TimeSpan.FromSeconds(60));

        ready.ShouldBe(HttpStatusCode.OK, app.StandardOutput + app.StandardError);
        File.Exists(Path.Combine(_directory, "data", "passerelle.db")).ShouldBeTrue();
        app.StandardOutput.ShouldContain("demo.entreprise");
        app.StandardOutput.ShouldContain("demo.ecole");
        app.StandardOutput.ShouldContain("demo.admin");
        (await client.GetAsync("/entreprise/connexion")).StatusCode.ShouldBe(HttpStatusCode.OK, "the login form renders in Production over plain http");
        (await client.GetAsync("/ecole/connexion")).StatusCode.ShouldBe(HttpStatusCode.OK);
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
    public async Task The_benchmark_s_baseline_page_is_refused_on_the_embedded_default()
    {
        await using var app = AppProcess.Start(_directory, ["--Benchmark:Baseline=true"]);

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exitCode.ShouldBe(1);
        OneLine(app.StandardError).ShouldBe(
            "Passerelle cannot start: Benchmark:Baseline is for the benchmark on PostgreSQL: turn it off or set Database:Provider to PostgreSQL.");
    }

    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_one_line_saying_what_to_fix()
    {
        var closedPort = AppProcess.FreePort();
        await using var app = AppProcess.Start(_directory,
            ["--Database:Provider=PostgreSQL", $"--Database:ConnectionString=Host=127.0.0.1;Port={closedPort};Username=passerelle;Password=secret;Database=passerelle;Timeout=5"]);

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
        string[] noAutoMigration = ["--Database:MigrateOnStartup=false", "--Database:SeedDemoData=false"];
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
    }

    private static string OneLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBe(1, text);
        return lines[0];
    }

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
