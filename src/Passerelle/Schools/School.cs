namespace Passerelle.Schools;

/// <summary>A training centre (centre de formation, CFA): the tenant.</summary>
public sealed class School
{
    public const int DefaultLinkValidityDays = 7;

    public Guid Id { get; set; }
    public string Name { get; set; } = "";

    /// <summary>How long the action links of this school's e-mails stay valid (1–60 days).</summary>
    public int LinkValidityDays { get; set; } = DefaultLinkValidityDays;

    public DateTimeOffset CreatedAt { get; set; }
}
