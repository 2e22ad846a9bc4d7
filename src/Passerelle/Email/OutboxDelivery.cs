using Microsoft.EntityFrameworkCore;
using Passerelle.Hosting;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>
/// Delivers the outbox. A round claims due rows for a lease (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>, so any
/// number of instances share the queue; SQLite: one atomic conditional update), composes and sends each, then
/// marks it sent. A failure schedules a retry with exponential back-off; after the last attempt the row is
/// <see cref="OutboxState.Failed"/> with its error. A crash between sending and marking leaves the row claimed
/// until the lease ends, then it is sent again: at most one duplicate (same Message-ID), never a loss.
/// </summary>
public sealed class OutboxDelivery(
    IServiceScopeFactory scopes, IMailTransport transport, EmailOptions options, DatabaseOptions database,
    RequestsInFlight requests, PasserelleMetrics metrics, TimeProvider clock, ILogger<OutboxDelivery> logger)
{
    /// <summary>Who holds a claim; unique per delivery object.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    // Compiled: run for every mail (bench/findings.md, issue 17).
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<OutboxMessage?>>> ReadMessage = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) => db.OutboxMessages.AsNoTracking().SingleOrDefault(m => m.Id == id)));

    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<Schools.School>>> ReadSchool = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) => db.Schools.AsNoTracking().Single(s => s.Id == id)));

    /// <summary>Claims and delivers one batch; returns how many rows it claimed.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(clock.GetUtcNow(), ct);
        if (claimed.Count == 0)
            return 0;
        // Up to Parallelism mails at once, fewer while web requests are being served; looked at before each mail,
        // so the dispatcher steps aside within one mail's time when people arrive.
        var deliveries = new List<Task>(claimed.Count);
        foreach (var id in claimed)
        {
            while (deliveries.Count(d => !d.IsCompleted) >= Parallelism())
                await Task.WhenAny(deliveries.Where(d => !d.IsCompleted));
            ct.ThrowIfCancellationRequested();
            deliveries.Add(DeliverAsync(id, ct));
        }
        await Task.WhenAll(deliveries);
        return claimed.Count;
    }

    private int Parallelism() => requests.Count > 0 ? Math.Min(options.ParallelismUnderLoad, options.Parallelism) : options.Parallelism;

    private Task<List<Guid>> ClaimAsync(DateTimeOffset now, CancellationToken ct) =>
        WorkLeases.ClaimAsync(database, "outbox_messages", "", InstanceId, now, TimeSpan.FromSeconds(options.LeaseSeconds), options.BatchSize, ct);

    private async Task DeliverAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        var message = await ReadMessage.For(db)(db, id, ct);
        if (message is null || message.State != OutboxState.Pending || message.LockedBy != InstanceId)
            return;
        using var activity = Telemetry.Source.StartActivity("mail.deliver");
        activity?.SetTag("passerelle.mail.template", message.TemplateKey);
        activity?.SetTag("passerelle.mail.attempt", message.Attempts);
        activity?.SetTag("passerelle.referral.id", message.ReferralId?.ToString());

        var now = clock.GetUtcNow();
        // A claim covers a whole batch; once half its lease has gone, renew it before working on this row, so a slow
        // batch never lets another instance take the row while this one still sends it. (Before that, nobody else
        // can claim the row: renewing every row cost a round trip per mail for nothing.)
        if (message.LockedUntil is not { } lockedUntil || lockedUntil - now < TimeSpan.FromSeconds(options.LeaseSeconds / 2.0))
        {
            var leaseEnd = now.AddSeconds(options.LeaseSeconds);
            var stillMine = await db.OutboxMessages
                .Where(m => m.Id == id && m.LockedBy == InstanceId && m.LockedUntil > now && m.State == OutboxState.Pending)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.LockedUntil, leaseEnd), ct);
            if (stillMine == 0)
                return;
        }

        // A school notification the school turned off is kept as skipped, not sent.
        if (Referrals.TemplateKeys.SchoolMayMute.Contains(message.TemplateKey) && message.SchoolId is { } schoolId
            && (await ReadSchool.For(db)(db, schoolId, ct)).IsMuted(message.TemplateKey))
        {
            await SkipAsync(db, id, null);
            return;
        }

        ComposedMail? mail;
        string? problem;
        try
        {
            (mail, problem) = await scope.ServiceProvider.GetRequiredService<MailComposer>().ComposeAsync(message, now, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RetryLaterAsync(db, message, $"composition: {e.Message}", ct);
            return;
        }
        if (mail is null && problem is MailComposer.RecipientSwitchedOff or MailComposer.RecipientErased)
        {
            await SkipAsync(db, id, problem);
            return;
        }
        if (mail is null)
        {
            await FailAsync(db, message, problem!);
            return;
        }

        try
        {
            await transport.SendAsync(mail, ct);
        }
        catch (Exception e) when (e is FormatException or MailRejectedException)
        {
            // A malformed address, or the server's 5xx for this recipient or this message: no better with time.
            await FailAsync(db, message, e.Message);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RetryLaterAsync(db, message, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message, ct);
            return;
        }

        var sentAt = clock.GetUtcNow();
        await db.OutboxMessages.Where(m => m.Id == id && m.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.State, OutboxState.Sent)
            .SetProperty(m => m.SentAt, sentAt)
            .SetProperty(m => m.Subject, mail.Subject)
            .SetProperty(m => m.HtmlBody, mail.MaskedHtml)
            .SetProperty(m => m.TextBody, mail.MaskedText)
            .SetProperty(m => m.LastError, (string?)null)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
        metrics.MailSent(message.TemplateKey);
        activity?.SetTag("passerelle.mail.outcome", "sent");
        logger.LogInformation("Mail {MessageId} ({TemplateKey}) sent", message.MessageId, message.TemplateKey);
    }

    /// <summary>Kept as skipped, not sent: a notification the school muted, or a recipient it switched off (the reason kept).</summary>
    private async Task SkipAsync(PasserelleDb db, Guid id, string? reason)
    {
        System.Diagnostics.Activity.Current?.SetTag("passerelle.mail.outcome", "skipped");
        await db.OutboxMessages.Where(m => m.Id == id && m.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.State, OutboxState.Skipped)
            .SetProperty(m => m.LastError, reason)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
    }

    private async Task RetryLaterAsync(PasserelleDb db, OutboxMessage message, string error, CancellationToken ct)
    {
        if (message.Attempts >= options.MaxAttempts)
        {
            await FailAsync(db, message, error);
            return;
        }
        var delay = Math.Min(options.RetryMaxSeconds, options.RetryBaseSeconds * Math.Pow(2, message.Attempts - 1));
        var next = clock.GetUtcNow().AddSeconds(delay * (0.8 + (0.4 * Random.Shared.NextDouble())));
        await db.OutboxMessages.Where(m => m.Id == message.Id && m.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.LastError, Truncate(error))
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
        metrics.MailRetried(message.TemplateKey);
        System.Diagnostics.Activity.Current?.SetTag("passerelle.mail.outcome", "retry").SetStatus(System.Diagnostics.ActivityStatusCode.Error, error);
        logger.LogWarning("Mail {MessageId} ({TemplateKey}) not sent, attempt {Attempt} of {MaxAttempts}: {Error}. Next try at {Next:O}",
            message.MessageId, message.TemplateKey, message.Attempts, options.MaxAttempts, error, next);
    }

    private async Task FailAsync(PasserelleDb db, OutboxMessage message, string error)
    {
        // The school's platform hears of it (webhook "mail.failed") in the same transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var failed = await db.OutboxMessages.Where(m => m.Id == message.Id && m.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.State, OutboxState.Failed)
            .SetProperty(m => m.LastError, Truncate(error))
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
        if (failed > 0)
        {
            await Webhooks.WebhookEvents.AddMailFailedAsync(db.ForSystem(), message, Truncate(error), clock.GetUtcNow(), CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        await transaction.CommitAsync(CancellationToken.None);
        metrics.MailFailed(message.TemplateKey);
        System.Diagnostics.Activity.Current?.SetTag("passerelle.mail.outcome", "failed").SetStatus(System.Diagnostics.ActivityStatusCode.Error, error);
        logger.LogError("Mail {MessageId} ({TemplateKey}) failed for good after {Attempts} attempt(s): {Error}",
            message.MessageId, message.TemplateKey, message.Attempts, error);
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000];
}

/// <summary>Runs <see cref="OutboxDelivery"/> in the background: at once when this instance queued mail, else every poll interval.</summary>
public sealed class OutboxDispatcher(OutboxDelivery delivery, OutboxSignal signal, EmailOptions options, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await delivery.DispatchOnceAsync(stoppingToken) >= options.BatchSize)
                    continue;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The mail dispatcher could not read the outbox; it tries again shortly");
            }
            await signal.WaitAsync(poll, stoppingToken);
        }
    }
}
