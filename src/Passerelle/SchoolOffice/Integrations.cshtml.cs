using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Api;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// School admins connect the school's own platform: API keys (created with a name, shown once, revoked at once), with who
/// created each and when it was last used.
/// </summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class IntegrationsModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    /// <summary>The key just created: shown in this answer only, never stored.</summary>
    public (string Name, string Secret)? NewKey { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Keys = await ApiKeys.ListAsync(Db, ct);

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var staff = await Db.Staff.AsNoTracking().SingleAsync(s => s.Id == StaffId, ct);
        var (key, secret, problem) = await ApiKeys.CreateAsync(Db, Name, staff, clock.GetUtcNow(), ct);
        Keys = await ApiKeys.ListAsync(Db, ct);
        if (problem is not null)
        {
            Error = problem;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        // The page that shows the key is kept by no cache and no history.
        Response.Headers.CacheControl = "no-store";
        NewKey = (key!.Name, secret!);
        Name = null;
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid keyId, CancellationToken ct)
    {
        if (!await ApiKeys.RevokeAsync(Db, keyId, clock.GetUtcNow(), ct))
            return NotFound();
        var name = await Db.ApiKeys.Where(k => k.Id == keyId).Select(k => k.Name).SingleAsync(ct);
        Message = $"La clé « {name} » est révoquée : les requêtes qui la présentent sont refusées dès maintenant.";
        return RedirectToPage();
    }
}
