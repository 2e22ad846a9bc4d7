using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Passerelle.Common;
using Passerelle.Hosting;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>
/// Delivers the outbox. A round claims due rows for a lease (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>, so any
/// number of instances share the queue; SQLite: one atomic conditional update), composes and sends each, then
/// marks it sent. A failure schedules a retry with exponential back-off; after the last attempt the row is
/// <see cref="OutboxState.Failed"/> with its error. A crash between sending and marking leaves the row claimed
/// until the lease ends, then it is sent again: at most one duplicate (same Message-ID), never a loss. The mails a
/// round sent are marked together, a few milliseconds after they left (<see cref="SentMarks"/>): one statement for
/// several mails; the dispatcher's rounds end only once they are marked.
/// </summary>
public sealed partial class OutboxDelivery(
    DispatcherScopes scopes, IMailTransport transport, EmailOptions options, DatabaseOptions database,
    RequestsInFlight requests, PasserelleMetrics metrics, TimeProvider clock, ILogger<OutboxDelivery> logger)
{
    /// <summary>Who holds a claim; unique per delivery object.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Claims and delivers one batch; returns how many rows it claimed.</summary>
    public Task<int> DispatchOnceAsync(CancellationToken ct) => DeliverRoundsAsync(untilShort: false, ct);

    /// <summary>
    /// Claims and delivers batches back to back until one comes short of <see cref="EmailOptions.BatchSize"/> (the queue is
    /// empty for now); returns how many rows it claimed in all. The next batch is claimed while the last mails of the one
    /// before are still being sent, so the SMTP connections never wait for the claim.
    /// </summary>
    public Task<int> DispatchWhileFullAsync(CancellationToken ct) => DeliverRoundsAsync(untilShort: true, ct);

    private async Task<int> DeliverRoundsAsync(bool untilShort, CancellationToken ct)
    {
        var marks = new SentMarks(this);
        var sending = new List<Task>();
        var total = 0;
        try
        {
            while (true)
            {
                var claimed = await ClaimAsync(clock.GetUtcNow(), ct);
                total += claimed.Count;
                if (claimed.Count > 0)
                    await StartRoundAsync(await ReadClaimedAsync(claimed, ct), sending, marks, ct);
                if (!untilShort || claimed.Count < options.BatchSize)
                    break;
                ForgetDone(sending);
            }
            await Task.WhenAll(sending);
        }
        finally
        {
            // When the rounds stop early (a failure, the process stopping), the mails already on their way end first, and
            // what went out is marked: fewer duplicates.
            await WaitUntilAtMostAsync(sending, () => 0, CancellationToken.None);
            await marks.CompleteAsync();
        }
        return total;
    }

    /// <summary>
    /// Starts sending a round's rows and returns once the last of them is on its way. Up to Parallelism mails at once, fewer
    /// while web requests are being served; looked at before each mail, so the dispatcher steps aside within one mail's time
    /// when people arrive. Once half of them have gone, the next group (as many as may go at once) is read and composed
    /// together, in two halves at once: one query and one insert per half instead of one of each per mail, ready when the
    /// slots free. A composed mail waits at most for the mails still being sent then (none with Parallelism 1).
    /// </summary>
    private async Task StartRoundAsync(List<OutboxMessage> rows, List<Task> sending, SentMarks marks, CancellationToken ct)
    {
        var next = 0;
        while (next < rows.Count)
        {
            await HalfFreeAsync(sending, ct);
            var group = rows.GetRange(next, Math.Min(Parallelism(), rows.Count - next));
            next += group.Count;
            var (composed, alone) = await ComposeInHalvesAsync(group, ct);
            foreach (var message in alone)
            {
                await FreeSlotAsync(sending, ct);
                sending.Add(DeliverAsync(message, marks, ct));
            }
            foreach (var (message, mail) in composed)
            {
                await FreeSlotAsync(sending, ct);
                sending.Add(SendAsync(message, mail, marks, ct));
            }
        }
    }

    /// <summary>Forgets the deliveries that ended, so the list stays as short as a round; rethrows what one of them threw.</summary>
    private static void ForgetDone(List<Task> sending)
    {
        if (sending.FirstOrDefault(d => d.IsFaulted || d.IsCanceled) is { } failed)
            failed.GetAwaiter().GetResult();
        sending.RemoveAll(d => d.IsCompleted);
    }

    private int Parallelism() => requests.Count > 0 ? Math.Min(options.ParallelismUnderLoad, options.Parallelism) : options.Parallelism;

    /// <summary>Waits until another mail may be sent.</summary>
    private Task FreeSlotAsync(List<Task> sending, CancellationToken ct) => WaitUntilAtMostAsync(sending, () => Parallelism() - 1, ct);

    /// <summary>Waits until half of the mails that may be sent at once, or fewer, are being sent.</summary>
    private Task HalfFreeAsync(List<Task> sending, CancellationToken ct) => WaitUntilAtMostAsync(sending, () => Parallelism() / 2, ct);

    private static async Task WaitUntilAtMostAsync(List<Task> sending, Func<int> busy, CancellationToken ct)
    {
        await InFlight.WaitUntilAtMostAsync(sending, busy);
        ct.ThrowIfCancellationRequested();
    }

    private Task<List<Guid>> ClaimAsync(DateTimeOffset now, CancellationToken ct) =>
        WorkLeases.ClaimAsync(database, "outbox_messages", "", InstanceId, now, TimeSpan.FromSeconds(options.LeaseSeconds), options.BatchSize, ct);

    /// <summary>
    /// The claimed rows, in the claim's order (oldest due first), read once for the round: what says how to compose each (its
    /// template, its referral, its school) never changes. What may (its data, its state, its claim) is read again just before
    /// composing.
    /// </summary>
    private async Task<List<OutboxMessage>> ReadClaimedAsync(List<Guid> claimed, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        var rows = (await db.OutboxMessages.AsNoTracking().Where(m => claimed.Contains(m.Id) && m.LockedBy == InstanceId).ToListAsync(ct))
            .ToDictionary(m => m.Id);
        return [.. claimed.Where(rows.ContainsKey).Select(id => rows[id])];
    }

    /// <summary>
    /// Composes a group in two halves at once, each with its query and its insert: composing waits on the database as much as
    /// it computes, and one group at a time left the SMTP connections waiting for it. A small group (fewer than
    /// <see cref="SmallestSplit"/> mails: the few sent at once while pages are served) is composed in one piece: there the
    /// dispatcher steps aside, and halves would only add statements.
    /// </summary>
    private async Task<(List<(OutboxMessage Message, ComposedMail Mail)> Composed, List<OutboxMessage> Alone)> ComposeInHalvesAsync(
        List<OutboxMessage> group, CancellationToken ct)
    {
        if (group.Count < SmallestSplit)
            return await ComposeGroupAsync(group, ct);
        var half = group.Count / 2;
        var first = ComposeGroupAsync(group.GetRange(0, half), ct);
        var second = ComposeGroupAsync(group.GetRange(half, group.Count - half), ct);
        await Task.WhenAll(first, second);
        return ([.. first.Result.Composed, .. second.Result.Composed], [.. first.Result.Alone, .. second.Result.Alone]);
    }

    private const int SmallestSplit = 8;

    /// <summary>
    /// Composes a group's referral mails together: their rows as they are now in one query, then the links they carry in
    /// one insert, saved before any of them leaves. The others (accounts, pushes, or a referral that is gone) are left to
    /// <see cref="DeliverAsync"/>, one by one.
    /// </summary>
    private async Task<(List<(OutboxMessage Message, ComposedMail Mail)> Composed, List<OutboxMessage> Alone)> ComposeGroupAsync(
        List<OutboxMessage> group, CancellationToken ct)
    {
        var referralMails = group.Where(MailComposer.IsReferralMail).ToList();
        var alone = group.Except(referralMails).ToList();
        var composed = new List<(OutboxMessage, ComposedMail)>();
        if (referralMails.Count == 0)
            return (composed, alone);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        var composer = scope.ServiceProvider.GetRequiredService<MailComposer>();
        var rows = await composer.ReadReferralMailsAsync([.. referralMails.Select(m => m.Id)], ct);
        var now = clock.GetUtcNow();
        var links = new List<ActionLink>();
        foreach (var claimed in referralMails)
        {
            if (!rows.TryGetValue(claimed.Id, out var row))
            {
                alone.Add(claimed);
                continue;
            }
            var message = row.Message;
            if (message.State != OutboxState.Pending || message.LockedBy != InstanceId)
                continue;
            if (await ComposeOrSetAsideAsync(db, message, () => composer.ComposeReferralAsync(row, now, ct), ct) is not { } ready)
                continue;
            if (ready.Link is not null)
                links.Add(ready.Link);
            composed.Add((message, ready.Mail));
        }
        if (links.Count > 0)
        {
            db.ForSystem();
            db.ActionLinks.AddRange(links);
            await db.SaveChangesAsync(ct);
        }
        return (composed, alone);
    }

    /// <summary>One mail read and composed alone, then sent.</summary>
    private async Task DeliverAsync(OutboxMessage claimed, SentMarks marks, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        var composer = scope.ServiceProvider.GetRequiredService<MailComposer>();
        var message = await composer.ReadAsync(claimed, ct);
        if (message is null || message.State != OutboxState.Pending || message.LockedBy != InstanceId)
            return;
        var ready = await ComposeOrSetAsideAsync(db, message, async () =>
        {
            var (mail, problem) = await composer.ComposeAsync(message, clock.GetUtcNow(), ct);
            return (mail, problem, (ActionLink?)null);
        }, ct);
        if (ready is { } composed)
            await SendAsync(message, composed.Mail, marks, ct);
    }

    /// <summary>
    /// Composes one mail; one that cannot be composed is set aside instead: tried again later when composing threw, else kept
    /// as skipped or failed (<see cref="NotSentAsync"/>). Returns the mail and the link it carries, or nothing.
    /// </summary>
    private async Task<(ComposedMail Mail, ActionLink? Link)?> ComposeOrSetAsideAsync(
        PasserelleDb db, OutboxMessage message, Func<Task<(ComposedMail? Mail, string? Problem, ActionLink? Link)>> compose, CancellationToken ct)
    {
        (ComposedMail? Mail, string? Problem, ActionLink? Link) result;
        try
        {
            result = await compose();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RetryLaterAsync(db, message, $"composition: {e.Message}", ct);
            return null;
        }
        if (result.Mail is null)
        {
            await NotSentAsync(db, message, result.Problem!);
            return null;
        }
        return (result.Mail, result.Link);
    }

    /// <summary>
    /// A mail that will not go: a school notification the school turned off, a recipient it switched off or erased, or the
    /// credentials of a contact who has a password by now, is kept as skipped; anything else fails at once (no better with time).
    /// </summary>
    private Task NotSentAsync(PasserelleDb db, OutboxMessage message, string problem) => problem switch
    {
        MailComposer.SchoolMuted => SkipAsync(db, message.Id, null),
        MailComposer.RecipientSwitchedOff or MailComposer.RecipientErased or MailComposer.PasswordAlreadyChosen => SkipAsync(db, message.Id, problem),
        _ => FailAsync(db, message, problem),
    };

    private async Task SendAsync(OutboxMessage message, ComposedMail mail, SentMarks marks, CancellationToken ct)
    {
        using var activity = Telemetry.Source.StartActivity("mail.deliver");
        activity?.SetTag("passerelle.mail.template", message.TemplateKey);
        activity?.SetTag("passerelle.mail.attempt", message.Attempts);
        activity?.SetTag("passerelle.referral.id", message.ReferralId?.ToString());

        var now = clock.GetUtcNow();
        // A claim covers a whole batch; once half its lease has gone, renew it before sending this row, so a slow batch
        // never lets another instance take the row while this one still sends it. (Before that, nobody else can claim
        // the row: renewing every row cost a round trip per mail for nothing.)
        if (message.LockedUntil is not { } lockedUntil || lockedUntil - now < TimeSpan.FromSeconds(options.LeaseSeconds / 2.0))
        {
            var leaseEnd = now.AddSeconds(options.LeaseSeconds);
            await using var scope = scopes.CreateAsyncScope();
            var stillMine = await scope.ServiceProvider.GetRequiredService<PasserelleDb>().OutboxMessages
                .Where(m => m.Id == message.Id && m.LockedBy == InstanceId && m.LockedUntil > now && m.State == OutboxState.Pending)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.LockedUntil, leaseEnd), ct);
            if (stillMine == 0)
                return;
        }

        try
        {
            await transport.SendAsync(mail, ct);
        }
        catch (Exception e) when (e is FormatException or MailRejectedException)
        {
            // A malformed address, or the server's 5xx for this recipient or this message: no better with time.
            await using var scope = scopes.CreateAsyncScope();
            await FailAsync(scope.ServiceProvider.GetRequiredService<PasserelleDb>(), message, e.Message);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await using var scope = scopes.CreateAsyncScope();
            await RetryLaterAsync(scope.ServiceProvider.GetRequiredService<PasserelleDb>(), message,
                e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message, ct);
            return;
        }
        marks.Add(new SentMail(message, clock.GetUtcNow(), mail));
        metrics.MailSent(message.TemplateKey);
        activity?.SetTag("passerelle.mail.outcome", "sent");
        logger.LogInformation("Mail {MessageId} ({TemplateKey}) sent", message.MessageId, message.TemplateKey);
    }

    private sealed record SentMail(OutboxMessage Message, DateTimeOffset SentAt, ComposedMail Mail);

    /// <summary>
    /// Marks the mails of one round sent, several per statement: each mail that leaves is queued here, and a writer marks
    /// what came within <see cref="Pause"/> of the first (or <see cref="MostPerStatement"/>), then waits for the next.
    /// Marking one at a time cost a round trip to the database per mail (bench/findings.md, issue 17).
    /// </summary>
    private sealed class SentMarks
    {
        private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(5);
        private const int MostPerStatement = 64;
        private readonly Channel<SentMail> _queue = Channel.CreateUnbounded<SentMail>();
        private readonly Task _writer;

        public SentMarks(OutboxDelivery delivery) => _writer = Task.Run(() => WriteAsync(delivery));

        public void Add(SentMail mail) => _queue.Writer.TryWrite(mail);

        /// <summary>Marks what is left at once and returns when everything added is marked (or could not be: logged).</summary>
        public Task CompleteAsync()
        {
            _queue.Writer.TryComplete();
            return _writer;
        }

        private async Task WriteAsync(OutboxDelivery delivery)
        {
            var reader = _queue.Reader;
            var batch = new List<SentMail>(MostPerStatement);
            while (await reader.WaitToReadAsync())
            {
                using (var pause = new CancellationTokenSource(Pause))
                {
                    try
                    {
                        do
                        {
                            while (batch.Count < MostPerStatement && reader.TryRead(out var mail))
                                batch.Add(mail);
                        }
                        while (batch.Count < MostPerStatement && await reader.WaitToReadAsync(pause.Token));
                    }
                    catch (OperationCanceledException)
                    {
                        // The pause is over: mark what came.
                    }
                }
                await delivery.MarkSentAsync(batch);
                batch.Clear();
            }
        }
    }

    /// <summary>
    /// Keeps each mail's copy (links masked) and marks it sent, if this instance still holds it. PostgreSQL: one statement
    /// for all; SQLite (in the process, no round trip): one per mail, in one transaction. A failure is logged: the mails
    /// stay claimed and go again once the lease ends (the documented duplicate).
    /// </summary>
    private async Task MarkSentAsync(List<SentMail> sent)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
            var marked = 0;
            if (database.Provider == DatabaseProvider.PostgreSQL)
            {
                var ids = sent.Select(s => s.Message.Id).ToArray();
                var sentAt = sent.Select(s => s.SentAt).ToArray();
                var subjects = sent.Select(s => s.Mail.Subject).ToArray();
                var html = sent.Select(s => s.Mail.MaskedHtml).ToArray();
                var text = sent.Select(s => s.Mail.MaskedText).ToArray();
                marked = await db.Database.ExecuteSqlAsync($"""
                    UPDATE outbox_messages AS m
                    SET state = 'Sent', sent_at = v.sent_at, subject = v.subject, html_body = v.html_body, text_body = v.text_body,
                        last_error = NULL, locked_until = NULL, locked_by = NULL
                    FROM unnest({ids}, {sentAt}, {subjects}, {html}, {text}) AS v(id, sent_at, subject, html_body, text_body)
                    WHERE m.id = v.id AND m.locked_by = {InstanceId}
                    """, CancellationToken.None);
            }
            else
            {
                await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
                foreach (var (message, sentAt, mail) in sent)
                {
                    marked += await db.OutboxMessages.Where(m => m.Id == message.Id && m.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
                        .SetProperty(m => m.State, OutboxState.Sent)
                        .SetProperty(m => m.SentAt, sentAt)
                        .SetProperty(m => m.Subject, mail.Subject)
                        .SetProperty(m => m.HtmlBody, mail.MaskedHtml)
                        .SetProperty(m => m.TextBody, mail.MaskedText)
                        .SetProperty(m => m.LastError, (string?)null)
                        .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                        .SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
                }
                await transaction.CommitAsync(CancellationToken.None);
            }
            // The embedded delivery: a mail an erasure took back while it was being written (its claim gone, its row skipped or
            // made anonymous to go again) leaves no copy in the folder — the erasure deleted the copies there before this one was
            // written, with the name. One sent again later is written again; one another instance marked sent keeps its copy.
            // Looked for only when some mail of the batch could not be marked.
            if (options.Delivery == MailDelivery.Folder && marked < sent.Count)
            {
                var ids = sent.Select(s => s.Message.Id).ToList();
                FolderMailTransport.Forget(options, await db.OutboxMessages.Where(m => ids.Contains(m.Id) && m.State != OutboxState.Sent)
                    .Select(m => m.MessageId).ToListAsync(CancellationToken.None));
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Count} mail(s) went out but could not be marked sent; they go again once their claim ends", sent.Count);
        }
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

    /// <summary>
    /// A mail that may go later (the server down or refusing for now, composition that threw): tried again after a delay that
    /// doubles up to an hour, until <see cref="EmailOptions.RetryHours"/> have passed since its first failure; then failed.
    /// </summary>
    private async Task RetryLaterAsync(PasserelleDb db, OutboxMessage message, string error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var failingSince = message.FailingSince ?? now;
        if (now - failingSince >= TimeSpan.FromHours(options.RetryHours))
        {
            await FailAsync(db, message, error);
            return;
        }
        var delay = Math.Min(options.RetryMaxSeconds, options.RetryBaseSeconds * Math.Pow(2, Math.Min(message.Attempts - 1, 30)));
        var next = now.AddSeconds(delay * (0.8 + (0.4 * Random.Shared.NextDouble())));
        await db.OutboxMessages.Where(m => m.Id == message.Id && m.LockedBy == InstanceId).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.NextAttemptAt, next)
            .SetProperty(m => m.FailingSince, failingSince)
            .SetProperty(m => m.LastError, Truncate(error))
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
        metrics.MailRetried(message.TemplateKey);
        var shown = WithoutAddresses(error);
        System.Diagnostics.Activity.Current?.SetTag("passerelle.mail.outcome", "retry").SetStatus(System.Diagnostics.ActivityStatusCode.Error, shown);
        logger.LogWarning("Mail {MessageId} ({TemplateKey}) not sent, attempt {Attempt}, failing since {FailingSince:O}: {Error}. Next try at {Next:O}",
            message.MessageId, message.TemplateKey, message.Attempts, failingSince, shown, next);
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
        var shown = WithoutAddresses(error);
        System.Diagnostics.Activity.Current?.SetTag("passerelle.mail.outcome", "failed").SetStatus(System.Diagnostics.ActivityStatusCode.Error, shown);
        logger.LogError("Mail {MessageId} ({TemplateKey}) failed for good after {Attempts} attempt(s): {Error}",
            message.MessageId, message.TemplateKey, message.Attempts, shown);
    }

    /// <summary>
    /// An SMTP server's reply as the logs and traces carry it: servers quote the recipient ("550 5.1.1 &lt;lea@…&gt;: no such
    /// user"), and no log holds a person's address. The row keeps the reply whole, for the school's failed-mails page.
    /// </summary>
    internal static string WithoutAddresses(string error) => Address().Replace(error, "(address)");

    [System.Text.RegularExpressions.GeneratedRegex(@"[^\s<>()\[\]""',;:@]+@[^\s<>()\[\]""',;:@]+")]
    private static partial System.Text.RegularExpressions.Regex Address();

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
                await delivery.DispatchWhileFullAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The mail dispatcher could not read the outbox; it tries again shortly");
            }
            await signal.WaitAsync(poll, stoppingToken);
        }
    }
}
