namespace Passerelle.Common;

/// <summary>A row that belongs to one school (the tenant). Queries only ever see the current school's rows.</summary>
public interface ISchoolOwned
{
    Guid SchoolId { get; }
}
