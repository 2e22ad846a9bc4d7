using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Companies;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>The companies the school works with, and adding one by its SIRET (checked; a duplicate points to the existing one).</summary>
public sealed class CompaniesModel(PasserelleDb db, TimeProvider clock) : SchoolPage(db)
{
    [BindProperty]
    [Required(ErrorMessage = "Indiquez le nom de l'entreprise.")]
    [StringLength(200)]
    [Display(Name = "Nom de l'entreprise")]
    public string Name { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Indiquez le SIRET.")]
    [Display(Name = "SIRET (14 chiffres)")]
    public string SiretText { get; set; } = "";

    public IReadOnlyList<(Guid Id, string Name, string Siret)> Rows { get; private set; } = [];
    public Guid? ExistingId { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (!ModelState.IsValid)
            return Invalid(null);
        if (Siret.Normalize(SiretText) is not { } siret)
            return Invalid("Ce SIRET n'est pas valide : il compte 14 chiffres et sa clé de contrôle doit être juste.");
        if (await Db.Companies.AsNoTracking().SingleOrDefaultAsync(c => c.Siret == siret, ct) is { } existing)
        {
            ExistingId = existing.Id;
            return Invalid($"Une entreprise porte déjà ce SIRET : {existing.Name}.");
        }
        var company = new Company { Id = Guid.CreateVersion7(), Name = Name.Trim(), Siret = siret, CreatedAt = clock.GetUtcNow() };
        try
        {
            Db.Companies.Add(company);
            await Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Invalid("Une entreprise porte déjà ce SIRET : elle vient d'être ajoutée.");
        }
        TempData["Message"] = $"{company.Name} est ajoutée. Ajoutez ses contacts et ses offres.";
        return Redirect($"/ecole/entreprises/{company.Id}");
    }

    private Microsoft.AspNetCore.Mvc.RazorPages.PageResult Invalid(string? message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var ids = await Db.JobOffers.Select(o => o.CompanyId)
            .Union(from link in Db.SchoolContacts join c in Db.CompanyContacts on link.ContactId equals c.Id select c.CompanyId)
            .ToListAsync(ct);
        Rows = (await Db.Companies.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Name).ToListAsync(ct))
            .Select(c => (c.Id, c.Name, c.Siret)).ToList();
    }
}
