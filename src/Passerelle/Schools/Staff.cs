namespace Passerelle.Schools;

public enum StaffRole
{
    Recruiter,
    SchoolAdmin,
}

/// <summary>A school employee using the back-office (chargé·e de relations entreprises, administrateur).</summary>
public sealed class Staff : ISchoolOwned, Accounts.IAccount
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public string UserName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public string LastName { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string Email { get; set; } = "";
    public StaffRole Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string SecurityStamp { get; set; } = "";

    /// <summary>"MARTIN Benoît", as the timeline shows people.</summary>
    public string DisplayName => PersonName.Display(LastName, FirstName);
}
