using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// "Mot de passe oublié": mails a single-use link valid one hour. The page answers the same whether or not
/// an account matches, so it cannot be used to find out who has one.
/// </summary>
[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class ForgotPasswordModel(PasserelleDb db, TimeProvider clock, OutboxSignal signal) : PageModel
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
        var login = Login.Trim().ToLowerInvariant();
        var contact = await db.CompanyContacts.AsNoTracking()
            .Where(c => c.UserName.ToLower() == login || c.Email.ToLower() == login)
            .Select(c => new { c.Id, c.Email, c.DisplayName }).FirstOrDefaultAsync(ct);
        if (contact is not null)
        {
            var message = Outbox.New(null, TemplateKeys.ContactPasswordReset, Recipient.Address, clock.GetUtcNow());
            message.ToAddress = contact.Email;
            message.ToName = contact.DisplayName;
            message.ToPersonId = contact.Id;
            db.OutboxMessages.Add(message);
            await db.SaveChangesAsync(ct);
            signal.Notify();
        }
        Sent = true;
        return Page();
    }
}
