using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>Every referral of the school with its stage and the three answers; filters, search, paging, CSV export.</summary>
public sealed class ReferralListModel(PasserelleDb db) : SchoolPage(db)
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    [BindProperty(SupportsGet = true, Name = "etape")]
    public ReferralStage? Stage { get; set; }

    [BindProperty(SupportsGet = true, Name = "offre")]
    public Guid? OfferId { get; set; }

    [BindProperty(SupportsGet = true, Name = "entreprise")]
    public Guid? CompanyId { get; set; }

    [BindProperty(SupportsGet = true, Name = "charge")]
    public Guid? CreatedBy { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public IReadOnlyList<(Guid Id, string Name)> Offers { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Name)> Companies { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Name)> StaffMembers { get; private set; } = [];

    public sealed record Row(
        Guid Id, DateTimeOffset ReferredAt, string Candidate, string Offer, string Company, string Contact, string CreatedBy,
        ReferralStage Stage, string? CandidateAnswer, string? CompanyAnswer, string? AppointmentAnswer);

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadChoicesAsync(ct);
        var query = Filtered();
        Total = await query.CountAsync(ct);
        PageNumber = Math.Clamp(PageNumber, 1, PageCount);
        Rows = await Project(query.Skip((PageNumber - 1) * PageSize).Take(PageSize), ct);
    }

    /// <summary>The same rows as a CSV file (<see cref="CsvExport"/>).</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        var rows = await Project(Filtered(), ct);
        string[] headers = ["Date de mise en relation", "Candidat", "Offre", "Entreprise", "Contact", "Chargé(e)", "Étape",
            "Réponse du candidat", "Réponse de l'entreprise", "Réponse du candidat au RDV"];
        var bytes = CsvExport.Build(headers, rows.Select(row => new[] { ParisTime.Date(row.ReferredAt), row.Candidate, row.Offer, row.Company,
            row.Contact, row.CreatedBy, StageLabel(row.Stage), row.CandidateAnswer ?? "", row.CompanyAnswer ?? "", row.AppointmentAnswer ?? "" }));
        return File(bytes, CsvExport.ContentType, CsvExport.FileName("mises-en-relation"));
    }

    // An object initializer (not a constructor) so that EF Core can filter and sort on the projection.
    private sealed class Joined
    {
        public required Referral R { get; init; }
        public required string CandidateLast { get; init; }
        public required string CandidateFirst { get; init; }
        public required string Offer { get; init; }
        public required Guid CompanyId { get; init; }
        public required string Company { get; init; }
        public required string ContactLast { get; init; }
        public required string ContactFirst { get; init; }
        public required string StaffLast { get; init; }
        public required string StaffFirst { get; init; }
    }

    private IQueryable<Joined> Filtered()
    {
        var query =
            from r in Db.Referrals
            join c in Db.Candidates on r.CandidateId equals c.Id
            join o in Db.JobOffers on r.JobOfferId equals o.Id
            join company in Db.Companies on o.CompanyId equals company.Id
            join contact in Db.CompanyContacts on r.ContactId equals contact.Id
            join s in Db.Staff on r.CreatedByStaffId equals s.Id
            select new Joined
            {
                R = r, CandidateLast = c.LastName, CandidateFirst = c.FirstName, Offer = o.Title, CompanyId = company.Id, Company = company.Name,
                ContactLast = contact.LastName, ContactFirst = contact.FirstName, StaffLast = s.LastName, StaffFirst = s.FirstName,
            };
        if (Stage is { } stage)
            query = query.Where(x => x.R.Stage == stage);
        if (OfferId is { } offer)
            query = query.Where(x => x.R.JobOfferId == offer);
        if (CompanyId is { } companyId)
            query = query.Where(x => x.CompanyId == companyId);
        if (CreatedBy is { } staff)
            query = query.Where(x => x.R.CreatedByStaffId == staff);
        if (!string.IsNullOrWhiteSpace(Search))
        {
            var term = Search.Trim().ToLowerInvariant();
            query = query.Where(x => x.CandidateLast.ToLower().Contains(term) || x.CandidateFirst.ToLower().Contains(term)
                || x.Offer.ToLower().Contains(term) || x.Company.ToLower().Contains(term));
        }
        return query.OrderByDescending(x => x.R.CreatedAt).ThenByDescending(x => x.R.Id);
    }

    private static async Task<List<Row>> Project(IQueryable<Joined> query, CancellationToken ct) =>
        (await query.AsNoTracking().ToListAsync(ct)).Select(x => new Row(
            x.R.Id, x.R.CreatedAt, PersonName.Display(x.CandidateLast, x.CandidateFirst), x.Offer, x.Company,
            PersonName.Display(x.ContactLast, x.ContactFirst), PersonName.Display(x.StaffLast, x.StaffFirst), x.R.Stage,
            TimelineText.OfferColumn(x.R), TimelineText.CompanyColumn(x.R), TimelineText.AppointmentColumn(x.R))).ToList();

    private async Task LoadChoicesAsync(CancellationToken ct)
    {
        Offers = (await Db.JobOffers.OrderBy(o => o.Title).Select(o => new { o.Id, o.Title }).ToListAsync(ct)).Select(o => (o.Id, o.Title)).ToList();
        Companies = (await (from o in Db.JobOffers join c in Db.Companies on o.CompanyId equals c.Id select new { c.Id, c.Name }).Distinct().ToListAsync(ct))
            .OrderBy(c => c.Name, StringComparer.Create(CultureInfo.GetCultureInfo("fr-FR"), true)).Select(c => (c.Id, c.Name)).ToList();
        StaffMembers = (await Db.Staff.OrderBy(s => s.LastName).Select(s => new { s.Id, s.LastName, s.FirstName }).ToListAsync(ct))
            .Select(s => (s.Id, PersonName.Display(s.LastName, s.FirstName))).ToList();
    }

    public string Query(int? page = null, bool csv = false) =>
        Url.Page("ReferralList", csv ? "Csv" : null, new
        {
            p = page > 1 ? page : null, etape = Stage, offre = OfferId, entreprise = CompanyId, charge = CreatedBy,
            q = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
        })!;
}
