using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Passerelle.Email.DevMailbox;

public sealed class MailboxModel(DevMailbox mailbox) : PageModel
{
    public IReadOnlyList<DevMailbox.Entry> Mails { get; private set; } = [];
    public DevMailbox.Entry? Selected { get; private set; }

    public IActionResult OnGet(string? file)
    {
        if (!mailbox.IsOpen)
            return NotFound();
        if (file is not null)
        {
            Selected = mailbox.Find(file);
            return Selected is null ? NotFound() : Page();
        }
        Mails = mailbox.List();
        return Page();
    }
}
