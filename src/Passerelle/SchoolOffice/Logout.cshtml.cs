using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.SchoolOffice;

/// <summary>Logging out; authorized so that the antiforgery token, tied to the signed-in staff member, validates.</summary>
[Authorize(Policy = SchoolAuth.Policy)]
public sealed class LogoutModel(Passerelle.Storage.PasserelleDb db) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/ecole/mises-en-relation");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Guid.TryParse(User.FindFirstValue(System.Security.Claims.ClaimTypes.NameIdentifier), out var accountId))
            await Passerelle.Accounts.SessionValidation.EndSessionsAsync<Passerelle.Schools.Staff>(db, accountId, ct);
        await HttpContext.SignOutAsync(SchoolAuth.Scheme);
        return LocalRedirect("/ecole/connexion");
    }
}
