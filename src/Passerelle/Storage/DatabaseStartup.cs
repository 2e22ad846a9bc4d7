using Passerelle.Demo;

namespace Passerelle.Storage;

/// <summary>
/// Runs before the web server listens: migrates the database when this process is meant to (the embedded
/// default), otherwise insists the schema is current; then adds the demo data when configured.
/// Any problem is a <see cref="StartupException"/>. Program runs it before starting the host so that the
/// problem is printed as one line; as a hosted service it also runs where Program's code does not (the test host).
/// </summary>
public sealed class DatabaseStartup(
    DatabaseOptions options, SchemaMigrator migrator, IServiceScopeFactory scopes, IHostEnvironment environment, ILogger<DatabaseStartup> logger)
    : IHostedService
{
    private readonly Lazy<Task> _run = new(() => RunAsync(options, migrator, scopes, environment, logger, CancellationToken.None));

    /// <summary>Prepares the database once, however many times it is asked.</summary>
    public Task EnsureReadyAsync() => _run.Value;

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => EnsureReadyAsync();

    private static async Task RunAsync(DatabaseOptions options, SchemaMigrator migrator, IServiceScopeFactory scopes, IHostEnvironment environment,
        ILogger logger, CancellationToken cancellationToken)
    {
        if (options.MigrateOnStartup)
        {
            var ran = await migrator.MigrateAsync(ct: cancellationToken);
            logger.LogInformation("{Database}: schema at version {Version} ({Ran} migration(s) applied now)",
                options.Describe(), migrator.Migrations.Count, ran);
        }
        else
        {
            var status = await migrator.GetStatusAsync(cancellationToken);
            if (status.StartRefusal(options.Describe()) is { } refusal)
                throw new StartupException(refusal);
        }

        if (environment.IsProduction())
        {
            await using var scope = scopes.CreateAsyncScope();
            await Passerelle.Hosting.ProductionChecks.CheckNoDemoAccountsAsync(scope.ServiceProvider.GetRequiredService<PasserelleDb>(), cancellationToken);
        }

        if (options.SeedDemoData)
        {
            await using var scope = scopes.CreateAsyncScope();
            var created = await DemoData.EnsureCreatedAsync(scope.ServiceProvider.GetRequiredService<PasserelleDb>(),
                scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(),
                scope.ServiceProvider.GetRequiredService<Passerelle.Candidates.DocumentStorage>(), cancellationToken);
            logger.LogInformation("Demo data {State}. Demo logins (password {Password}): {Logins}",
                created ? "created" : "present", DemoData.Password,
                string.Join(", ", DemoData.Logins.Select(l => $"{l.UserName} = {l.Who}")));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
