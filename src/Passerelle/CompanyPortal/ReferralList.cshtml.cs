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
        var referrals = Db.Referrals.Where(r => r.ContactId == contactId);
        if (ToHandleOnly)
            referrals = referrals.Where(r => r.Stage == ReferralStage.AwaitingCompany);
        if (!string.IsNullOrWhiteSpace(Search))
        {
            var term = Search.Trim().ToLowerInvariant();
            referrals = referrals.Where(r =>
                Db.Candidates.Any(c => c.Id == r.CandidateId && (c.LastName.ToLower().Contains(term) || c.FirstName.ToLower().Contains(term)))
                || Db.JobOffers.Any(o => o.Id == r.JobOfferId && o.Title.ToLower().Contains(term)));
        }

        // One query gives the page and the total: the page's 20 referrals come first, straight from the (school,
        // contact, created_at) index, and only those 20 are joined to their candidate, offer and shared documents
        // (joining first made the database sort every referral). A page past the end is counted, then shown last.
        var rows = await PageAsync(referrals, PageNumber, ct);
        if (rows.Count == 0 && PageNumber > 1)
        {
            Total = await referrals.CountAsync(ct);
            PageNumber = PageCount;
            rows = await PageAsync(referrals, PageNumber, ct);
        }
        Total = rows.Count > 0 ? rows[0].Total : 0;

        Rows = rows.Select(x => new Row(
            x.Referral.Id, x.Title, Passerelle.Schools.PersonName.Display(x.LastName, x.FirstName),
            x.Documents.OrderBy(d => d.Kind).ThenBy(d => d.Title, StringComparer.Ordinal)
                .Select(d => new DocumentLink(d.Id, $"{Document.KindLabel(d.Kind)} - {d.Title}")).ToList(),
            x.Referral.CreatedAt, TimelineText.OfferColumn(x.Referral), TimelineText.CompanyColumn(x.Referral), TimelineText.AppointmentColumn(x.Referral),
            x.Referral.Stage == ReferralStage.AwaitingCompany, x.Referral.IsCancelled)).ToList();
        return Page();
    }

    private sealed record SharedDocument(Guid Id, DocumentKind Kind, string Title);

    private sealed record Listed(Referral Referral, string LastName, string FirstName, string Title, int Total, List<SharedDocument> Documents);

    private Task<List<Listed>> PageAsync(IQueryable<Referral> referrals, int pageNumber, CancellationToken ct)
    {
        var page = (OldestFirst
                ? referrals.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)
                : referrals.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id))
            .Skip((pageNumber - 1) * PageSize).Take(PageSize);
        var joined =
            from r in page
            join c in Db.Candidates on r.CandidateId equals c.Id
            join o in Db.JobOffers on r.JobOfferId equals o.Id
            select new { r, c.LastName, c.FirstName, o.Title };
        joined = OldestFirst
            ? joined.OrderBy(x => x.r.CreatedAt).ThenBy(x => x.r.Id)
            : joined.OrderByDescending(x => x.r.CreatedAt).ThenByDescending(x => x.r.Id);
        return joined.Select(x => new Listed(x.r, x.LastName, x.FirstName, x.Title, referrals.Count(),
                (from shared in Db.ReferralDocuments
                 where shared.ReferralId == x.r.Id
                 join d in Db.Documents on shared.DocumentId equals d.Id
                 select new SharedDocument(d.Id, d.Kind, d.Title)).ToList()))
            .AsNoTracking().ToListAsync(ct);
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
