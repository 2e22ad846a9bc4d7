namespace Passerelle.Companies;

/// <summary>
/// A company, identified by its SIRET. Companies and their contacts are shared by the schools that work
/// with them (a contact logs in once and picks the school); a school reaches them through <see cref="SchoolContact"/>.
/// </summary>
public sealed class Company
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Siret { get; set; } = "";

    /// <summary>The postal address, as the school writes it (several lines).</summary>
    public string? Address { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
