using Passerelle.Schools;

namespace Passerelle.Candidates;

public sealed class Candidate : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public string LastName { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Phone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the school erased the candidate (<see cref="PersonalData.Erasure"/>); null for everyone else.</summary>
    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>When the candidate was last told they would be erased (<see cref="PersonalData.Retention"/>).</summary>
    public DateTimeOffset? RetentionWarnedAt { get; set; }

    /// <summary>The candidate's id in the school's own platform (the API's externalId), unique in the school.</summary>
    public string? ExternalId { get; set; }

    /// <summary>When the school recorded the candidate's consent to have their profile proposed to companies (push CV); null without it.</summary>
    public DateTimeOffset? PushConsentAt { get; set; }

    /// <summary>Who recorded that consent, as their name was then.</summary>
    public string? PushConsentRecordedBy { get; set; }

    public Guid? PushConsentRecordedById { get; set; }

    public string DisplayName => PersonName.Display(LastName, FirstName);
}
