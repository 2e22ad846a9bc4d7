namespace Passerelle.Referrals;

/// <summary>A step a party answers, and may change its mind on while it is open; each e-mail link answers one.</summary>
public enum LinkStep
{
    /// <summary>The candidate's answer to the offer (view, accept, decline).</summary>
    Offer,

    /// <summary>The company's answer on the candidate (profile, offer, accept with an appointment, refuse).</summary>
    Company,

    /// <summary>The candidate's answer to the appointment (confirm, decline, calendar file).</summary>
    Appointment,

    /// <summary>A contact's answer to a profile proposed by a push CV (profile, meet the candidate, do not follow up).</summary>
    Push,
}

public enum OfferAnswer
{
    Accepted,
    Declined,
}

public enum CompanyAnswer
{
    Accepted,
    Refused,
}

public enum AppointmentAnswer
{
    Accepted,
    Declined,
}

public enum Outcome
{
    Recruited,
    NotRetained,
}

/// <summary>Where a referral stands; derived from its answers and stored for filtering.</summary>
public enum ReferralStage
{
    AwaitingCandidate,
    OfferDeclined,
    AwaitingCompany,
    CompanyRefused,
    AwaitingAppointmentAnswer,
    AppointmentDeclined,
    AwaitingOutcome,
    Recruited,
    NotRetained,
    Cancelled,
}

/// <summary>An interview proposal: when (UTC), where (a place or a video link) and the company's comment.</summary>
public sealed record Appointment(DateTimeOffset StartsAt, string? Location, string? Comment)
{
    public bool IsSameSlot(Appointment other) =>
        StartsAt == other.StartsAt && string.Equals(Location ?? "", other.Location ?? "", StringComparison.Ordinal);
}
