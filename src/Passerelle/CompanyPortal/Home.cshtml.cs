using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>The portal's home: choose the school in the side navigation, then "Voir candidats".</summary>
public sealed class HomeModel(PasserelleDb db) : CompanyPage(db)
{
    public string? Error { get; private set; }

    public void OnGet() => LoadSchool();

    /// <summary>Remembers the chosen school (for this session and the next ones).</summary>
    public async Task<IActionResult> OnPostChooseSchoolAsync(Guid? schoolId, string? retour, CancellationToken ct)
    {
        LoadSchool();
        if (schoolId is null)
        {
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
        return LocalRedirect(retour is not null && Url.IsLocalUrl(retour) && retour.StartsWith("/entreprise", StringComparison.Ordinal) ? retour : "/entreprise");
    }
}
