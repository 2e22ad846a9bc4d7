using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.CvPushes;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>"Profils proposés": the profiles the chosen school pushed to this contact, newest first; "à traiter" or all.</summary>
public sealed class PushedProfilesModel(PasserelleDb db) : CompanyPage(db)
{
    public const int PageSize = 20;

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    /// <summary>"a-traiter": only the profiles still waiting for an answer.</summary>
    [BindProperty(SupportsGet = true, Name = "filtre")]
    public string? Filter { get; set; }

    public bool ToHandleOnly => Filter == "a-traiter";

    public sealed record Row(Guid Id, string Candidate, string StaffName, DateTimeOffset PushedAt, PushedProfileState State, DateTimeOffset? AnsweredAt, Guid? ReferralId);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!LoadSchool())
            return RedirectToPage("Home");
        if (!PushCv)
            return NotFound();
        var contactId = ContactId;
        var query = Db.PushedProfiles.AsNoTracking().Where(p => p.ContactId == contactId);
        if (ToHandleOnly)
            query = query.Where(p => p.State == PushedProfileState.Pending);
        Total = await query.CountAsync(ct);
        PageNumber = Math.Clamp(PageNumber, 1, PageCount);
        var rows = await (
            from p in query
            join candidate in Db.Candidates on p.CandidateId equals candidate.Id
            join push in Db.CvPushes on p.CvPushId equals push.Id
            join staff in Db.Staff on push.CreatedByStaffId equals staff.Id
            orderby p.PushedAt descending, p.Id
            select new { p, candidate.LastName, candidate.FirstName, StaffLastName = staff.LastName, StaffFirstName = staff.FirstName })
            .Skip((PageNumber - 1) * PageSize).Take(PageSize).ToListAsync(ct);
        Rows = rows.Select(r => new Row(r.p.Id, PersonName.Display(r.LastName, r.FirstName), PersonName.Display(r.StaffLastName, r.StaffFirstName),
            r.p.PushedAt, r.p.State, r.p.AnsweredAt, r.p.ReferralId)).ToList();
        return Page();
    }

    public string PageUrl(int page, bool toHandle) =>
        Url.Page("PushedProfiles", new { p = page == 1 ? (int?)null : page, filtre = toHandle ? "a-traiter" : null })!;
}
