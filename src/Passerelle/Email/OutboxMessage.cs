using Passerelle.Referrals;

namespace Passerelle.Email;

public enum OutboxState
{
    Pending,
    Sent,

    /// <summary>Refused for good, or retried for the whole retry period in vain; school admins see it with the last error.</summary>
    Failed,

    /// <summary>Not sent: the school turned this notification off.</summary>
    Skipped,
}

/// <summary>
/// A mail waiting to be delivered, written in the same transaction as the state change that requires it.
/// The dispatcher renders it when it sends it (links are created then, so no raw token is ever stored)
/// and keeps the rendered copy, links masked, once sent.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>The school the mail is sent for; null for platform mails (a contact's password reset).</summary>
    public Guid? SchoolId { get; set; }

    public Guid? ReferralId { get; set; }

    /// <summary>The timeline event that caused the mail.</summary>
    public int? EventSequence { get; set; }

    /// <summary>For a push CV's mail to the company: the push whose profiles it lists.</summary>
    public Guid? CvPushId { get; set; }

    public string TemplateKey { get; set; } = "";
    public Recipient Recipient { get; set; }

    /// <summary>For <see cref="Recipient.Address"/>: where to send, and the person's id when it is a contact or staff member.</summary>
    public string? ToAddress { get; set; }

    public string? ToName { get; set; }
    public Guid? ToPersonId { get; set; }
    public CalendarInvite Calendar { get; set; }

    /// <summary>What the mail must say as it was at the transition (appointment, comment, reason), as JSON.</summary>
    public string? Data { get; set; }

    public OutboxState State { get; set; }
    public int Attempts { get; set; }

    /// <summary>When its latest run of failed attempts began: it is retried until <see cref="EmailOptions.RetryHours"/> after.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>The Message-ID header, the same on every attempt so receivers can drop a duplicate.</summary>
    public string MessageId { get; set; } = "";

    public string? Subject { get; set; }
    public string? HtmlBody { get; set; }
    public string? TextBody { get; set; }
}
