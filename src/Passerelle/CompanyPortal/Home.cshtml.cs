using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>The portal's home: choose the school in the side navigation, then "Voir candidats".</summary>
public sealed class HomeModel(PasserelleDb db, TimeProvider clock) : CompanyPage(db)
{
    public string? Error { get; private set; }

    [TempData]
    public string? Message { get; set; }

    /// <summary>Schools that invite this contact and wait for an answer.</summary>
    public IReadOnlyList<(Guid Id, string School)> Invitations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        LoadSchool();
        await LoadInvitationsAsync(ct);
    }

    /// <summary>Accepting a school's invitation: the school can now propose candidates to this contact.</summary>
    public async Task<IActionResult> OnPostAcceptInvitationAsync(Guid invitationId, CancellationToken ct)
    {
        if (await PendingAsync(invitationId, ct) is not { } invitation)
            return NotFound();
        var now = clock.GetUtcNow();
        var answered = await Db.ContactInvitations.IgnoreQueryFilters()
            .Where(i => i.Id == invitation.Id && i.AnsweredAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.AnsweredAt, now).SetProperty(i => i.Accepted, true), ct);
        if (answered == 1)
        {
            Db.SchoolContacts.Add(new Companies.SchoolContact { SchoolId = invitation.SchoolId, ContactId = invitation.ContactId, CreatedAt = now });
            try
            {
                await Db.ForSchool(invitation.SchoolId).SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                // Already linked (another invitation of the same school, accepted meanwhile): the same outcome.
            }
        }
        Message = "Invitation acceptée : choisissez ce centre de formation dans le menu pour voir les candidats qu'il vous propose.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeclineInvitationAsync(Guid invitationId, CancellationToken ct)
    {
        if (await PendingAsync(invitationId, ct) is not { } invitation)
            return NotFound();
        var now = clock.GetUtcNow();
        await Db.ContactInvitations.IgnoreQueryFilters().Where(i => i.Id == invitation.Id && i.AnsweredAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.AnsweredAt, now).SetProperty(i => i.Accepted, false), ct);
        Message = "Invitation refusée : ce centre de formation n'a pas accès à votre compte.";
        return RedirectToPage();
    }

    private Task<Companies.ContactInvitation?> PendingAsync(Guid invitationId, CancellationToken ct)
    {
        var contactId = ContactId;
        return Db.ContactInvitations.IgnoreQueryFilters().AsNoTracking()
            .SingleOrDefaultAsync(i => i.Id == invitationId && i.ContactId == contactId && i.AnsweredAt == null, ct);
    }

    private async Task LoadInvitationsAsync(CancellationToken ct)
    {
        var contactId = ContactId;
        Invitations = (await (from i in Db.ContactInvitations.IgnoreQueryFilters()
                              where i.ContactId == contactId && i.AnsweredAt == null
                              join school in Db.Schools on i.SchoolId equals school.Id
                              orderby i.CreatedAt
                              select new { i.Id, school.Name }).ToListAsync(ct))
            .Select(i => (i.Id, i.Name)).ToList();
    }

    /// <summary>Remembers the chosen school (for this session and the next ones).</summary>
    public async Task<IActionResult> OnPostChooseSchoolAsync(Guid? schoolId, string? retour, CancellationToken ct)
    {
        LoadSchool();
        if (schoolId is null)
        {
            await LoadInvitationsAsync(ct);
            Error = "Choisissez un centre de formation dans la liste.";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        if (!CompanySession.Of(HttpContext).WorksWith(schoolId.Value))
            return NotFound();
        var contactId = ContactId;
        await Db.CompanyContacts.Where(c => c.Id == contactId).ExecuteUpdateAsync(set => set.SetProperty(c => c.LastSchoolId, schoolId.Value), ct);
        var contact = await Db.CompanyContacts.AsNoTracking().SingleAsync(c => c.Id == contactId, ct);
        await HttpContext.SignInAsync(CompanyAuth.Scheme, CompanyAuth.Principal(contact, schoolId.Value,
            SessionValidation.StartedAt(User) ?? throw new InvalidOperationException("A validated session has a start.")));
        return retour is not null && Url.IsLocalUrl(retour) && retour.StartsWith(Url.Page("Home")!, StringComparison.Ordinal)
            ? LocalRedirect(retour)
            : RedirectToPage();
    }
}
