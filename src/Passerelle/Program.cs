using Passerelle.Hosting;
using Passerelle.Storage;

// The PDF check's child process (Candidates/PdfCheck.cs): no web host, just the file on standard input.
if (args is [Passerelle.Candidates.PdfCheck.Command])
    return Passerelle.Candidates.PdfCheck.RunChild(Console.OpenStandardInput());

try
{
    // Settings and assets come from beside the binary, whatever the working directory (which only places ./data/).
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddPasserelle();
    var app = builder.Build();

    if (args.Contains("migrate"))
    {
        // Production: `dotnet Passerelle.dll migrate` brings the database to this build's schema, then exits.
        var ran = await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        Console.WriteLine($"Database migrated: {ran} migration(s) applied.");
        return 0;
    }

    await app.Services.GetRequiredService<DatabaseStartup>().EnsureReadyAsync();
    if (args.FirstOrDefault() == Passerelle.Schools.CreateSchoolCommand.Name)
        return await Passerelle.Schools.CreateSchoolCommand.RunAsync(app.Services, args[1..], Console.Out, Console.Error);
    app.MapPasserelle();
    await app.RunAsync();
    return 0;
}
catch (StartupException e)
{
    foreach (var problem in e.Message.Split('\n'))
        Console.Error.WriteLine($"Passerelle cannot start: {problem}");
    return 1;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"Passerelle cannot start: {e.Message.Split('\n')[0]} Stop the other process or choose another address with --urls.");
    return 1;
}

public partial class Program;
