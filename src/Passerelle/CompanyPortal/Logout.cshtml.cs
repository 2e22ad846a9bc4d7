using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.CompanyPortal;

/// <summary>Logging out; authorized so that the antiforgery token, tied to the signed-in contact, validates.</summary>
[Microsoft.AspNetCore.Authorization.Authorize(Policy = CompanyAuth.Policy)]
public sealed class LogoutModel(Passerelle.Storage.PasserelleDb db) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/entreprise");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Guid.TryParse(User.FindFirstValue(System.Security.Claims.ClaimTypes.NameIdentifier), out var accountId))
            await Passerelle.Accounts.SessionValidation.EndSessionsAsync<Passerelle.Companies.CompanyContact>(db, accountId, ct);
        await HttpContext.SignOutAsync(CompanyAuth.Scheme);
        return LocalRedirect("/entreprise/connexion");
    }
}
