using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Passerelle.Accounts;

/// <summary>Choosing a password from a mailed link, for one kind of account; the portals' pages only say which.</summary>
[Passerelle.Hosting.ShowsFormErrors]
public abstract class SetPasswordPage<TAccount>(PasswordSetup setup, AccountKind kind, string loginPage) : PageModel
    where TAccount : class, IAccount
{
    [BindProperty]
    [Required(ErrorMessage = "Choisissez un mot de passe.")]
    [StringLength(200, MinimumLength = PasswordPolicy.MinimumLength, ErrorMessage = "Le mot de passe doit compter au moins 10 caractères.")]
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
        if (ModelState.IsValid && PasswordPolicy.Problem(Password, found.UserName) is { } weak)
            ModelState.AddModelError(nameof(Password), weak);
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
        return RedirectToPage(loginPage);
    }
}

/// <summary>
/// "Mot de passe oublié" for one kind of account: mails a single-use link valid one hour. The page answers the
/// same whether or not an account matches, so it cannot be used to find out who has one.
/// </summary>
[Passerelle.Hosting.ShowsFormErrors]
public abstract class ForgotPasswordPage(PasswordResets resets, AccountKind kind) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Indiquez votre nom d'utilisateur ou votre adresse e-mail.")]
    [StringLength(200, ErrorMessage = "Votre nom d'utilisateur ou votre adresse e-mail compte 200 caractères au plus.")]
    [Display(Name = "Nom d'utilisateur ou adresse e-mail")]
    public string Login { get; set; } = "";

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        await resets.RequestAsync(kind, Login, ct);
        Sent = true;
        return Page();
    }
}

/// <summary>
/// A portal's login form, for one kind of account: the same checks, lockout and messages in both portals; each
/// portal only says how it opens its session and where it starts.
/// </summary>
[Passerelle.Hosting.ShowsFormErrors]
public abstract class LoginPage<TAccount>(PasswordSignIn signIn, AccountKind kind, string portalPath) : PageModel
    where TAccount : class, IAccount
{
    /// <summary>The one answer to every failed login, whatever its cause (see <see cref="PasswordSignIn"/>).</summary>
    public const string Refused =
        "Connexion refusée : nom d'utilisateur ou mot de passe incorrect. Après cinq essais manqués, patientez quelques minutes " +
        "avant de réessayer, ou réinitialisez votre mot de passe.";

    [BindProperty]
    [Required(ErrorMessage = "Indiquez votre nom d'utilisateur.")]
    [StringLength(200, ErrorMessage = "Le nom d'utilisateur compte 200 caractères au plus.")]
    [Display(Name = "Nom d'utilisateur")]
    public string UserName { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Indiquez votre mot de passe.")]
    [StringLength(200, ErrorMessage = "Le mot de passe compte 200 caractères au plus.")]
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
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var clientAddress = Passerelle.Hosting.ClientAddress.Of(HttpContext);
        var account = await signIn.SignInAsync<TAccount>(kind, UserName, Password, clientAddress, ct);
        if (account is null)
        {
            Error = Refused;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        if (await OpenSessionAsync(account, ct) is { } refusal)
        {
            Error = refusal;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        return ReturnUrl is not null && Url.IsLocalUrl(ReturnUrl) && ReturnUrl.StartsWith(portalPath, StringComparison.Ordinal)
            ? LocalRedirect(ReturnUrl)
            : RedirectToPage(StartPage);
    }

    /// <summary>The page where the portal starts after a login without a return address.</summary>
    protected abstract string StartPage { get; }

    /// <summary>Opens the session of an account whose password was right; or says, in French, why it has no access any more.</summary>
    protected abstract Task<string?> OpenSessionAsync(TAccount account, CancellationToken ct);
}

/// <summary>
/// Logging out of a portal, for one kind of account: the session ends on the server too (the account's stamp changes,
/// so the cookie or a copy of it opens nothing), then the cookie goes. The portals' pages say which scheme and where.
/// </summary>
public abstract class LogoutPage<TAccount>(Storage.PasserelleDb db, string scheme, string homePage, string loginPage) : PageModel
    where TAccount : class, IAccount
{
    public IActionResult OnGet() => RedirectToPage(homePage);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Guid.TryParse(User.FindFirstValue(System.Security.Claims.ClaimTypes.NameIdentifier), out var accountId))
            await SessionValidation.EndSessionsAsync<TAccount>(db, accountId, ct);
        await HttpContext.SignOutAsync(scheme);
        return RedirectToPage(loginPage);
    }
}
