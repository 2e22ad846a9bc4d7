using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.CompanyPortal;

/// <summary>Logging out; authorized so that the antiforgery token, tied to the signed-in contact, validates.</summary>
[Microsoft.AspNetCore.Authorization.Authorize(Policy = CompanyAuth.Policy)]
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/entreprise");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CompanyAuth.Scheme);
        return LocalRedirect("/entreprise/connexion");
    }
}
