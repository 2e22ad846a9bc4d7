using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>School admins: how long the links in mails stay valid (1 to 60 days; 7 by default).</summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class SettingsModel(PasserelleDb db) : SchoolPage(db)
{
    [BindProperty]
    [Range(1, 60, ErrorMessage = "La validité des liens va de 1 à 60 jours.")]
    [Display(Name = "Validité des liens des mails (jours)")]
    public int LinkValidityDays { get; set; }

    [TempData]
    public string? Message { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var schoolId = SchoolId;
        LinkValidityDays = await Db.Schools.Where(s => s.Id == schoolId).Select(s => s.LinkValidityDays).SingleAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var schoolId = SchoolId;
        var days = LinkValidityDays;
        await Db.Schools.Where(s => s.Id == schoolId).ExecuteUpdateAsync(set => set.SetProperty(s => s.LinkValidityDays, days), ct);
        Message = $"Les liens des prochains mails seront valables {days} jour(s).";
        return Redirect("/ecole/parametres");
    }
}
