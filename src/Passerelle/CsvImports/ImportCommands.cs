using System.CommandLine;
using Passerelle.CommandLine;
using Passerelle.Storage;
using Spectre.Console;

namespace Passerelle.CsvImports;

/// <summary>
/// <c>import candidates|offers --school … &lt;file.csv&gt;</c>: the importer of the page "Importer" from the command line. A progress
/// bar on a terminal, plain lines otherwise; then the summary (created, updated, rejected) and each rejected row with its line
/// and the reason, in French. Exit code 0 when every row was imported, 1 when some were rejected, 2 when nothing could be (every row rejected, or
/// the file unreadable).
/// </summary>
public static class ImportCommands
{
    public const string Name = "import";

    public static Command Build(Func<CancellationToken, Task<IServiceProvider>> services)
    {
        var command = new Command(Name, "Import candidates or offers from a CSV file (\";\" or \",\", UTF-8 or Windows-1252, a header row).");
        command.Add(Kind(services, ImportKind.Candidates, "candidates",
            "Candidates: columns nom, prénom, e-mail, téléphone (optional), identifiant externe (optional: a known one updates the candidate)."));
        command.Add(Kind(services, ImportKind.Offers, "offers",
            "Offers: columns SIRET (a company of the school), intitulé, description, lieu, date de début (JJ/MM/AAAA), active (oui/non), identifiant externe."));
        return command;
    }

    private static Command Kind(Func<CancellationToken, Task<IServiceProvider>> services, ImportKind kind, string name, string description)
    {
        var school = new Option<string>("--school") { Description = "The school, by its name or its id.", Required = true };
        var file = new Argument<FileInfo>("file") { Description = "The CSV file." };
        var command = new Command(name, description) { school, file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"import {name}: no file {path.FullName}.");
                return 2;
            }
            await using var scope = (await services(ct)).CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            if (await PasserelleCommands.SchoolAsync(db, parse.GetValue(school)!, Console.Error, $"import {name}", ct) is not { } found)
                return 2;
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(path.FullName, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Open in another program that locks it, no permission: said, not a stack trace.
                await Console.Error.WriteLineAsync($"Rien n'a été importé : le fichier {path.FullName} ne peut être lu ({e.Message}).");
                return 2;
            }
            // A fresh context for the school: the one that found it worked across schools.
            await using var schoolDb = scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<PasserelleDb>>().CreateDbContext();
            schoolDb.ForSchool(found.Id);
            var plan = await Importer.CheckAsync(schoolDb, kind, content, ct);
            if (plan.Problem is not null)
            {
                await Console.Error.WriteLineAsync($"Rien n'a été importé : {plan.Problem}");
                return 2;
            }
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            var total = plan.ToCreate + plan.ToUpdate;
            ImportReport report;
            if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                report = null!;
                await AnsiConsole.Progress().StartAsync(async context =>
                {
                    var task = context.AddTask($"Import dans {found.Name}", maxValue: Math.Max(1, total));
                    report = await Importer.RunAsync(schoolDb, plan, ImportedBy.CommandLine, now, new Progress<int>(done => task.Value = done), ct);
                    task.Value = task.MaxValue;
                });
            }
            else
            {
                var progress = new SynchronousProgress(done => Console.WriteLine($"{done}/{total} lignes écrites"));
                report = await Importer.RunAsync(schoolDb, plan, ImportedBy.CommandLine, now, progress, ct);
            }
            if (report.Problem is not null)
            {
                await Console.Error.WriteLineAsync(report.Problem);
                return 2;
            }
            Console.WriteLine($"Créés : {report.Created}, mis à jour : {report.Updated}, rejetés : {report.Rejected.Count}.");
            foreach (var rejected in report.Rejected)
                Console.WriteLine($"Ligne {rejected.Line} : {rejected.Reason}");
            return report.Rejected.Count == 0 ? 0 : report.Created + report.Updated == 0 ? 2 : 1;
        });
        return command;
    }

    /// <summary>Reports on the writing thread, in order (<see cref="Progress{T}"/> posts to the thread pool: lines could come late or mixed).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
