using Passerelle.Accounts;
using Passerelle.Referrals;

namespace Passerelle.Email;

/// <summary>
/// One e-mail's action links. The token in the URL is the link's id and a 128-bit random secret; only the
/// secret's SHA-256 is stored. It names one referral, one recipient and one step; it expires after the
/// school's validity and is revoked when its step can no longer change.
/// </summary>
public sealed class ActionLink : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    /// <summary>The referral the link answers; for a push CV's link (<see cref="LinkStep.Push"/>), <see cref="PushedProfileId"/> instead.</summary>
    public Guid? ReferralId { get; set; }

    public Guid? PushedProfileId { get; set; }
    public Guid? OutboxMessageId { get; set; }
    public Recipient Recipient { get; set; }
    public Guid RecipientId { get; set; }
    public LinkStep Step { get; set; }
    public byte[] SecretHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>For an appointment mail: the appointment's SEQUENCE it describes. A later proposal makes the link stale.</summary>
    public int? AppointmentSequence { get; set; }

    /// <summary>Set once when the reminder before expiry was queued: at most one reminder per link.</summary>
    public DateTimeOffset? RemindedAt { get; set; }

    /// <summary>Creates a link and the token to put in the mail (returned once, never stored).</summary>
    public static (ActionLink Link, string Token) Create(
        Guid schoolId, Guid referralId, Recipient recipient, Guid recipientId, LinkStep step,
        DateTimeOffset now, DateTimeOffset expiresAt, Guid? outboxMessageId)
    {
        var (id, secretHash, token) = SecretToken.Create();
        var link = new ActionLink
        {
            Id = id, SchoolId = schoolId, ReferralId = referralId, OutboxMessageId = outboxMessageId, Recipient = recipient,
            RecipientId = recipientId, Step = step, SecretHash = secretHash, CreatedAt = now, ExpiresAt = expiresAt,
        };
        return (link, token);
    }

    /// <summary>A push CV mail's link for one of the profiles it lists, to the push's contact.</summary>
    public static (ActionLink Link, string Token) ForPushedProfile(
        Guid schoolId, Guid pushedProfileId, Guid contactId, DateTimeOffset now, DateTimeOffset expiresAt, Guid outboxMessageId)
    {
        var (id, secretHash, token) = SecretToken.Create();
        var link = new ActionLink
        {
            Id = id, SchoolId = schoolId, PushedProfileId = pushedProfileId, OutboxMessageId = outboxMessageId, Recipient = Recipient.CompanyContact,
            RecipientId = contactId, Step = LinkStep.Push, SecretHash = secretHash, CreatedAt = now, ExpiresAt = expiresAt,
        };
        return (link, token);
    }

    public static bool TryParse(string? token, out Guid id, out byte[] secretHash) => SecretToken.TryParse(token, out id, out secretHash);

    public bool Matches(byte[] secretHash) => SecretToken.Matches(SecretHash, secretHash);
}
