using Passerelle.Common;

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

    /// <summary>When an admin switched the account off (someone who left): no sign-in, no mail; null while active.</summary>
    public DateTimeOffset? DeactivatedAt { get; set; }

    /// <summary>When the retention job erased the account, switched off longer than the period (<see cref="PersonalData.AccountErasure"/>).</summary>
    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>A new account, known by its e-mail address (also its login), without a password until the credentials mail is used.</summary>
    public static Staff NewAccount(Guid schoolId, string email, string lastName, string firstName, StaffRole role, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), SchoolId = schoolId, UserName = email, Email = email, LastName = OneLine.Of(lastName), FirstName = OneLine.Of(firstName),
        Role = role, CreatedAt = now, SecurityStamp = Guid.NewGuid().ToString("N"),
    };

    /// <summary>"MARTIN Benoît", as the timeline shows people.</summary>
    public string DisplayName => PersonName.Display(LastName, FirstName);
}
