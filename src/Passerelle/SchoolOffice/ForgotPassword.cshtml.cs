using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Passerelle.Accounts;

namespace Passerelle.SchoolOffice;

/// <summary>
/// "Mot de passe oublié": mails a single-use link valid one hour. The page answers the same whether or not
/// an account matches, so it cannot be used to find out who has one.
/// </summary>
[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class ForgotPasswordModel(PasswordResets resets) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Indiquez votre nom d'utilisateur ou votre adresse e-mail.")]
    [StringLength(200)]
    [Display(Name = "Nom d'utilisateur ou adresse e-mail")]
    public string Login { get; set; } = "";

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
            return Page();
        await resets.RequestAsync(AccountKind.Staff, Login, ct);
        Sent = true;
        return Page();
    }
}
