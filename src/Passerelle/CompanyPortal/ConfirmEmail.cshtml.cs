using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Passerelle.Accounts;
using Passerelle.Changes;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// The link mailed to a contact's new address. Opening it changes nothing (mail scanners open links); the button confirms,
/// and the address (and the login, when it was the old address) becomes the contact's.
/// </summary>
[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class ConfirmEmailModel(PasserelleDb db, TimeProvider clock) : PageModel
{
    public string? NewEmail { get; private set; }
    public string? Problem { get; private set; }
    public bool Confirmed { get; private set; }
    public string? UserName { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        var (contact, _) = await Corrections.PendingEmailAsync(db, token, clock.GetUtcNow(), ct);
        if (contact is null)
            return Gone(Corrections.InvalidConfirmation);
        NewEmail = contact.PendingEmail;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        var (contact, problem) = await Corrections.ConfirmEmailAsync(db, token, clock.GetUtcNow(), ct);
        if (contact is null)
            return Gone(problem!);
        (Confirmed, NewEmail, UserName) = (true, contact.Email, contact.UserName);
        return Page();
    }

    private PageResult Gone(string problem)
    {
        Problem = problem;
        Response.StatusCode = StatusCodes.Status410Gone;
        return Page();
    }
}
