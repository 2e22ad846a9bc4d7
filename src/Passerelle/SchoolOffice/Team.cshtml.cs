using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Common;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>School admins manage the staff accounts: add (a mail lets the person choose a password), resend, change the role.</summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class TeamModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public IReadOnlyList<Staff> Members { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }


    [BindProperty] public string LastName { get; set; } = "";
    [BindProperty] public string FirstName { get; set; } = "";
    [BindProperty] public string Email { get; set; } = "";
    [BindProperty] public StaffRole Role { get; set; } = StaffRole.Recruiter;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        LastName ??= "";
        FirstName ??= "";
        if (OneLine.OrNull(LastName) is null || OneLine.OrNull(FirstName) is null || LastName.Length > 100 || FirstName.Length > 100)
            return Refused("Indiquez le nom et le prénom (100 caractères au plus).");
        if (EmailAddress.Normalize(Email) is not { } email)
            return Refused("L'adresse e-mail n'est pas valide.");
        if (!Enum.IsDefined(Role))
            return Refused("Choisissez un rôle.");
        if (await Db.Staff.IgnoreQueryFilters().AnyAsync(s => s.UserName.ToLower() == email, ct))
            return Refused("Un compte Passerelle École utilise déjà cette adresse.");

        var now = clock.GetUtcNow();
        var staff = Staff.NewAccount(SchoolId, email, LastName, FirstName, Role, now);
        Db.Staff.Add(staff);
        QueueCredentials(staff, now);
        try
        {
            await Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Refused("Un compte Passerelle École utilise déjà cette adresse.");
        }
        Message = $"{staff.DisplayName} est ajouté(e) : un e-mail lui permet de choisir son mot de passe.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid staffId, CancellationToken ct)
    {
        var staff = await Db.Staff.AsNoTracking().SingleOrDefaultAsync(s => s.Id == staffId, ct);
        if (staff is null)
            return NotFound();
        if (staff.DeactivatedAt is not null)
        {
            await LoadAsync(ct);
            return Refused($"Le compte de {staff.DisplayName} est désactivé : réactivez-le depuis sa fiche avant de lui renvoyer un lien.");
        }
        QueueCredentials(staff, clock.GetUtcNow());
        await Db.SaveChangesAsync(ct);
        Message = $"Un nouveau lien pour choisir son mot de passe est envoyé à {staff.DisplayName}.";
        return RedirectToPage();
    }

    private void QueueCredentials(Staff staff, DateTimeOffset now)
    {
        Db.OutboxMessages.Add(Outbox.ToAccount(SchoolId, TemplateKeys.StaffCredentials, staff.Id, staff.Email, staff.DisplayName, now));
    }


    private async Task LoadAsync(CancellationToken ct) =>
        Members = await Db.Staff.AsNoTracking().OrderBy(s => s.LastName).ThenBy(s => s.FirstName).ToListAsync(ct);

    public static string RoleLabel(StaffRole role) => Changes.Corrections.RoleLabel(role);
}
