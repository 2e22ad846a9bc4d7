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

    public string DisplayName => PersonName.Display(LastName, FirstName);
}
