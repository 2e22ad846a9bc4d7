namespace Passerelle.Referrals;

public enum ReferralEventKind
{
    Proposed,
    OfferAccepted,
    OfferDeclined,
    CandidateAccepted,
    AppointmentChanged,
    CandidateRefused,
    AppointmentAccepted,
    AppointmentDeclined,
    Recruited,
    NotRetained,
    Cancelled,

    /// <summary>The first event of a referral born of a push CV: who proposed the profile, when, and the candidate's consent.</summary>
    ProposedFromPush,

    /// <summary>The school gave the referral to another contact of the company (its <see cref="ReferralEvent.Reason"/>: the new contact's name).</summary>
    ContactChanged,
}

/// <summary>
/// One line of the referral's timeline (suivi de mise en relation). Append-only: a change of mind
/// is a new event that names the answer it replaces.
/// </summary>
public sealed class ReferralEvent : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid ReferralId { get; set; }

    /// <summary>1, 2, 3… per referral: the referral's version after this event. Unique per referral.</summary>
    public int Sequence { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
    public ReferralEventKind Kind { get; set; }

    public ActorKind ActorKind { get; set; }
    public Guid ActorId { get; set; }

    /// <summary>The actor's name as it was at the time ("MARTIN Benoît").</summary>
    public string ActorName { get; set; } = "";

    /// <summary>Set when staff or an API client answered for the candidate or the company.</summary>
    public Party? OnBehalfOf { get; set; }

    public Channel Channel { get; set; }
    public string? Comment { get; set; }

    /// <summary>For a change of mind: the answer this event replaces.</summary>
    public ReferralEventKind? PreviousAnswer { get; set; }

    public DateTimeOffset? AppointmentStartsAt { get; set; }
    public string? AppointmentLocation { get; set; }

    /// <summary>A refusal reason (company) or cancellation reason (school).</summary>
    public string? Reason { get; set; }

    /// <summary>For <see cref="ReferralEventKind.ProposedFromPush"/>: when the school recorded the candidate's consent to be pushed.</summary>
    public DateTimeOffset? ConsentRecordedAt { get; set; }
}
