namespace Passerelle.Referrals;

/// <summary>Who did something, as the timeline records it.</summary>
public enum ActorKind
{
    Candidate,
    CompanyContact,
    Staff,
    ApiClient,
}

/// <summary>The three parties of a referral: each answers its own steps.</summary>
public enum Party
{
    Candidate,
    Company,
    School,
}

/// <summary>Where an action came from.</summary>
public enum Channel
{
    EmailLink,
    Portal,
    SchoolBackOffice,
    Api,
}

/// <summary>
/// The person or system performing a transition. Staff and API clients act for the school,
/// or on behalf of the candidate or the company (an answer received by phone).
/// </summary>
public sealed record Actor
{
    private Actor(ActorKind kind, Guid id, string displayName, Channel channel, Party? onBehalfOf)
    {
        Kind = kind;
        Id = id;
        DisplayName = displayName;
        Channel = channel;
        OnBehalfOf = onBehalfOf;
    }

    public ActorKind Kind { get; }
    public Guid Id { get; }
    public string DisplayName { get; }
    public Channel Channel { get; }
    public Party? OnBehalfOf { get; }

    /// <summary>The party whose step this actor may answer.</summary>
    public Party ActsAs => Kind switch
    {
        ActorKind.Candidate => Party.Candidate,
        ActorKind.CompanyContact => Party.Company,
        _ => OnBehalfOf ?? Party.School,
    };

    public static Actor Candidate(Guid candidateId, string displayName) =>
        new(ActorKind.Candidate, candidateId, displayName, Channel.EmailLink, null);

    public static Actor Contact(Guid contactId, string displayName, Channel channel) =>
        channel is Channel.EmailLink or Channel.Portal
            ? new(ActorKind.CompanyContact, contactId, displayName, channel, null)
            : throw new ArgumentOutOfRangeException(nameof(channel), channel, "A company contact acts by e-mail link or in the portal.");

    /// <summary>A staff member in the back-office, for the school or on behalf of a party.</summary>
    public static Actor Staff(Guid staffId, string displayName, Party? onBehalfOf = null) =>
        new(ActorKind.Staff, staffId, displayName, Channel.SchoolBackOffice, onBehalfOf == Party.School ? null : onBehalfOf);

    public static Actor ApiClient(Guid apiKeyId, string displayName, Party? onBehalfOf = null) =>
        new(ActorKind.ApiClient, apiKeyId, displayName, Channel.Api, onBehalfOf == Party.School ? null : onBehalfOf);
}
