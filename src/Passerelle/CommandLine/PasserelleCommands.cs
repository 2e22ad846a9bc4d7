using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Passerelle.Api;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.CommandLine;

/// <summary>
/// <c>dotnet Passerelle.dll &lt;command&gt;</c> (or <c>dotnet run --project src/Passerelle -- &lt;command&gt;</c>): the operator's
/// commands, each with <c>--help</c>. They run against the configured database (the same settings as the server: appsettings,
/// environment, <c>--Database:Provider=…</c>) and exit; without a command Passerelle serves.
/// </summary>
public static class PasserelleCommands
{
    private static readonly string[] Names = ["migrate", CreateSchoolCommand.Name, CreateStaffCommand.Name, ApiKeyCommands.Name, CsvImports.ImportCommands.Name, "--help", "-h", "-?", "--version"];

    /// <summary>Whether these arguments name a command (else they are the server's settings).</summary>
    public static bool Handles(IReadOnlyList<string> args) => args.Count > 0 && Names.Contains(args[0]);

    /// <summary>Parses and runs the command; <paramref name="host"/> builds the app (its services, its database) when one needs it.</summary>
    public static async Task<int> RunAsync(string[] args, Func<WebApplication> host)
    {
        var root = new RootCommand("Passerelle : la mise en relation entre les centres de formation, leurs candidats et les entreprises. " +
            "Sans commande, Passerelle démarre le serveur.");
        WebApplication? app = null;
        IServiceProvider Services() => (app ??= host()).Services;

        var migrate = new Command("migrate", "Bring the database to this build's schema, then exit (production: before starting the new version).");
        migrate.SetAction(async (_, ct) =>
        {
            var ran = await Services().GetRequiredService<SchemaMigrator>().MigrateAsync(ct: ct);
            Console.WriteLine($"Database migrated: {ran} migration(s) applied.");
            return 0;
        });
        root.Add(migrate);
        root.Add(CreateSchoolCommand.Build(Ready));
        root.Add(CreateStaffCommand.Build(Ready));
        root.Add(ApiKeyCommands.Build(Ready));
        root.Add(CsvImports.ImportCommands.Build(Ready));
        foreach (var command in root.Subcommands.Append(root).Concat(root.Subcommands.SelectMany(c => c.Subcommands)))
            command.TreatUnmatchedTokensAsErrors = false; // the server's settings (--Database:Provider=…) may follow

        try
        {
            var parse = root.Parse(args);
            if (UnknownOption(parse.UnmatchedTokens) is { } unknown)
            {
                await Console.Error.WriteLineAsync($"Unknown option {unknown}: see --help. (Settings are given as --Section:Key=value.)");
                return 2;
            }
            // A usage error (a required option missing, a bad value) exits 2 like a mistyped option, not 1 (1 means "some
            // rows were rejected" to `import`).
            if (parse.Action is not System.CommandLine.Help.HelpAction && parse.Errors.Count > 0)
            {
                foreach (var error in parse.Errors)
                    await Console.Error.WriteLineAsync(error.Message);
                await Console.Error.WriteLineAsync("See --help.");
                return 2;
            }
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        finally
        {
            if (app is not null)
                await app.DisposeAsync();
        }

        // A command that reads or writes data first checks the database is at this build's schema.
        async Task<IServiceProvider> Ready(CancellationToken ct)
        {
            var services = Services();
            await services.GetRequiredService<DatabaseStartup>().EnsureReadyAsync();
            return services;
        }
    }

    private static readonly string[] HostOptions = ["--urls", "--environment", "--contentRoot", "--applicationName"];

    /// <summary>
    /// A token the command does not know and that is not one of the server's settings (<c>--Database:Provider=…</c>,
    /// <c>--urls …</c>): a mistyped option, refused rather than ignored.
    /// </summary>
    private static string? UnknownOption(IReadOnlyList<string> unmatched)
    {
        for (var i = 0; i < unmatched.Count; i++)
        {
            var token = unmatched[i];
            if (!token.StartsWith('-'))
                return token;
            var name = token.Split('=')[0];
            if (!name.Contains(':', StringComparison.Ordinal) && !HostOptions.Contains(name, StringComparer.OrdinalIgnoreCase))
                return token;
            if (!token.Contains('=', StringComparison.Ordinal))
                i++; // its value follows
        }
        return null;
    }

    /// <summary>A school named on the command line, by its name (any case) or its id; null with the reason written.</summary>
    public static async Task<School?> SchoolAsync(PasserelleDb db, string nameOrId, TextWriter error, string command, CancellationToken ct)
    {
        var text = nameOrId.Trim();
        var schools = Guid.TryParse(text, out var id)
            ? await db.Schools.Where(s => s.Id == id).ToListAsync(ct)
            : await db.Schools.Where(s => s.Name.ToLower() == text.ToLower()).ToListAsync(ct);
        if (schools.Count == 1)
            return schools[0];
        await error.WriteLineAsync(schools.Count == 0
            ? $"{command}: no school is named \"{text}\". Schools: {string.Join(", ", await db.Schools.OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(ct))}."
            : $"{command}: several schools are named \"{text}\": give its id instead ({string.Join(", ", schools.Select(s => s.Id))}).");
        return null;
    }
}
