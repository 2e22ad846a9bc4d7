using System.Linq.Expressions;
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

    public sealed record DocumentLink(Guid Id, string Label, bool Removed);

    public sealed record Row(
        Guid Id, string Offer, string Candidate, IReadOnlyList<DocumentLink> Documents, DateTimeOffset ReferredAt,
        string? CandidateAnswer, string? CompanyAnswer, string? AppointmentAnswer, bool ToHandle, bool Cancelled, bool DocumentsOpen);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!LoadSchool())
            return RedirectToPage("Home");
        // Bounded so that the offset stays a number (p=200000000 made it negative, and PostgreSQL refused the query): past the end,
        // the last page is shown below.
        PageNumber = Math.Clamp(PageNumber, 1, int.MaxValue / PageSize);
        ReferralStage? stage = ToHandleOnly ? ReferralStage.AwaitingCompany : null;
        var term = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim().ToLowerInvariant();
        var page = (OldestFirst ? OldestFirstPage : NewestFirstPage).For(Db);

        var rows = await ReadAsync(page(Db, ContactId, stage, term, (PageNumber - 1) * PageSize), ct);
        if (rows.Count == 0 && PageNumber > 1)
        {
            // Past the end: the first page tells the total, then the last page is shown.
            var first = await ReadAsync(page(Db, ContactId, stage, term, 0), ct);
            Total = first.Count > 0 ? first[0].Total : 0;
            PageNumber = PageCount;
            rows = PageNumber == 1 ? first : await ReadAsync(page(Db, ContactId, stage, term, (PageNumber - 1) * PageSize), ct);
        }
        Total = rows.Count > 0 ? rows[0].Total : 0;

        Rows = rows.Select(x => new Row(
            x.Id, x.Title, Passerelle.Schools.PersonName.Display(x.LastName, x.FirstName),
            x.Documents.OrderBy(d => d.Kind).ThenBy(d => d.Title, StringComparer.Ordinal)
                .Select(d => new DocumentLink(d.Id, d.Removed ? Document.RemovedLabel(d.Kind) : $"{Document.KindLabel(d.Kind)} - {d.Title}", d.Removed)).ToList(),
            x.CreatedAt, TimelineText.OfferColumn(x.OfferAnswer, x.OfferAnsweredAt),
            TimelineText.CompanyColumn(x.CompanyAnswer, x.CompanyAnsweredAt),
            TimelineText.AppointmentColumn(x.AppointmentAnswer, x.AppointmentAnsweredAt),
            x.Stage == ReferralStage.AwaitingCompany, x.CancelledAt is not null,
            Referral.IsProfileOpenToCompany(x.OfferAnswer, x.CancelledAt))).ToList();
        return Page();
    }

    private static async Task<List<Listed>> ReadAsync(IAsyncEnumerable<Listed> query, CancellationToken ct)
    {
        var rows = new List<Listed>(PageSize);
        await foreach (var row in query.WithCancellation(ct))
            rows.Add(row);
        return rows;
    }

    private sealed record SharedDocument(Guid Id, DocumentKind Kind, string Title, bool Removed);

    /// <summary>A listed referral: only the columns the page shows (reading whole referrals cost a tenth of the page).</summary>
    private sealed record Listed(
        Guid Id, DateTimeOffset CreatedAt, ReferralStage Stage, DateTimeOffset? CancelledAt,
        OfferAnswer? OfferAnswer, DateTimeOffset? OfferAnsweredAt, CompanyAnswer? CompanyAnswer, DateTimeOffset? CompanyAnsweredAt,
        AppointmentAnswer? AppointmentAnswer, DateTimeOffset? AppointmentAnsweredAt,
        string LastName, string FirstName, string Title, int Total, List<SharedDocument> Documents);

    /// <summary>
    /// One query gives the page and the total: the page's 20 referrals come first, straight from the (school, contact,
    /// created_at) index, and only those 20 are joined to their candidate, offer and shared documents (joining first
    /// made the database sort every referral). A stage or a search term left null filters nothing (EF leaves the
    /// condition out of the SQL). Compiled once, newest first, and again oldest first (the same query with the
    /// orderings turned round): building the query at each request cost a tenth of the page.
    /// </summary>
    private static readonly Expression<Func<PasserelleDb, Guid, ReferralStage?, string?, int, IQueryable<Listed>>> PageQuery =
        (db, contactId, stage, term, skip) =>
            from r in db.Referrals
                .Where(r => r.ContactId == contactId && (stage == null || r.Stage == stage) && (term == null
                    || db.Candidates.Any(c => c.Id == r.CandidateId && (c.LastName.ToLower().Contains(term) || c.FirstName.ToLower().Contains(term)))
                    || db.JobOffers.Any(o => o.Id == r.JobOfferId && o.Title.ToLower().Contains(term))))
                .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
                .Skip(skip).Take(PageSize)
            join c in db.Candidates on r.CandidateId equals c.Id
            join o in db.JobOffers on r.JobOfferId equals o.Id
            orderby r.CreatedAt descending, r.Id descending
            select new Listed(
                r.Id, r.CreatedAt, r.Stage, r.CancelledAt, r.OfferAnswer, r.OfferAnsweredAt, r.CompanyAnswer, r.CompanyAnsweredAt,
                r.AppointmentAnswer, r.AppointmentAnsweredAt, c.LastName, c.FirstName, o.Title,
                // The same filter as above, counted.
                db.Referrals.Count(x => x.ContactId == contactId && (stage == null || x.Stage == stage) && (term == null
                    || db.Candidates.Any(c => c.Id == x.CandidateId && (c.LastName.ToLower().Contains(term) || c.FirstName.ToLower().Contains(term)))
                    || db.JobOffers.Any(o => o.Id == x.JobOfferId && o.Title.ToLower().Contains(term)))),
                (from shared in db.ReferralDocuments
                 where shared.ReferralId == r.Id
                 join d in db.Documents on shared.DocumentId equals d.Id
                 select new SharedDocument(d.Id, d.Kind, d.Title, d.RemovedAt != null)).ToList());

    private static readonly CompiledQuery<Func<PasserelleDb, Guid, ReferralStage?, string?, int, IAsyncEnumerable<Listed>>> NewestFirstPage =
        new(() => EF.CompileAsyncQuery(PageQuery));

    private static readonly CompiledQuery<Func<PasserelleDb, Guid, ReferralStage?, string?, int, IAsyncEnumerable<Listed>>> OldestFirstPage =
        new(() => EF.CompileAsyncQuery(Ascending.Turn(PageQuery)));

    /// <summary>Turns every descending ordering of a query into the ascending one.</summary>
    private sealed class Ascending : ExpressionVisitor
    {
        public static Expression<T> Turn<T>(Expression<T> query) => (Expression<T>)new Ascending().Visit(query);

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var method = node.Method;
            if (method.DeclaringType == typeof(Queryable) && method.Name is nameof(Queryable.OrderByDescending) or nameof(Queryable.ThenByDescending))
            {
                var ascending = typeof(Queryable).GetMethods()
                    .Single(m => m.Name == (method.Name == nameof(Queryable.OrderByDescending) ? nameof(Queryable.OrderBy) : nameof(Queryable.ThenBy))
                        && m.GetParameters().Length == 2)
                    .MakeGenericMethod(method.GetGenericArguments());
                return Expression.Call(ascending, node.Arguments.Select(Visit)!);
            }
            return base.VisitMethodCall(node);
        }
    }

    public string PageUrl(int page, bool? toHandle = null, bool? oldest = null) =>
        Url.Page("ReferralList", new
        {
            p = page > 1 ? page : (int?)null,
            filtre = toHandle ?? ToHandleOnly ? "a-traiter" : null,
            q = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
            tri = oldest ?? OldestFirst ? "ancien" : null,
        })!;
}
