using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// A page of Passerelle Entreprises for a signed-in contact. It loads the schools the contact works with and
/// opens the database for the chosen one: every query of the page then sees that school's rows only. The schools
/// come with the session (<see cref="CompanySession"/>), read when the cookie was checked.
/// </summary>
[Authorize(Policy = CompanyAuth.Policy)]
public abstract class CompanyPage(PasserelleDb db) : PageModel
{
    protected PasserelleDb Db => db;

    public Guid ContactId => User.ContactId() ?? throw new InvalidOperationException("Signed-in contact expected.");
    public string ContactName => User.Identity?.Name ?? "";
    public IReadOnlyList<CompanySession.School> Schools { get; private set; } = [];
    public Guid? SchoolId { get; private set; }
    public string? SchoolName => Schools.FirstOrDefault(s => s.Id == SchoolId)?.Name;

    /// <summary>The chosen school has the push CV module on: "Profils proposés" shows, its pages answer.</summary>
    public bool PushCv => Schools.FirstOrDefault(s => s.Id == SchoolId)?.PushCv ?? false;

    /// <summary>False when no school is chosen, or the chosen one no longer works with this contact.</summary>
    protected bool LoadSchool()
    {
        var session = CompanySession.Of(HttpContext);
        Schools = session.Schools;
        var chosen = User.ChosenSchoolId();
        if (chosen is null || !session.WorksWith(chosen.Value))
            return false;
        SchoolId = chosen;
        db.ForSchool(chosen.Value);
        ViewData["School"] = SchoolName;
        return true;
    }
}
