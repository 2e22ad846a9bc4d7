using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.Webhooks;

/// <summary>A school's endpoints: registered (secret shown once), rotated, disabled; a delivery sent again.</summary>
public sealed class WebhookEndpoints(PasserelleDb db, IDataProtectionProvider protection, WebhookOptions options, TimeProvider clock)
{
    private readonly IDataProtector protector = protection.CreateProtector("Passerelle.Webhooks.Secret");

    /// <summary>The secrets that sign now: the current one, and the previous ones during their overlap, newest first.</summary>
    public IReadOnlyList<string> Secrets(WebhookEndpoint endpoint, DateTimeOffset now) =>
        [protector.Unprotect(endpoint.Secret), .. Previous(endpoint, now).Select(protector.Unprotect)];

    /// <summary>The previous secrets still in their overlap (protected; <see cref="WebhookEndpoint.PreviousSecret"/> holds them space-separated).</summary>
    private static string[] Previous(WebhookEndpoint endpoint, DateTimeOffset now) =>
        endpoint.PreviousSecret is { } previous && endpoint.PreviousSecretUntil > now ? previous.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    public async Task<(WebhookEndpoint? Endpoint, string? Secret, string? Problem)> AddAsync(
        string? url, IReadOnlyCollection<string> events, string createdBy, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        if (WebhookAddresses.UrlProblem(url, options.AllowLoopback) is { } problem)
            return (null, null, problem);
        var known = WebhookEvents.Types.Select(t => t.Type).ToHashSet();
        var chosen = events.Contains(WebhookEndpoint.AllEvents) ? [WebhookEndpoint.AllEvents] : events.Where(known.Contains).Distinct().ToList();
        if (chosen.Count == 0)
            return (null, null, "Choisissez au moins un événement à recevoir.");
        var now = clock.GetUtcNow();
        var (address, wanted, since) = (url!.Trim(), string.Join(' ', chosen), now - SameFormAgain);
        // The form sent twice (a double click) adds one endpoint, and the second answer shows its secret again: the page
        // the browser keeps is that answer's, and an endpoint whose secret nobody saw could never be checked.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await Changes.Deactivations.LockSchoolAsync(db, ct);
        if (await db.WebhookEndpoints.AsNoTracking().Where(e => e.Url == address && e.Events == wanted && e.CreatedBy == createdBy && e.CreatedAt > since
                && e.DisabledAt == null && e.PreviousSecret == null).FirstOrDefaultAsync(ct) is { } just)
            return (just, protector.Unprotect(just.Secret), null);
        var secret = WebhookSigner.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = Guid.CreateVersion7(now), SchoolId = schoolId, Url = address, Events = wanted, Secret = protector.Protect(secret),
            CreatedAt = now, CreatedBy = createdBy,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (endpoint, secret, null);
    }

    /// <summary>The same endpoint (address and events) added by the same person this recently is the same form sent twice.</summary>
    public static readonly TimeSpan SameFormAgain = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A new secret, shown once; the one it replaces keeps signing (alongside) for 24 hours. Rotated again within those 24 hours
    /// (the new secret lost before it was set up), the secrets of the day all keep signing until 24 hours after the latest
    /// rotation — whichever the receiver holds, it keeps working — at most <see cref="MaxPreviousSecrets"/> of them.
    /// </summary>
    public async Task<string?> RotateAsync(Guid endpointId, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId && e.DisabledAt == null, ct);
        if (endpoint is null)
            return null;
        var now = clock.GetUtcNow();
        var secret = WebhookSigner.NewSecret();
        var previous = new[] { endpoint.Secret }.Concat(Previous(endpoint, now)).Take(MaxPreviousSecrets);
        (endpoint.PreviousSecret, endpoint.PreviousSecretUntil, endpoint.Secret) =
            (string.Join(' ', previous), now + WebhookEndpoint.RotationOverlap, protector.Protect(secret));
        await db.SaveChangesAsync(ct);
        return secret;
    }

    public const int MaxPreviousSecrets = 3;

    /// <summary>Stops the endpoint: no new deliveries, and the waiting ones fail at their next attempt.</summary>
    public async Task<bool> DisableAsync(Guid endpointId, CancellationToken ct) =>
        await db.WebhookEndpoints.Where(e => e.Id == endpointId && e.DisabledAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(e => e.DisabledAt, clock.GetUtcNow()), ct) > 0;

    /// <summary>"Renvoyer": the delivery goes again, now, with the same message id (receivers drop duplicates by it).</summary>
    public async Task<bool> ResendAsync(Guid deliveryId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.State != WebhookDeliveryState.Pending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.State, WebhookDeliveryState.Pending)
                .SetProperty(d => d.Attempts, 0)
                .SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(d => d.LockedBy, (string?)null), ct) > 0;
    }
}
