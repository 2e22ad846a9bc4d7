using System.Globalization;

namespace Passerelle.Bench;

// dotnet Passerelle.Bench.dll generate "<PostgreSQL connection>" [schools] [referrals]
// dotnet Passerelle.Bench.dll run "<PostgreSQL connection to an admin database>" <published Passerelle.dll> [options]
// dotnet Passerelle.Bench.dll baseline <url>   (started by run: figure b's own host; connection in PASSERELLE_BASELINE_CONNECTION)
// (scripts/bench.sh does all of it on a throwaway PostgreSQL.)

/// <summary>The benchmark's command line (not top-level statements: the tests reference this assembly beside the app's Program).</summary>
public static class BenchCommand
{
    private const string Usage = """
        usage:
          generate <PostgreSQL connection string> [schools=500] [referrals=1000000]
          run <PostgreSQL admin connection string> <path to the published Passerelle.dll>
              [--results bench/results] [--referrals 1000000] [--schools 500] [--duration 15] [--warmup 5] [--server-warmup 40] [--connections 16] [--reuse] [--only s,a,b,c,d,e,f,g] [--smtp-port 25]
        """;

    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["baseline", var url]:
                await BaselineList.ServeAsync(url);
                return 0;
            case ["generate", var connectionString, ..]:
                await DataGenerator.RunAsync(connectionString, args.Length > 2 ? Number(args[2]) : 500, args.Length > 3 ? Number(args[3]) : 1_000_000, Console.Error);
                return 0;
            case ["run", var admin, var dll, .. var rest]:
                var settings = new BenchSettings(admin, Path.GetFullPath(dll), "bench/results");
                for (var i = 0; i < rest.Length; i++)
                {
                    string Value() => i + 1 < rest.Length ? rest[++i] : throw new ArgumentException($"{rest[i]} needs a value");
                    settings = rest[i] switch
                    {
                        "--results" => settings with { ResultsFolder = Value() },
                        "--referrals" => settings with { Referrals = Number(Value()) },
                        "--schools" => settings with { Schools = Number(Value()) },
                        "--duration" => settings with { DurationSeconds = Number(Value()) },
                        "--warmup" => settings with { WarmupSeconds = Number(Value()) },
                        "--server-warmup" => settings with { ServerWarmupSeconds = Number(Value()) },
                        "--connections" => settings with { Connections = Number(Value()) },
                        "--reuse" => settings with { Reuse = true },
                        "--only" => settings with { Only = Value() },
                        "--smtp-port" => settings with { SmtpPort = Number(Value()) },
                        var other => throw new ArgumentException($"unknown option {other}\n{Usage}"),
                    };
                }
                if (await BenchRun.RunAsync(settings, Console.Error) is { } report)
                {
                    Console.WriteLine(await File.ReadAllTextAsync(report));
                    Console.Error.WriteLine($"Report written to {report}");
                }
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
