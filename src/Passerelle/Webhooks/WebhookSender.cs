using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Passerelle.Common;
using Passerelle.Storage;

namespace Passerelle.Webhooks;

/// <summary>
/// Delivers the webhook deliveries, the way <see cref="Email.OutboxDelivery"/> delivers mail but on its own: a round claims due
/// rows for a lease (PostgreSQL <c>FOR UPDATE SKIP LOCKED</c>, so instances share the queue), leaving out any delivery whose
/// referral has an earlier one still waiting for the same endpoint — so each endpoint receives a referral's events in order,
/// even after a receiver was down. Each is POSTed, signed, with a timeout; a 2xx marks it sent, anything else schedules a retry
/// with exponential back-off, and after the last attempt it is failed. The status and the time taken are kept for the log.
/// </summary>
public sealed class WebhookSender(IServiceScopeFactory scopes, WebhookOptions options, DatabaseOptions database, TimeProvider clock, ILogger<WebhookSender> logger)
    : IDisposable
{
    public const string UserAgent = "Passerelle-Webhooks/1";

    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        // Through a proxy, the address checked at connection would be the proxy's, not the endpoint's.
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
        ConnectCallback = (context, ct) => WebhookAddresses.ConnectAsync(context, options.AllowLoopback, ct),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public string InstanceId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Claims and delivers one batch; returns how many it claimed.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(clock.GetUtcNow(), ct);
        var running = new List<Task>(claimed.Count);
        foreach (var id in claimed)
        {
            await InFlight.WaitUntilAtMostAsync(running, () => options.Parallelism - 1);
            running.Add(DeliverAsync(id, ct));
        }
        await Task.WhenAll(running);
        return claimed.Count;
    }

    /// <summary>Delivers until nothing is due (the tests' way to run the dispatcher).</summary>
    public async Task<int> DispatchAllDueAsync(CancellationToken ct = default)
    {
        var total = 0;
        int round;
        while ((round = await DispatchOnceAsync(ct)) > 0)
            total += round;
        return total;
    }

    /// <summary>Due deliveries, leaving out any whose referral has an earlier one still waiting for the same endpoint.</summary>
    private Task<List<Guid>> ClaimAsync(DateTimeOffset now, CancellationToken ct) =>
        WorkLeases.ClaimAsync(database, "webhook_deliveries", """
            AND NOT EXISTS (
                SELECT 1 FROM webhook_deliveries e
                WHERE e.state = 'Pending' AND e.endpoint_id = d.endpoint_id AND e.referral_id = d.referral_id AND e.event_sequence < d.event_sequence)
            """, InstanceId, now, TimeSpan.FromSeconds(options.LeaseSeconds), options.BatchSize, ct);

    private async Task DeliverAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        var delivery = await db.WebhookDeliveries.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
        if (delivery is null || delivery.LockedBy != InstanceId || delivery.State != WebhookDeliveryState.Pending)
            return;
        using var activity = Hosting.Telemetry.Source.StartActivity("webhook.deliver");
        activity?.SetTag("passerelle.webhook.event", delivery.EventType);
        activity?.SetTag("passerelle.webhook.attempt", delivery.Attempts);
        activity?.SetTag("passerelle.referral.id", delivery.ReferralId?.ToString());
        var endpoint = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().SingleAsync(e => e.Id == delivery.EndpointId, ct);
        if (endpoint.DisabledAt is not null)
        {
            await FinishAsync(db, delivery, WebhookDeliveryState.Failed, null, null, "Point d'accès désactivé : rien n'a été envoyé.");
            return;
        }

        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.MessageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.UserAgent.ParseAdd(UserAgent);

        var watch = Stopwatch.StartNew();
        int? status = null;
        string? error = null;
        try
        {
            // A secret that can no longer be read (the data-protection keys lost) is an attempt that failed, counted like
            // the others, not an exception that would leave the delivery claimed and retried forever.
            request.Headers.TryAddWithoutValidation("webhook-signature",
                WebhookSigner.Header(scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().Secrets(endpoint, now), delivery.MessageId, timestamp, delivery.Payload));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                error = $"Réponse HTTP {status}.";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"Pas de réponse en {options.TimeoutSeconds} s.";
        }
        catch (HttpRequestException e)
        {
            error = $"Connexion impossible : {e.Message}";
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            error = "Le secret de signature ne peut plus être lu : renouvelez-le dans Intégrations.";
        }
        var duration = (int)watch.ElapsedMilliseconds;
        activity?.SetTag("http.response.status_code", status);
        if (error is not null)
            activity?.SetStatus(ActivityStatusCode.Error, error);
        if (error is null)
        {
            await FinishAsync(db, delivery, WebhookDeliveryState.Sent, status, duration, null);
            return;
        }
        if (delivery.Attempts >= options.MaxAttempts)
        {
            await FinishAsync(db, delivery, WebhookDeliveryState.Failed, status, duration, error);
            logger.LogWarning("Webhook {MessageId} ({EventType}) failed for good after {Attempts} attempts: {Error}", delivery.MessageId, delivery.EventType, delivery.Attempts, error);
            return;
        }
        var delay = Math.Min(options.RetryMaxSeconds, options.RetryBaseSeconds * Math.Pow(2, delivery.Attempts - 1));
        var next = clock.GetUtcNow().AddSeconds(delay * (0.8 + (0.4 * Random.Shared.NextDouble())));
        await db.WebhookDeliveries.IgnoreQueryFilters().Where(d => d.Id == delivery.Id && d.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.LastStatus, status)
            .SetProperty(d => d.LastDurationMs, duration)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(d => d.LockedBy, (string?)null), CancellationToken.None);
        logger.LogInformation("Webhook {MessageId} ({EventType}) not delivered, attempt {Attempt}: {Error}. Next try at {Next:O}",
            delivery.MessageId, delivery.EventType, delivery.Attempts, error, next);
    }

    private async Task FinishAsync(PasserelleDb db, WebhookDelivery delivery, WebhookDeliveryState state, int? status, int? duration, string? error)
    {
        var now = clock.GetUtcNow();
        await db.WebhookDeliveries.IgnoreQueryFilters().Where(d => d.Id == delivery.Id && d.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
            .SetProperty(d => d.State, state)
            .SetProperty(d => d.SentAt, state == WebhookDeliveryState.Sent ? now : null)
            .SetProperty(d => d.LastStatus, status)
            .SetProperty(d => d.LastDurationMs, duration)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(d => d.LockedBy, (string?)null), CancellationToken.None);
    }

    public void Dispose() => http.Dispose();
}

/// <summary>Runs <see cref="WebhookSender"/> in the background, apart from the mail dispatcher.</summary>
public sealed class WebhookDispatcher(WebhookSender sender, WebhookOptions options, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await sender.DispatchOnceAsync(stoppingToken) >= options.BatchSize)
                    continue;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The webhook dispatcher could not read its queue; it tries again shortly");
            }
            await Task.Delay(TimeSpan.FromSeconds(options.PollSeconds), stoppingToken);
        }
    }
}
