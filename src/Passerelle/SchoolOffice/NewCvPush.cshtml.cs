using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.CvPushes;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// "Nouveau push": candidates whose consent is recorded, the documents each company may see, one or more company contacts
/// (searched by company or name), an optional message. One mail per contact. Works without JavaScript: the contact search
/// is a GET that narrows the list, then the choices are posted.
/// </summary>
public sealed class NewCvPushModel(PasserelleDb db, CvPushActions actions) : SchoolPage(db)
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty]
    public List<Guid> CandidateIds { get; set; } = [];

    /// <summary>Checked documents, as "candidateId:documentId".</summary>
    [BindProperty]
    public List<string> Documents { get; set; } = [];

    [BindProperty]
    public List<Guid> ContactIds { get; set; } = [];

    [BindProperty]
    [System.ComponentModel.DataAnnotations.StringLength(2000, ErrorMessage = "Le message ne peut dépasser 2000 caractères.")]
    public string? Message { get; set; }

    public sealed record CandidateChoice(Guid Id, string Name, IReadOnlyList<(Guid Id, string Label)> Documents);

    public sealed record ContactChoice(Guid Id, string Name, string Company);

    public IReadOnlyList<CandidateChoice> Candidates { get; private set; } = [];
    public int CandidatesWithoutConsent { get; private set; }
    public IReadOnlyList<ContactChoice> Contacts { get; private set; } = [];

    /// <summary>The contacts listed at once; past that, the search narrows the list (the page says so).</summary>
    public const int MaxContactsListed = 200;

    public bool MoreContacts { get; private set; }
    public IReadOnlyList<string> Problems { get; private set; } = [];
    public bool Posted { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!PushCv)
            return NotFound();
        await LoadAsync(ct);
        return Page();
    }

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!PushCv)
            return NotFound();
        Posted = true;
        if (!ModelState.IsValid)
            return await RefusedAsync([Passerelle.Hosting.FormValidation.FirstError(ModelState) ?? "Vérifiez le formulaire."], ct);
        var shared = Documents.Select(d => d.Split(':')).Where(p => p.Length == 2 && Guid.TryParse(p[0], out _) && Guid.TryParse(p[1], out _))
            .GroupBy(p => Guid.Parse(p[0]), p => Guid.Parse(p[1])).ToDictionary(g => g.Key, g => g.ToList());
        var profiles = CandidateIds.Distinct().Select(id => new ProfileToPush(id, shared.GetValueOrDefault(id, []))).ToList();
        var result = await actions.PushAsync(profiles, ContactIds.Distinct().ToList(), Message, Acting(), ct);
        if (!result.Succeeded)
            return await RefusedAsync(result.Problems, ct);
        TempData["Message"] = $"{profiles.Count} profil(s) proposé(s) à {result.PushIds.Count} contact(s) : un e-mail part à chacun.";
        return RedirectToPage("CvPushList");
    }

    private async Task<IActionResult> RefusedAsync(IReadOnlyList<string> problems, CancellationToken ct)
    {
        Problems = problems;
        await LoadAsync(ct);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var candidates = await Db.Candidates.AsNoTracking().Where(c => c.PushConsentAt != null)
            .OrderBy(c => c.LastName).ThenBy(c => c.FirstName).ToListAsync(ct);
        CandidatesWithoutConsent = await Db.Candidates.CountAsync(c => c.PushConsentAt == null, ct);
        var ids = candidates.Select(c => c.Id).ToList();
        var documents = (await Db.Documents.AsNoTracking().Where(d => ids.Contains(d.CandidateId) && d.RemovedAt == null).ToListAsync(ct)).ToLookup(d => d.CandidateId);
        Candidates = candidates.Select(c => new CandidateChoice(c.Id, c.DisplayName,
            documents[c.Id].OrderBy(d => d.Kind).ThenBy(d => d.Title, StringComparer.Ordinal).Select(d => (d.Id, d.Label)).ToList())).ToList();

        var contacts =
            from link in Db.SchoolContacts
            where link.DeactivatedAt == null
            join contact in Db.CompanyContacts on link.ContactId equals contact.Id
            join company in Db.Companies on contact.CompanyId equals company.Id
            where !Db.SchoolCompanies.Any(c => c.CompanyId == company.Id && c.DeactivatedAt != null)
            select new { contact.Id, contact.LastName, contact.FirstName, Company = company.Name };
        if (!string.IsNullOrWhiteSpace(Search))
        {
            var term = Search.Trim().ToLowerInvariant();
            contacts = contacts.Where(c => c.LastName.ToLower().Contains(term) || c.FirstName.ToLower().Contains(term) || c.Company.ToLower().Contains(term)
                || ContactIds.Contains(c.Id));
        }
        var listed = await contacts.OrderBy(c => c.Company).ThenBy(c => c.LastName).Take(MaxContactsListed + 1).ToListAsync(ct);
        MoreContacts = listed.Count > MaxContactsListed;
        Contacts = listed.Take(MaxContactsListed).Select(c => new ContactChoice(c.Id, PersonName.Display(c.LastName, c.FirstName), c.Company)).ToList();
    }

    /// <summary>A document is checked by default on a fresh page; after a refused post, as it was posted.</summary>
    public bool IsChecked(Guid candidateId, Guid documentId) => !Posted || Documents.Contains($"{candidateId}:{documentId}");
}
