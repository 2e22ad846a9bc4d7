using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.PersonalData;

/// <summary>
/// Storage limitation (RGPD): each school keeps its candidates <see cref="Schools.School.RetentionMonths"/> months after their
/// last activity (created, a document added, a referral moved). 30 days before, the candidate is warned by mail
/// (<see cref="TemplateKeys.CandidateRetentionWarning"/>, unless the school turned it off); at the date — and never less than
/// 30 days after their warning, so that a school that starts the job with old data, or shortens its period, warns before it
/// erases — they are erased (<see cref="Erasure"/>). Every step is claimed in the database, so several instances running the
/// job at once warn and erase each candidate once.
/// </summary>
public sealed class Retention(IServiceScopeFactory scopes, TimeProvider clock, ILogger<Retention> logger)
{
    public static readonly TimeSpan WarningAhead = TimeSpan.FromDays(30);

    public const string Expired = "La durée de conservation des données fixée par l'école est écoulée.";

    /// <summary>Who the timeline names for an erasure by the job.</summary>
    public static readonly Actor Job = Actor.Staff(Guid.Empty, "Passerelle (durée de conservation)");

    public async Task<(int Warned, int Erased)> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<(Guid Id, int Months, bool Warn)> schools;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            schools = [.. (await db.Schools.AsNoTracking().Select(s => new { s.Id, s.RetentionMonths, s.RetentionWarning }).ToListAsync(ct))
                .Select(s => (s.Id, s.RetentionMonths, s.RetentionWarning))];
        }
        var (warned, erased) = (0, 0);
        foreach (var school in schools)
        {
            var months = Math.Max(Schools.School.MinimumRetentionMonths, school.Months);
            var candidates = await LastActivityAsync(school.Id, ct);
            foreach (var (candidateId, last, warnedAt) in candidates)
            {
                var due = last.AddMonths(months);
                // Warned about this activity (not an older one) long enough ago, or the school does not warn.
                var warnedInTime = !school.Warn || (warnedAt is { } at && at >= last && at <= now - WarningAhead);
                if (due <= now && warnedInTime)
                {
                    try
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(school.Id);
                        if (await scope.ServiceProvider.GetRequiredService<Erasure>().EraseCandidateAsync(candidateId, Job, null, Expired, ct, lastActivity: last) is not null)
                            erased++;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // One candidate's failure does not stop the others'; tomorrow's run tries again.
                        logger.LogError(e, "Retention: candidate {CandidateId} could not be erased", candidateId);
                    }
                }
                else if (school.Warn && due <= now + WarningAhead && (warnedAt is null || warnedAt < last))
                {
                    if (await WarnAsync(school.Id, candidateId, last, due > now + WarningAhead ? due : now + WarningAhead, now, ct))
                        warned++;
                }
            }
        }
        if (warned > 0 || erased > 0)
            logger.LogInformation("Retention: {Warned} candidate(s) warned, {Erased} erased after the schools' retention period", warned, erased);
        return (warned, erased);
    }

    /// <summary>
    /// The contacts and staff members switched off for longer than the period (<see cref="AccountErasure"/>): a staff member by
    /// their school's period; a contact, shared, once every school they worked with switched them off, each for longer than its
    /// own period. No warning: they receive no mail any more. Returns how many were erased.
    /// </summary>
    public async Task<int> EraseSwitchedOffAccountsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        Dictionary<Guid, int> months;
        List<(Guid Id, Guid SchoolId, DateTimeOffset Since)> staff;
        List<IGrouping<Guid, (Guid SchoolId, DateTimeOffset? Since)>> contacts;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            months = await db.Schools.AsNoTracking().ToDictionaryAsync(s => s.Id, s => Math.Max(Schools.School.MinimumRetentionMonths, s.RetentionMonths), ct);
            staff = [.. (await db.Staff.IgnoreQueryFilters().AsNoTracking().Where(s => s.DeactivatedAt != null && s.ErasedAt == null)
                .Select(s => new { s.Id, s.SchoolId, s.DeactivatedAt }).ToListAsync(ct)).Select(s => (s.Id, s.SchoolId, s.DeactivatedAt!.Value))];
            contacts = [.. (await (from link in db.SchoolContacts.IgnoreQueryFilters()
                                   join contact in db.CompanyContacts.IgnoreQueryFilters() on link.ContactId equals contact.Id
                                   where contact.ErasedAt == null
                                   select new { link.ContactId, link.SchoolId, link.DeactivatedAt }).AsNoTracking().ToListAsync(ct))
                .Select(l => (l.ContactId, (l.SchoolId, l.DeactivatedAt))).GroupBy(l => l.ContactId, l => l.Item2)];
        }
        bool Expired(Guid schoolId, DateTimeOffset? since) => since is { } at && at.AddMonths(months[schoolId]) <= now;

        var erased = 0;
        async Task EraseAsync(string what, Guid id, Guid? schoolId, Func<AccountErasure, Task<bool>> erase)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
                if (schoolId is { } school)
                    db.ForSchool(school);
                else
                    db.ForSystem();
                if (await erase(scope.ServiceProvider.GetRequiredService<AccountErasure>()))
                    erased++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Retention: {What} {Id} could not be erased", what, id);
            }
        }
        foreach (var (id, schoolId, since) in staff.Where(s => Expired(s.SchoolId, s.Since)))
            await EraseAsync("staff member", id, schoolId, a => a.EraseStaffAsync(id, ct));
        foreach (var contact in contacts.Where(c => c.All(l => Expired(l.SchoolId, l.Since))))
            await EraseAsync("company contact", contact.Key, null, a => a.EraseContactAsync(contact.Key, ct));
        if (erased > 0)
            logger.LogInformation("Retention: {Erased} contact(s) and staff member(s) switched off for longer than the retention period erased", erased);
        return erased;
    }

    /// <summary>How long the API's answers are remembered for an <c>Idempotency-Key</c> (a retry comes within minutes).</summary>
    public static readonly TimeSpan IdempotentAnswersKept = TimeSpan.FromHours(24);

    /// <summary>How long a webhook delivery is kept once delivered or failed (the Intégrations page shows the latest ones).</summary>
    public static readonly TimeSpan FinishedDeliveriesKept = TimeSpan.FromDays(30);

    public const string CandidateErased = "Le candidat a été effacé.";

    /// <summary>
    /// The open referrals of erased candidates, cancelled as their erasure cancels the others: one proposed between its checks and its
    /// save while the candidate was being erased is saved after the erasure looked (proposals do not wait for erasures, which are
    /// rare, to stay fast). Returns how many were cancelled.
    /// </summary>
    public async Task<int> CancelReferralsOfErasedCandidatesAsync(CancellationToken ct)
    {
        List<(Guid SchoolId, Guid CandidateId)> left;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            left = [.. (await (from r in db.Referrals.IgnoreQueryFilters()
                               where r.CancelledAt == null && r.Outcome == null
                               join c in db.Candidates.IgnoreQueryFilters() on r.CandidateId equals c.Id
                               where c.ErasedAt != null
                               select new { r.SchoolId, r.CandidateId }).Distinct().ToListAsync(ct))
                .Select(r => (r.SchoolId, r.CandidateId))];
        }
        var cancelled = 0;
        foreach (var (schoolId, candidateId) in left)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(schoolId);
                cancelled += await scope.ServiceProvider.GetRequiredService<Erasure>().CancelOpenReferralsAsync(candidateId, CandidateErased, Job);
                // The proposal's remembered API answer, stored after the erasure looked, still names them: their name is gone from
                // their row, so it cannot be scrubbed any more; it goes (a retry of that request is refused: the candidate is erased).
                var id = candidateId.ToString();
                await db.IdempotentRequests.Where(r => r.Response.Contains(id)).ExecuteDeleteAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One candidate's failure does not stop the others'; tomorrow's run tries again.
                logger.LogError(e, "Retention: the referrals of erased candidate {CandidateId} could not be cancelled", candidateId);
            }
        }
        if (cancelled > 0)
            logger.LogInformation("Retention: {Cancelled} referral(s) of erased candidates cancelled", cancelled);
        return cancelled;
    }

    /// <summary>
    /// What the integrations leave behind, kept no longer than it serves (their payloads name candidates): the API's remembered
    /// answers after <see cref="IdempotentAnswersKept"/>, webhook deliveries delivered or failed after
    /// <see cref="FinishedDeliveriesKept"/> (a pending one is still to deliver, in order). Returns how many rows went.
    /// </summary>
    public async Task<(int Answers, int Deliveries)> SweepIntegrationsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var answersBefore = now - IdempotentAnswersKept;
        var deliveriesBefore = now - FinishedDeliveriesKept;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
        var answers = await db.IdempotentRequests.IgnoreQueryFilters().Where(r => r.CreatedAt < answersBefore).ExecuteDeleteAsync(ct);
        var deliveries = await db.WebhookDeliveries.IgnoreQueryFilters()
            // Not one sent again lately ("renvoyer" makes an old delivery due now): it is kept as long as a new one.
            .Where(d => d.State != Webhooks.WebhookDeliveryState.Pending && d.CreatedAt < deliveriesBefore && d.NextAttemptAt < deliveriesBefore)
            .ExecuteDeleteAsync(ct);
        if (answers > 0 || deliveries > 0)
            logger.LogInformation("Retention: {Answers} remembered API answer(s) and {Deliveries} finished webhook deliveries removed", answers, deliveries);
        return (answers, deliveries);
    }

    /// <summary>Each candidate not erased yet, with their last activity and when they were last warned.</summary>
    private async Task<List<(Guid Id, DateTimeOffset Last, DateTimeOffset? WarnedAt)>> LastActivityAsync(Guid schoolId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(schoolId);
        var candidates = await db.Candidates.AsNoTracking().Where(c => c.ErasedAt == null)
            .Select(c => new { c.Id, c.CreatedAt, c.RetentionWarnedAt }).ToListAsync(ct);
        // Read as rows and reduced here: the latest of several dates is not translated alike on both providers.
        var last = candidates.ToDictionary(c => c.Id, c => c.CreatedAt);
        void Seen(Guid id, DateTimeOffset at)
        {
            if (last.TryGetValue(id, out var known) && at > known)
                last[id] = at;
        }
        foreach (var r in await db.Referrals.AsNoTracking().Select(r => new { r.CandidateId, r.UpdatedAt }).ToListAsync(ct))
            Seen(r.CandidateId, r.UpdatedAt);
        foreach (var d in await db.Documents.AsNoTracking().Select(d => new { d.CandidateId, d.UploadedAt }).ToListAsync(ct))
            Seen(d.CandidateId, d.UploadedAt);
        return [.. candidates.Select(c => (c.Id, last[c.Id], c.RetentionWarnedAt))];
    }

    /// <summary>Queues the warning once: the candidate's row is claimed with the mail, in one transaction.</summary>
    private async Task<bool> WarnAsync(Guid schoolId, Guid candidateId, DateTimeOffset lastActivity, DateTimeOffset erasesOn, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(schoolId);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var candidate = await db.Candidates.AsNoTracking().Where(c => c.Id == candidateId && c.ErasedAt == null)
            .Select(c => new { c.Email, c.FirstName, c.LastName, c.RetentionWarnedAt }).SingleOrDefaultAsync(ct);
        // Read again in the transaction: another instance may have warned them since the list was made.
        if (candidate is null || candidate.RetentionWarnedAt >= lastActivity)
            return false;
        var claimed = await db.Candidates
            .Where(c => c.Id == candidateId && c.ErasedAt == null && c.RetentionWarnedAt == candidate.RetentionWarnedAt)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RetentionWarnedAt, now), ct);
        if (claimed == 0)
            return false; // another instance warned them meanwhile
        var mail = Outbox.New(schoolId, TemplateKeys.CandidateRetentionWarning, Recipient.Address, now);
        mail.ToPersonId = candidateId;
        mail.ToAddress = candidate.Email;
        mail.ToName = Schools.PersonName.Display(candidate.LastName, candidate.FirstName);
        mail.Data = new MailData(LinksExpireAt: erasesOn).Serialize();
        db.OutboxMessages.Add(mail);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}

/// <summary>Runs <see cref="Retention"/> once a day (and at start), on every instance: the database shares out the work.</summary>
public sealed class RetentionJob(Retention retention, CsvImports.ImportUploads uploads, ILogger<RetentionJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(24);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            // Each part on its own: one failing does not skip the others until tomorrow.
            foreach (var part in new Func<CancellationToken, Task>[]
                     {
                         retention.RunAsync, retention.EraseSwitchedOffAccountsAsync, retention.CancelReferralsOfErasedCandidatesAsync,
                         retention.SweepIntegrationsAsync, _ => Task.FromResult(uploads.Sweep()),
                     })
            {
                try
                {
                    await part(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "A part of the retention job failed; it runs again tomorrow");
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
