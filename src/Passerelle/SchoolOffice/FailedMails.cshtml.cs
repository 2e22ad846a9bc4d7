using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>School admins see the mails that could not be delivered, with the last error, and can send them again.</summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class FailedMailsModel(PasserelleDb db, TimeProvider clock, OutboxSignal signal) : SchoolPage(db)
{
    public IReadOnlyList<OutboxMessage> Mails { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var schoolId = SchoolId;
        Mails = await Db.OutboxMessages.AsNoTracking()
            .Where(m => m.SchoolId == schoolId && m.State == OutboxState.Failed)
            .OrderByDescending(m => m.CreatedAt).Take(200).ToListAsync(ct);
    }

    public async Task<IActionResult> OnPostRetryAsync(Guid id, CancellationToken ct)
    {
        var schoolId = SchoolId;
        var now = clock.GetUtcNow();
        var retried = await Db.OutboxMessages.Where(m => m.Id == id && m.SchoolId == schoolId && m.State == OutboxState.Failed)
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.State, OutboxState.Pending)
                .SetProperty(m => m.Attempts, 0)
                .SetProperty(m => m.FailingSince, (DateTimeOffset?)null)
                .SetProperty(m => m.NextAttemptAt, now), ct);
        if (retried == 0)
            return NotFound();
        // An update, not a new row: the save interceptor (OutboxWakeUp) does not see it, so wake the dispatcher here.
        signal.Notify();
        Message = "Le mail repart : il sera envoyé dans quelques instants.";
        return RedirectToPage();
    }
}
