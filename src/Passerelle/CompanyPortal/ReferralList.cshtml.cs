using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>The contact's referrals in the chosen school, with the document's columns; 20 a page, newest first.</summary>
public sealed class ReferralListModel(PasserelleDb db) : CompanyPage(db)
{
    public const int PageSize = 20;

    // "page" is taken by Razor Pages' own route value.
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    /// <summary>"a-traiter": only the referrals waiting for this company's answer.</summary>
    [BindProperty(SupportsGet = true, Name = "filtre")]
    public string? Filter { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    /// <summary>"ancien" lists the oldest first.</summary>
    [BindProperty(SupportsGet = true, Name = "tri")]
    public string? Sort { get; set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public bool ToHandleOnly => Filter == "a-traiter";
    public bool OldestFirst => Sort == "ancien";

    public sealed record DocumentLink(Guid Id, string Label);

    public sealed record Row(
        Guid Id, string Offer, string Candidate, IReadOnlyList<DocumentLink> Documents, DateTimeOffset ReferredAt,
        string? CandidateAnswer, string? CompanyAnswer, string? AppointmentAnswer, bool ToHandle, bool Cancelled);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadSchoolAsync(ct))
            return LocalRedirect("/entreprise");
        PageNumber = Math.Max(1, PageNumber);
        var contactId = ContactId;
        var query =
            from r in Db.Referrals
            where r.ContactId == contactId
            join c in Db.Candidates on r.CandidateId equals c.Id
            join o in Db.JobOffers on r.JobOfferId equals o.Id
            select new { r, c.LastName, c.FirstName, o.Title };
        if (ToHandleOnly)
            query = query.Where(x => x.r.Stage == ReferralStage.AwaitingCompany);
        if (!string.IsNullOrWhiteSpace(Search))
        {
            var term = Search.Trim().ToLowerInvariant();
            query = query.Where(x => x.LastName.ToLower().Contains(term) || x.FirstName.ToLower().Contains(term) || x.Title.ToLower().Contains(term));
        }

        Total = await query.CountAsync(ct);
        PageNumber = Math.Min(PageNumber, PageCount);
        var ordered = OldestFirst
            ? query.OrderBy(x => x.r.CreatedAt).ThenBy(x => x.r.Id)
            : query.OrderByDescending(x => x.r.CreatedAt).ThenByDescending(x => x.r.Id);
        var rows = await ordered.Skip((PageNumber - 1) * PageSize).Take(PageSize).AsNoTracking().ToListAsync(ct);

        var ids = rows.Select(x => x.r.Id).ToList();
        var documents = (await (
            from shared in Db.ReferralDocuments
            where ids.Contains(shared.ReferralId)
            join d in Db.Documents on shared.DocumentId equals d.Id
            select new { shared.ReferralId, d.Id, d.Kind, d.Title }).ToListAsync(ct))
            .GroupBy(d => d.ReferralId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<DocumentLink>)g.OrderBy(d => d.Kind).ThenBy(d => d.Title, StringComparer.Ordinal)
                .Select(d => new DocumentLink(d.Id, $"{Document.KindLabel(d.Kind)} - {d.Title}")).ToList());

        Rows = rows.Select(x => new Row(
            x.r.Id, x.Title, Passerelle.Schools.PersonName.Display(x.LastName, x.FirstName), documents.GetValueOrDefault(x.r.Id, []), x.r.CreatedAt,
            TimelineText.OfferColumn(x.r), TimelineText.CompanyColumn(x.r), TimelineText.AppointmentColumn(x.r),
            x.r.Stage == ReferralStage.AwaitingCompany, x.r.IsCancelled)).ToList();
        return Page();
    }

    public string PageUrl(int page, bool? toHandle = null, bool? oldest = null)
    {
        var parameters = new List<string>();
        if (page > 1)
            parameters.Add($"p={page}");
        if (toHandle ?? ToHandleOnly)
            parameters.Add("filtre=a-traiter");
        if (!string.IsNullOrWhiteSpace(Search))
            parameters.Add($"q={Uri.EscapeDataString(Search.Trim())}");
        if (oldest ?? OldestFirst)
            parameters.Add("tri=ancien");
        return "/entreprise/candidats" + (parameters.Count == 0 ? "" : "?" + string.Join('&', parameters));
    }
}
