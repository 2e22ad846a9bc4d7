using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// A page of Passerelle Entreprises for a signed-in contact. It loads the schools the contact works with and
/// opens the database for the chosen one: every query of the page then sees that school's rows only.
/// </summary>
[Authorize(Policy = CompanyAuth.Policy)]
public abstract class CompanyPage(PasserelleDb db) : PageModel
{
    protected PasserelleDb Db => db;

    public Guid ContactId => User.ContactId() ?? throw new InvalidOperationException("Signed-in contact expected.");
    public string ContactName => User.Identity?.Name ?? "";
    public IReadOnlyList<SchoolChoice> Schools { get; private set; } = [];
    public Guid? SchoolId { get; private set; }
    public string? SchoolName => Schools.FirstOrDefault(s => s.Id == SchoolId)?.Name;

    public sealed record SchoolChoice(Guid Id, string Name);

    /// <summary>False when no school is chosen, or the chosen one no longer works with this contact.</summary>
    protected async Task<bool> LoadSchoolAsync(CancellationToken ct)
    {
        var contactId = ContactId;
        Schools = await (
            from link in db.SchoolContacts.IgnoreQueryFilters()
            join school in db.Schools on link.SchoolId equals school.Id
            where link.ContactId == contactId
            orderby school.Name
            select new SchoolChoice(school.Id, school.Name)).ToListAsync(ct);
        var chosen = User.ChosenSchoolId();
        if (chosen is null || Schools.All(s => s.Id != chosen))
            return false;
        SchoolId = chosen;
        db.ForSchool(chosen.Value);
        ViewData["School"] = SchoolName;
        return true;
    }
}
