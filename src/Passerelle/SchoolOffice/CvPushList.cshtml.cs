using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.CvPushes;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>"Push CV": every profile the school pushed, with its state; filters (state, company, staff), 50 a page, CSV export.</summary>
public sealed class CvPushListModel(PasserelleDb db) : SchoolPage(db)
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    [BindProperty(SupportsGet = true, Name = "etat")]
    public PushedProfileState? State { get; set; }

    [BindProperty(SupportsGet = true, Name = "entreprise")]
    public Guid? CompanyId { get; set; }

    [BindProperty(SupportsGet = true, Name = "charge")]
    public Guid? PushedBy { get; set; }

    public IReadOnlyList<PushRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public IReadOnlyList<(Guid Id, string Name)> Companies { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Name)> StaffMembers { get; private set; } = [];

    private PushFilter Filter => new(State, CompanyId, PushedBy);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!PushCv)
            return NotFound();
        Companies = (await (from p in Db.PushedProfiles
                            join contact in Db.CompanyContacts on p.ContactId equals contact.Id
                            join company in Db.Companies on contact.CompanyId equals company.Id
                            select new { company.Id, company.Name }).Distinct().ToListAsync(ct))
            .OrderBy(c => c.Name, StringComparer.Create(CultureInfo.GetCultureInfo("fr-FR"), true)).Select(c => (c.Id, c.Name)).ToList();
        StaffMembers = (await Db.Staff.OrderBy(s => s.LastName).Select(s => new { s.Id, s.LastName, s.FirstName }).ToListAsync(ct))
            .Select(s => (s.Id, PersonName.Display(s.LastName, s.FirstName))).ToList();
        Total = await PushRow.CountAsync(Db, Filter, ct);
        PageNumber = Math.Clamp(PageNumber, 1, PageCount);
        Rows = await PushRow.ListAsync(Db, Filter, ct, (PageNumber - 1) * PageSize, PageSize);
        return Page();
    }

    /// <summary>The same rows as a CSV file (<see cref="CsvExport"/>).</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (!PushCv)
            return NotFound();
        var rows = await PushRow.ListAsync(Db, Filter, ct);
        string[] headers = ["Date du push", "Candidat", "Contact", "Entreprise", "Proposé par", "État", "Date de réponse", "Motif"];
        var bytes = CsvExport.Build(headers, rows.Select(r => new[] { ParisTime.Date(r.PushedAt), r.Candidate, r.Contact, r.Company, r.PushedBy,
            PushedProfileView.Label(r.State), r.AnsweredAt is { } at ? ParisTime.Date(at) : "", r.DeclineReason ?? "" }));
        return File(bytes, CsvExport.ContentType, CsvExport.FileName("push-cv"));
    }

    public string Query(int? page = null, bool csv = false) =>
        Url.Page("CvPushList", csv ? "Csv" : null, new { p = page > 1 ? page : null, etat = State, entreprise = CompanyId, charge = PushedBy })!;
}
