using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Changes;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>A staff member, for the school's admins: correct the name, change the role (the school keeps an admin), see the changes.</summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class StaffDetailModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public Staff Member { get; private set; } = null!;
    public IReadOnlyList<ChangeLine> History { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }


    [BindProperty] public string? LastName { get; set; }
    [BindProperty] public string? FirstName { get; set; }
    [BindProperty] public StaffRole Role { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        (LastName, FirstName, Role) = (Member.LastName, Member.FirstName, Member.Role);
        return Page();
    }

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (!ModelState.IsValid)
            return Refused("Choisissez un rôle.");
        var problem = await Corrections.EditStaffAsync(Db, Member, new StaffEdit(LastName, FirstName, Role), StaffId, StaffName, clock.GetUtcNow(), ct);
        if (problem is not null)
            return Refused(problem);
        Message = $"Les informations de {Member.DisplayName} sont enregistrées.";
        return RedirectToPage(new { id });
    }


    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await Db.Staff.SingleOrDefaultAsync(s => s.Id == id, ct) is not { } member)
            return false;
        Member = member;
        History = await ChangeHistory.LoadAsync(Db, ChangeSubject.Staff, id, ct);
        return true;
    }
}
