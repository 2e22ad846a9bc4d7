using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Passerelle.Accounts;
using Passerelle.Schools;

namespace Passerelle.SchoolOffice;

/// <summary>A staff member chooses a password from a reset or credentials link.</summary>
public sealed class SetPasswordModel(PasswordSetup setup) : PageModel
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
        var found = await setup.FindAsync<Staff>(AccountKind.Staff, token, ct);
        (Usable, UserName) = (found is not null, found?.UserName);
        if (!Usable)
            Response.StatusCode = StatusCodes.Status410Gone;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        var found = await setup.FindAsync<Staff>(AccountKind.Staff, token, ct);
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
        if (!await setup.SetAsync<Staff>(found, Password, ct))
        {
            Usable = false;
            Response.StatusCode = StatusCodes.Status410Gone;
            return Page();
        }
        TempData["Message"] = "Votre mot de passe est enregistré : vous pouvez vous connecter.";
        return LocalRedirect("/ecole/connexion");
    }
}
