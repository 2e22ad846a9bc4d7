using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// Creating referrals: one offer, one or several candidates at once, the company contact, and which of each
/// candidate's documents the company may see. The offer mail goes to each candidate. Works without JavaScript:
/// the offer is chosen first, then the page offers that company's contacts.
/// </summary>
public sealed class NewReferralModel(PasserelleDb db, ReferralActions actions) : SchoolPage(db)
{
    [BindProperty(SupportsGet = true, Name = "offre")]
    public Guid? OfferId { get; set; }

    [BindProperty]
    public Guid? ContactId { get; set; }

    [BindProperty]
    public List<Guid> CandidateIds { get; set; } = [];

    /// <summary>Checked documents, as "candidateId:documentId".</summary>
    [BindProperty]
    public List<string> Documents { get; set; } = [];

    public IReadOnlyList<(Guid Id, string Title, string Company)> Offers { get; private set; } = [];
    public (Guid Id, string Title, string Company)? Offer { get; private set; }
    public IReadOnlyList<(Guid Id, string Name)> Contacts { get; private set; } = [];
    public IReadOnlyList<CandidateChoice> Candidates { get; private set; } = [];
    public IReadOnlyList<string> Results { get; private set; } = [];

    public sealed record CandidateChoice(Guid Id, string Name, IReadOnlyList<(Guid Id, string Label)> Documents);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (Offer is null)
            return Refused("Choisissez une offre active.");
        if (ContactId is null || Contacts.All(c => c.Id != ContactId))
            return Refused("Choisissez le contact de l'entreprise qui recevra les candidatures.");
        if (CandidateIds.Count == 0)
            return Refused("Cochez au moins un candidat.");

        var shared = Documents.Select(d => d.Split(':')).Where(p => p.Length == 2 && Guid.TryParse(p[0], out _) && Guid.TryParse(p[1], out _))
            .GroupBy(p => Guid.Parse(p[0]), p => Guid.Parse(p[1])).ToDictionary(g => g.Key, g => g.ToList());
        var results = new List<string>();
        foreach (var candidateId in CandidateIds.Distinct())
        {
            var name = Candidates.FirstOrDefault(c => c.Id == candidateId)?.Name ?? "Candidat inconnu";
            var (_, result) = await actions.ProposeAsync(candidateId, Offer.Value.Id, ContactId.Value, shared.GetValueOrDefault(candidateId, []),
                Acting(), StaffId, ct);
            results.Add(result.Succeeded ? $"{name} : mise en relation créée, l'offre lui est envoyée par e-mail." : $"{name} : {result.Refusal!.Message}");
        }
        TempData["Message"] = string.Join("\n", results);
        return RedirectToPage("ReferralList");
    }


    private async Task LoadAsync(CancellationToken ct)
    {
        Offers = (await (from o in Db.JobOffers
                         where o.IsActive && !Db.SchoolCompanies.Any(l => l.CompanyId == o.CompanyId && l.DeactivatedAt != null)
                         join c in Db.Companies on o.CompanyId equals c.Id
                         orderby o.Title
                         select new { o.Id, o.Title, c.Name })
            .ToListAsync(ct)).Select(o => (o.Id, o.Title, o.Name)).ToList();
        Offer = Offers.FirstOrDefault(o => o.Id == OfferId) is { Id: var id } chosen && id != Guid.Empty ? chosen : null;
        if (Offer is null)
            return;
        var companyId = await Db.JobOffers.Where(o => o.Id == Offer.Value.Id).Select(o => o.CompanyId).SingleAsync(ct);
        Contacts = (await (from link in Db.SchoolContacts
                           join contact in Db.CompanyContacts on link.ContactId equals contact.Id
                           where contact.CompanyId == companyId && link.DeactivatedAt == null
                           orderby contact.LastName
                           select new { contact.Id, contact.LastName, contact.FirstName }).ToListAsync(ct))
            .Select(c => (c.Id, PersonName.Display(c.LastName, c.FirstName))).ToList();
        var candidates = await Db.Candidates.AsNoTracking().Where(c => c.ErasedAt == null).OrderBy(c => c.LastName).ThenBy(c => c.FirstName).ToListAsync(ct);
        var documents = (await Db.Documents.AsNoTracking().Where(d => d.RemovedAt == null).ToListAsync(ct)).ToLookup(d => d.CandidateId);
        Candidates = candidates.Select(c => new CandidateChoice(c.Id, c.DisplayName,
            documents[c.Id].OrderBy(d => d.Kind).ThenBy(d => d.Title, StringComparer.Ordinal).Select(d => (d.Id, d.Label)).ToList())).ToList();
    }
}
