using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Email;

/// <summary>Adds mails to the outbox; the caller's SaveChanges writes them with the change that requires them.</summary>
public static class Outbox
{
    /// <summary>The mails a transition requires, with what they must say as of now.</summary>
    public static void Enqueue(PasserelleDb db, Referral referral, TransitionResult result, DateTimeOffset now)
    {
        var @event = result.Event!;
        var data = new MailData(
            @event.AppointmentStartsAt, @event.AppointmentLocation, referral.AppointmentComment, referral.AppointmentSequence,
            @event.Comment, @event.Reason, @event.Kind, @event.ActorName, @event.OnBehalfOf).Serialize();
        foreach (var mail in result.Mails)
        {
            var message = New(referral.SchoolId, mail.TemplateKey, mail.To, now);
            message.ReferralId = referral.Id;
            message.EventSequence = @event.Sequence;
            message.Calendar = mail.Calendar;
            message.Data = data;
            db.OutboxMessages.Add(message);
        }
    }

    /// <summary>
    /// For an erasure, in its transaction: the mails it is about to clean, read after their pending rows are taken from any
    /// dispatcher. The claims go and the rows stay locked until the erasure commits: a dispatcher sending one of them right now
    /// marks nothing (its copy with the name, an error) — its mark waits, then finds the claim gone — and one about to claim
    /// them waits, then finds them as the erasure left them. Read before this, a row marked sent in between would keep the
    /// body the erasure meant to remove (it would compare against the empty body it read).
    /// </summary>
    public static async Task<List<OutboxMessage>> TakeBackAsync(IQueryable<OutboxMessage> mails, CancellationToken ct)
    {
        await mails.Where(m => m.State == OutboxState.Pending).ExecuteUpdateAsync(set => set
            .SetProperty(m => m.LockedBy, (string?)null)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), ct);
        return await mails.ToListAsync(ct);
    }

    /// <summary>A mail to one account's own address (credentials, password reset): composed with a single-use link.</summary>
    public static OutboxMessage ToAccount(Guid? schoolId, string templateKey, Guid accountId, string email, string name, DateTimeOffset now)
    {
        var message = New(schoolId, templateKey, Recipient.Address, now);
        message.ToAddress = email;
        message.ToName = name;
        message.ToPersonId = accountId;
        return message;
    }

    /// <summary>A push CV's mail to its contact, listing the push's profiles (composed when it goes).</summary>
    public static OutboxMessage ForPush(CvPushes.CvPush push)
    {
        var message = New(push.SchoolId, TemplateKeys.PushToCompany, Recipient.CompanyContact, push.CreatedAt);
        message.CvPushId = push.Id;
        return message;
    }

    public static OutboxMessage New(Guid? schoolId, string templateKey, Recipient recipient, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now);
        return new OutboxMessage
        {
            Id = id, SchoolId = schoolId, TemplateKey = templateKey, Recipient = recipient, State = OutboxState.Pending,
            NextAttemptAt = now, CreatedAt = now, MessageId = $"<{id:N}@passerelle>",
        };
    }
}
