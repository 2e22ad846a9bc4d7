namespace Passerelle.JobOffers;

/// <summary>The kind of contract an offer is for (shown in French by <see cref="JobOffer.ContractLabel"/>).</summary>
public enum ContractKind
{
    Apprenticeship,
    Professionalisation,
    Internship,
    FixedTerm,
    Permanent,
}

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
    public ContractKind? Contract { get; set; }

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

    public static string ContractLabel(ContractKind? contract) => contract switch
    {
        ContractKind.Apprenticeship => "Contrat d'apprentissage",
        ContractKind.Professionalisation => "Contrat de professionnalisation",
        ContractKind.Internship => "Stage",
        ContractKind.FixedTerm => "CDD",
        ContractKind.Permanent => "CDI",
        _ => "",
    };
}
