using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>
/// Reminds a company contact who has not answered, a few days before the links of the candidate proposal
/// expire. The reminder carries fresh links that expire with the original ones. Each proposal mail gets at
/// most one reminder, even with several instances: the link is marked reminded by a conditional update in
/// the same transaction that queues the reminder.
/// </summary>
public sealed class Reminders(IServiceScopeFactory scopes, EmailOptions options, TimeProvider clock)
{
    public async Task<int> QueueDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var horizon = now.AddDays(options.ReminderDaysBeforeExpiry);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
        var due = await (
            from link in db.ActionLinks.IgnoreQueryFilters()
            join referral in db.Referrals.IgnoreQueryFilters() on link.ReferralId equals referral.Id
            join proposal in db.OutboxMessages on link.OutboxMessageId equals proposal.Id
            where link.Step == LinkStep.Company && link.RevokedAt == null && link.RemindedAt == null
                && link.ExpiresAt > now && link.ExpiresAt <= horizon
                && proposal.TemplateKey == TemplateKeys.CandidateToCompany
                && referral.Stage == ReferralStage.AwaitingCompany
            // The links that expire first are reminded first when more than a batch are due (ix_action_links_to_remind's order).
            orderby link.ExpiresAt
            select new { link.Id, link.SchoolId, link.ReferralId, link.ExpiresAt })
            .Take(500).ToListAsync(ct);

        var queued = 0;
        foreach (var link in due)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var claimed = await db.ActionLinks.IgnoreQueryFilters()
                .Where(l => l.Id == link.Id && l.RemindedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.RemindedAt, now), ct);
            if (claimed == 0)
                continue; // another instance took it
            var reminder = Outbox.New(link.SchoolId, TemplateKeys.ReminderToCompany, Recipient.CompanyContact, now);
            reminder.ReferralId = link.ReferralId;
            reminder.Data = new MailData(LinksExpireAt: link.ExpiresAt).Serialize();
            db.OutboxMessages.Add(reminder);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            db.ChangeTracker.Clear();
            queued++;
        }
        return queued;
    }
}

/// <summary>Looks for due reminders every few minutes.</summary>
public sealed class ReminderJob(Reminders reminders, EmailOptions options, ILogger<ReminderJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.ReminderCheckMinutes));
        do
        {
            try
            {
                var queued = await reminders.QueueDueAsync(stoppingToken);
                if (queued > 0)
                    logger.LogInformation("{Count} reminder(s) queued for companies that have not answered", queued);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Reminders could not be queued; the next check will try again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
