using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class LoginModel(PasswordSignIn signIn, PasserelleDb db) : PageModel
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
        var (outcome, contact) = await signIn.SignInAsync<Companies.CompanyContact>(UserName, Password, ct);
        switch (outcome)
        {
            case SignInOutcome.LockedOut:
                Error = "Trop de tentatives : votre compte est verrouillé pendant 15 minutes. Vous pouvez aussi réinitialiser votre mot de passe.";
                Response.StatusCode = StatusCodes.Status423Locked;
                return Page();
            case SignInOutcome.WrongCredentials:
                Error = "Nom d'utilisateur ou mot de passe incorrect.";
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Page();
        }

        // The school chosen last time is offered again if the contact still works with it; a single school is chosen outright.
        var schools = await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contact!.Id).Select(l => l.SchoolId).ToListAsync(ct);
        Guid? school = contact!.LastSchoolId is { } last && schools.Contains(last) ? last : schools.Count == 1 ? schools[0] : null;
        await HttpContext.SignInAsync(CompanyAuth.Scheme, CompanyAuth.Principal(contact, school));
        return LocalRedirect(ReturnUrl is not null && Url.IsLocalUrl(ReturnUrl) && ReturnUrl.StartsWith("/entreprise", StringComparison.Ordinal) ? ReturnUrl : "/entreprise");
    }
}
