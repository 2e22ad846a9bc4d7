using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Passerelle.Accounts;

/// <summary>Choosing a password from a mailed link, for one kind of account; the portals' pages only say which.</summary>
public abstract class SetPasswordPage<TAccount>(PasswordSetup setup, AccountKind kind, string loginPath) : PageModel
    where TAccount : class, IAccount
{
    [BindProperty]
    [Required(ErrorMessage = "Choisissez un mot de passe.")]
    [StringLength(200, MinimumLength = PasswordSetup.MinimumLength, ErrorMessage = "Le mot de passe doit compter au moins 10 caractères.")]
    [DataType(DataType.Password)]
    [Display(Name = "Nouveau mot de passe")]
    public string Password { get; set; } = "";

    [BindProperty]
    [Compare(nameof(Password), ErrorMessage = "Les deux mots de passe ne sont pas identiques.")]
    [DataType(DataType.Password)]
    [Display(Name = "Confirmez le mot de passe")]
    public string Confirmation { get; set; } = "";

    public bool Usable { get; private set; }
    public string? UserName { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        var found = await setup.FindAsync<TAccount>(kind, token, ct);
        (Usable, UserName) = (found is not null, found?.UserName);
        if (!Usable)
            Response.StatusCode = StatusCodes.Status410Gone;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        var found = await setup.FindAsync<TAccount>(kind, token, ct);
        (Usable, UserName) = (found is not null, found?.UserName);
        if (found is null)
        {
            Response.StatusCode = StatusCodes.Status410Gone;
            return Page();
        }
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        if (!await setup.SetAsync<TAccount>(found, Password, ct))
        {
            Usable = false;
            Response.StatusCode = StatusCodes.Status410Gone;
            return Page();
        }
        TempData["Message"] = "Votre mot de passe est enregistré : vous pouvez vous connecter.";
        return LocalRedirect(loginPath);
    }
}

/// <summary>
/// "Mot de passe oublié" for one kind of account: mails a single-use link valid one hour. The page answers the
/// same whether or not an account matches, so it cannot be used to find out who has one.
/// </summary>
public abstract class ForgotPasswordPage(PasswordResets resets, AccountKind kind) : PageModel
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
        await resets.RequestAsync(kind, Login, ct);
        Sent = true;
        return Page();
    }
}
