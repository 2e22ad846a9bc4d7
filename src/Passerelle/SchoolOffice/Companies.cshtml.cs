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
    [StringLength(200, ErrorMessage = "Le nom de l'entreprise ne peut dépasser 200 caractères.")]
    [Display(Name = "Nom de l'entreprise")]
    public string Name { get; set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Indiquez le SIRET.")]
    [Display(Name = "SIRET (14 chiffres)")]
    public string SiretText { get; set; } = "";

    public IReadOnlyList<(Guid Id, string Name, string Siret, bool Deactivated)> Rows { get; private set; } = [];
    public Guid? ExistingId { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (!ModelState.IsValid)
            return Refused(null);
        var (company, problem) = await CompanyRecords.AddAsync(Db, Name, SiretText, null, addExisting: false, clock.GetUtcNow(), ct);
        if (problem is not null)
        {
            // A company is shared by its SIRET (public, like its registered name); what other schools hold of it is not.
            if (company is not null && Rows.Any(r => r.Id == company.Id))
                ExistingId = company.Id;
            else if (company is not null)
                ExistingSiret = company.Siret;
            return Refused(problem);
        }
        TempData["Message"] = $"{company!.Name} est ajoutée. Ajoutez ses contacts et ses offres.";
        return RedirectToPage("CompanyDetail", new { id = company.Id });
    }

    /// <summary>"Ajouter à votre liste": this school starts working with a company that exists under this SIRET.</summary>
    /// <remarks>Its only input is the SIRET, checked here; the new-company fields of the page are not part of it.</remarks>
    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAddExistingAsync(string siret, CancellationToken ct)
    {
        if (Siret.Normalize(siret) is not { } normalized || await Db.Companies.AsNoTracking().SingleOrDefaultAsync(c => c.Siret == normalized, ct) is not { } company)
            return NotFound();
        // Already in the list (a colleague added it meanwhile): the same outcome.
        await CompanyRecords.AddAsync(Db, company.Name, normalized, null, addExisting: true, clock.GetUtcNow(), ct);
        TempData["Message"] = $"{company.Name} est ajoutée à votre liste. Ajoutez ses contacts et ses offres.";
        return RedirectToPage("CompanyDetail", new { id = company.Id });
    }

    /// <summary>The SIRET of an existing company this school may add to its list.</summary>
    public string? ExistingSiret { get; private set; }


    private async Task LoadAsync(CancellationToken ct)
    {
        Rows = (await (from link in Db.SchoolCompanies
                       join c in Db.Companies on link.CompanyId equals c.Id
                       orderby link.DeactivatedAt != null, c.Name
                       select new { c.Id, c.Name, c.Siret, Deactivated = link.DeactivatedAt != null }).AsNoTracking().ToListAsync(ct))
            .Select(c => (c.Id, c.Name, c.Siret, c.Deactivated)).ToList();
    }
}
