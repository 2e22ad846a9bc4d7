using Passerelle.Hosting;
using Passerelle.Storage;

// The PDF check's child process (Candidates/PdfCheck.cs): no web host, just the file on standard input.
if (args is [Passerelle.Candidates.PdfCheck.Command])
    return Passerelle.Candidates.PdfCheck.RunChild(Console.OpenStandardInput());

try
{
    // Settings and assets come from beside the binary, whatever the working directory (which only places ./data/).
    WebApplication Build(bool command)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // A command's standard output is its result (a key on its last line, an import's report): logs go to standard error.
        if (command)
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddPasserelle();
        return builder.Build();
    }

    // migrate, create-school, apikey… (CommandLine/PasserelleCommands.cs): run, then exit.
    if (Passerelle.CommandLine.PasserelleCommands.Handles(args))
        return await Passerelle.CommandLine.PasserelleCommands.RunAsync(args, () => Build(command: true));

    var app = Build(command: false);
    await app.Services.GetRequiredService<DatabaseStartup>().EnsureReadyAsync();
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
