namespace Passerelle.JobOffers;

/// <summary>An offre de mission / offre de poste of a company, published through one school.</summary>
public sealed class JobOffer : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid CompanyId { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public string? Location { get; set; }
    public DateOnly? StartsOn { get; set; }

    /// <summary>An inactive offer accepts no new referral; existing ones go on.</summary>
    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The offer's id in the school's own platform (the API's externalId), unique in the school.</summary>
    public string? ExternalId { get; set; }

    /// <summary>
    /// The "Candidature spontanée" of a company at a school: created when its contact first asks to meet a pushed profile
    /// without one of its offers. Inactive, so that it never takes an ordinary referral.
    /// </summary>
    public bool IsSpontaneous { get; set; }

    public const string SpontaneousTitle = "Candidature spontanée";
}
