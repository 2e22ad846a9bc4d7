using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>Choosing a password from a reset or credentials link: single use, short validity; also unlocks the account.</summary>
public sealed class SetPasswordModel(PasserelleDb db, TimeProvider clock) : PageModel
{
    public const int MinimumLength = 10;

    [BindProperty]
    [Required(ErrorMessage = "Choisissez un mot de passe.")]
    [StringLength(200, MinimumLength = MinimumLength, ErrorMessage = "Le mot de passe doit compter au moins 10 caractères.")]
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
        var found = await FindAsync(token, ct);
        Usable = found is not null;
        UserName = found?.UserName;
        if (!Usable)
            Response.StatusCode = StatusCodes.Status410Gone;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        var found = await FindAsync(token, ct);
        Usable = found is not null;
        UserName = found?.UserName;
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

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Single use, even with two submissions at once: only one marks the token used.
        var claimed = await db.AccountTokens.Where(t => t.Id == found.TokenId && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);
        if (claimed == 0)
        {
            Usable = false;
            Response.StatusCode = StatusCodes.Status410Gone;
            return Page();
        }
        var contact = await db.CompanyContacts.AsNoTracking().SingleAsync(c => c.Id == found.ContactId, ct);
        var hash = PasswordSignIn.Hash(contact, Password);
        await db.CompanyContacts.Where(c => c.Id == found.ContactId).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.PasswordHash, hash)
            .SetProperty(c => c.FailedLogins, 0)
            .SetProperty(c => c.LockedUntil, (DateTimeOffset?)null), ct);
        await transaction.CommitAsync(ct);
        TempData["Message"] = "Votre mot de passe est enregistré : vous pouvez vous connecter.";
        return LocalRedirect("/entreprise/connexion");
    }

    private sealed record Found(Guid TokenId, Guid ContactId, string UserName);

    private async Task<Found?> FindAsync(string token, CancellationToken ct)
    {
        if (!SecretToken.TryParse(token, out var id, out var secretHash))
            return null;
        var stored = await db.AccountTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (stored is null || stored.AccountKind != AccountKind.CompanyContact || stored.UsedAt is not null
            || stored.ExpiresAt <= clock.GetUtcNow() || !SecretToken.Matches(stored.SecretHash, secretHash))
            return null;
        var userName = await db.CompanyContacts.Where(c => c.Id == stored.AccountId).Select(c => c.UserName).SingleOrDefaultAsync(ct);
        return userName is null ? null : new Found(stored.Id, stored.AccountId, userName);
    }
}
