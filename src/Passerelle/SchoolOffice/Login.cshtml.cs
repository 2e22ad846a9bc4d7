using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Passerelle.Accounts;
using Passerelle.Schools;

namespace Passerelle.SchoolOffice;

[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class LoginModel(PasswordSignIn signIn) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Indiquez votre nom d'utilisateur.")]
    [Display(Name = "Nom d'utilisateur")]
    public string UserName { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Indiquez votre mot de passe.")]
    [DataType(DataType.Password)]
    [Display(Name = "Mot de passe")]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "retour")]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
            return Page();
        var (outcome, staff) = await signIn.SignInAsync<Staff>(UserName, Password, ct);
        if (outcome != SignInOutcome.SignedIn)
        {
            Error = outcome == SignInOutcome.LockedOut
                ? "Trop de tentatives : votre compte est verrouillé pendant 15 minutes."
                : "Nom d'utilisateur ou mot de passe incorrect.";
            Response.StatusCode = outcome == SignInOutcome.LockedOut ? StatusCodes.Status423Locked : StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(SchoolAuth.Scheme, SchoolAuth.Principal(staff!));
        return LocalRedirect(ReturnUrl is not null && Url.IsLocalUrl(ReturnUrl) && ReturnUrl.StartsWith("/ecole", StringComparison.Ordinal) ? ReturnUrl : "/ecole/mises-en-relation");
    }

}
