using Npgsql;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>
/// Mail queued on one instance wakes the dispatchers of the others at once (PostgreSQL's <c>LISTEN</c>/<c>NOTIFY</c>),
/// instead of waiting for their next poll: an instance that does not send mail itself (<c>Email:DispatcherEnabled=false</c>)
/// announces what it committed (<see cref="OutboxAnnouncer"/>), and every dispatcher listens (<see cref="OutboxListener"/>).
/// Anything else that writes the outbox may do the same: <c>NOTIFY passerelle_outbox</c> after its commit. The poll stays
/// as it was: a notification lost (a listener reconnecting) only delays mail until then.
/// </summary>
public static class OutboxNotifications
{
    public const string Channel = "passerelle_outbox";

    /// <summary>
    /// A connection of its own, outside the pool: a listening connection has session state (<c>LISTEN</c>) that a pooled one
    /// must not carry back (pooled connections are not reset, see <see cref="DatabaseOptions"/>).
    /// </summary>
    public static NpgsqlConnection OpenListening(DatabaseOptions database) =>
        new(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 30 }.ToString());
}

/// <summary>Wakes this instance's dispatcher when another instance (or anything else) announces mail on the channel.</summary>
public sealed class OutboxListener(DatabaseOptions database, OutboxSignal signal, ILogger<OutboxListener> logger) : BackgroundService
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = OutboxNotifications.OpenListening(database);
                connection.Notification += (_, _) => signal.Notify();
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {OutboxNotifications.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Mail may have come while nobody listened: look once.
                signal.Notify();
                while (true)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("The mail dispatcher stopped listening for other instances' mail ({Error}); it polls meanwhile and listens again in {Seconds} s",
                    e.Message, Pause.TotalSeconds);
            }
            try
            {
                await Task.Delay(Pause, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>
/// On an instance that sends no mail itself, announces to the dispatchers of the others each time its saves committed mail:
/// at most one <c>NOTIFY</c> per <see cref="Gap"/>, whatever the number of saves (the others read the whole queue when
/// woken). Sent on its own, after the commit: a <c>NOTIFY</c> inside the saving transaction would serialize commits.
/// </summary>
public sealed class OutboxAnnouncer(DatabaseOptions database, OutboxSignal signal, ILogger<OutboxAnnouncer> logger) : BackgroundService
{
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!await signal.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken))
                continue;
            try
            {
                await using var connection = (NpgsqlConnection)database.CreateConnection();
                await connection.OpenAsync(stoppingToken);
                await using var notify = new NpgsqlCommand($"NOTIFY {OutboxNotifications.Channel}", connection);
                await notify.ExecuteNonQueryAsync(stoppingToken);
                await Task.Delay(Gap, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The dispatchers' poll finds the mail anyway.
                logger.LogWarning("Queued mail could not be announced to the dispatching instances ({Error}); they find it on their next poll", e.Message);
            }
        }
    }
}
