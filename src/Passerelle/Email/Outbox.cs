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
