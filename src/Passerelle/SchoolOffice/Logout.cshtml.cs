using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.SchoolOffice;

/// <summary>Logging out; authorized so that the antiforgery token, tied to the signed-in staff member, validates.</summary>
[Authorize(Policy = SchoolAuth.Policy)]
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/ecole/mises-en-relation");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(SchoolAuth.Scheme);
        return LocalRedirect("/ecole/connexion");
    }
}
