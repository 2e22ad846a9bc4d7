using Passerelle.Schools;

namespace Passerelle.Companies;

/// <summary>A person at a company, with a Passerelle Entreprises account; works with one or more schools.</summary>
public sealed class CompanyContact : Accounts.IAccount
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string LastName { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Phone { get; set; }
    public string UserName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string SecurityStamp { get; set; } = "";

    /// <summary>
    /// A new address a school typed, used once its owner confirms it by the link mailed to it (until then mails go to
    /// <see cref="Email"/>); a newer request replaces it and voids the links of the older one.
    /// </summary>
    public string? PendingEmail { get; set; }

    public DateTimeOffset? PendingEmailRequestedAt { get; set; }

    /// <summary>When the retention job erased the account, switched off longer than the period (<see cref="PersonalData.AccountErasure"/>).</summary>
    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>The school chosen last in the portal, offered again at the next visit.</summary>
    public Guid? LastSchoolId { get; set; }

    public string DisplayName => PersonName.Display(LastName, FirstName);
}

/// <summary>The link "this school works with this company contact": what puts a contact within a school's reach.</summary>
public sealed class SchoolContact : ISchoolOwned
{
    public Guid SchoolId { get; set; }
    public Guid ContactId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The contact's id in this school's own platform (the API's externalId), unique in the school.</summary>
    public string? ExternalId { get; set; }

    /// <summary>
    /// When the school switched the contact off: no access to this school's referrals (portal, mail links), no mail from
    /// it, not chosen for new referrals. The contact keeps working with the other schools.
    /// </summary>
    public DateTimeOffset? DeactivatedAt { get; set; }
}

/// <summary>The link "this school works with this company": the companies a school lists and opens.</summary>
public sealed class SchoolCompany : ISchoolOwned
{
    public Guid SchoolId { get; set; }
    public Guid CompanyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The company's id in this school's own platform (the API's externalId), unique in the school.</summary>
    public string? ExternalId { get; set; }

    /// <summary>When the school switched the company off: its offers take no new referral, it is no longer proposed.</summary>
    public DateTimeOffset? DeactivatedAt { get; set; }
}

/// <summary>
/// A school's invitation to a contact who already has an account: until the contact accepts it (in Passerelle
/// Entreprises), the school sees only the address it typed, and the contact is not within its reach.
/// </summary>
public sealed class ContactInvitation : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid CompanyId { get; set; }
    public Guid ContactId { get; set; }

    /// <summary>What the school typed: all it sees of the contact until they accept.</summary>
    public string Email { get; set; } = "";
    public Guid InvitedByStaffId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public bool Accepted { get; set; }
}
