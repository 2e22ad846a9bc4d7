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

    /// <summary>The referrals this person follows that are still open (not cancelled, no outcome).</summary>
    public int OpenReferrals { get; private set; }

    /// <summary>The school's other active members: who can take over those referrals.</summary>
    public IReadOnlyList<(Guid Id, string Name)> Colleagues { get; private set; } = [];

    [BindProperty] public Guid? ColleagueId { get; set; }

    [TempData]
    public string? Message { get; set; }


    [BindProperty] public string? LastName { get; set; }
    [BindProperty] public string? FirstName { get; set; }
    [BindProperty] public StaffRole Role { get; set; }

    /// <summary>The member as the page showed them (<see cref="EditStamp"/>): another admin's correction since is kept or said.</summary>
    [BindProperty] public string? Stamp { get; set; }

    private static readonly string[] Labels = [PersonFields.LastName, PersonFields.FirstName, "Rôle"];

    private static object?[] Fields(Staff s) => [s.LastName, s.FirstName, s.Role];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        (LastName, FirstName, Role) = (Member.LastName, Member.FirstName, Member.Role);
        Stamp = EditStamp.Of(Fields(Member));
        return Page();
    }

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (!ModelState.IsValid)
            return Refused("Choisissez un rôle.");
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        // The school's row held (as the correction takes it), then the member read again: the one this save overwrites.
        await Deactivations.LockSchoolAsync(Db, ct);
        await Db.Entry(Member).ReloadAsync(ct);
        var merged = EditStamp.Merge(Stamp, [LastName, FirstName, Role], Fields(Member));
        (LastName, FirstName, Role) = ((string?)merged.Values[0], (string?)merged.Values[1], (StaffRole)merged.Values[2]!);
        if (Member.ErasedAt is null
            && merged.Conflict("ce membre de l'équipe", Labels, [Member.LastName, Member.FirstName, Corrections.RoleLabel(Member.Role)]) is { } conflict)
        {
            Stamp = EditStamp.Of(Fields(Member));
            await LoadAsync(id, ct);
            return Refused(conflict, StatusCodes.Status409Conflict);
        }
        var problem = await Corrections.EditStaffAsync(Db, Member, new StaffEdit(LastName, FirstName, Role), StaffId, StaffName, clock.GetUtcNow(), ct);
        if (problem is not null)
        {
            // The form shows the merge: its stamp is the member's now, so that the fields left as they were stay left.
            Stamp = EditStamp.Of(Fields(Member));
            return Refused(problem);
        }
        await transaction.CommitAsync(ct);
        Message = $"Les informations de {Member.DisplayName} sont enregistrées.";
        return RedirectToPage(new { id });
    }


    public Task<IActionResult> OnPostDeactivateAsync(Guid id, CancellationToken ct) => SwitchAsync(id, active: false, ct);

    public Task<IActionResult> OnPostReactivateAsync(Guid id, CancellationToken ct) => SwitchAsync(id, active: true, ct);

    private async Task<IActionResult> SwitchAsync(Guid id, bool active, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (await Deactivations.SetStaffActiveAsync(Db, id, active, StaffId, StaffName, clock.GetUtcNow(), ct) is { } problem)
            return Refused(problem);
        Message = active
            ? $"Le compte de {Member.DisplayName} est de nouveau actif : cette personne peut se connecter."
            : $"Le compte de {Member.DisplayName} est désactivé : ses sessions sont fermées et elle ne reçoit plus d'e-mails."
              + (OpenReferrals > 0 ? " Confiez ses mises en relation en cours à un autre membre de l'équipe." : "");
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostHandOverAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (ColleagueId is not { } colleague || Colleagues.All(c => c.Id != colleague))
            return Refused("Choisissez un membre actif de l'équipe.");
        var count = await Deactivations.HandOverReferralsAsync(Db, id, colleague, StaffId, StaffName, clock.GetUtcNow(), ct);
        Message = $"{count} mise(s) en relation en cours confiée(s) à {Colleagues.First(c => c.Id == colleague).Name}.";
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await Db.Staff.SingleOrDefaultAsync(s => s.Id == id, ct) is not { } member)
            return false;
        Member = member;
        History = await ChangeHistory.LoadAsync(Db, ChangeSubject.Staff, id, ct);
        OpenReferrals = await Db.Referrals.CountAsync(r => r.CreatedByStaffId == id && r.CancelledAt == null && r.Outcome == null, ct);
        Colleagues = (await Db.Staff.AsNoTracking().Where(s => s.Id != id && s.DeactivatedAt == null).OrderBy(s => s.LastName).ThenBy(s => s.FirstName)
            .Select(s => new { s.Id, s.LastName, s.FirstName }).ToListAsync(ct)).Select(s => (s.Id, PersonName.Display(s.LastName, s.FirstName))).ToList();
        return true;
    }
}
