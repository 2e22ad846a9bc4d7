using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.CompanyPortal;

public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/entreprise");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CompanyAuth.Scheme);
        return LocalRedirect("/entreprise/connexion");
    }
}
