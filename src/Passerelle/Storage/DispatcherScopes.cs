using Microsoft.EntityFrameworkCore;

namespace Passerelle.Storage;

/// <summary>
/// Service scopes for the outbox dispatcher, whose <see cref="PasserelleDb"/> works on connections of its own
/// (PostgreSQL: a pool under the application name "Passerelle (outbox)", <see cref="DatabaseOptions.DispatcherConnectionString"/>).
/// Why: PostgreSQL prepares and plans a statement on each connection that runs it. Spread over the pages' connections, the
/// dispatcher's query that reads a group of mails (nine tables: 130 ms to plan here, against 1 ms to run) was planned
/// dozens of times in each minute of the benchmark (bench/findings.md). On its few connections, with the settings of
/// <see cref="DatabaseOptions.DispatcherConnectionString"/>, it is planned a few times in the life of the process.
/// </summary>
public sealed class DispatcherScopes(IServiceScopeFactory scopes)
{
    /// <summary>The service key of the dispatcher's context factory (its pool of contexts, on its connection string).</summary>
    public const string Key = "outbox";

    public AsyncServiceScope CreateAsyncScope()
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ScopeConnections>().Dispatcher = true;
        return scope;
    }
}

/// <summary>Whose connections the scope's <see cref="PasserelleDb"/> uses: the pages' (the default) or the dispatcher's.</summary>
public sealed class ScopeConnections
{
    public bool Dispatcher { get; set; }
}
