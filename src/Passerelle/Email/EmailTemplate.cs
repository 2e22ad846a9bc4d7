namespace Passerelle.Email;

/// <summary>A school's own version of one mail (subject and body); used instead of the default while enabled (Activé).</summary>
public sealed class EmailTemplate : ISchoolOwned
{
    public Guid SchoolId { get; set; }
    public string Key { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public bool Enabled { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
