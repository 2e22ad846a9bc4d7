using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// "Suivi de mise en relation": the header, every event of the timeline, and — while the company's answer
/// may still change — the appointment form with "Accepter le candidat" / "Refuser le candidat".
/// Also the candidate's profile and the offer's details (/profil, /offre). Opened in a dialog from the list,
/// or as a page without JavaScript.
/// </summary>
public sealed class ReferralDetailModel(PasserelleDb db, ReferralActions actions, TimeProvider clock) : CompanyPage(db)
{
    public ReferralSummary Summary { get; private set; } = null!;
    public IReadOnlyList<TimelineLine> Timeline { get; private set; } = [];

    /// <summary>The staff member who proposed the referral (the timeline's header).</summary>
    public string ProposedBy { get; private set; } = "";
    public string? View { get; private set; }

    /// <summary>The moment the page is shown: the outcome may be recorded only once the appointment has taken place.</summary>
    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    /// <summary>Only the dialog's content, for the list page's script.</summary>
    public bool Fragment { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    /// <summary>The referral's version the page showed: an action on a state that has moved since is refused.</summary>
    [BindProperty]
    public int? Version { get; set; }

    /// <summary>Where to go after acting: the list the dialog was opened from.</summary>
    [BindProperty(Name = "retour")]
    public string? Retour { get; set; }

    [BindProperty]
    public AppointmentForm Appointment { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, string? view, bool fragment, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        View = view is "profil" or "offre" ? view : null;
        Fragment = fragment;
        return Page();
    }

    /// <summary>
    /// Who saw what: the profile tab posts this once shown to the contact (wwwroot/js/portal.js when the dialog opens it,
    /// links.js on the page; no GET changes anything), and the school sees the look on its referral page.
    /// </summary>
    public async Task<IActionResult> OnPostSeenAsync(Guid id, CancellationToken ct)
    {
        // Only whether the profile is this contact's to see (as its downloads check), not the page's summary and timeline.
        var contactId = ContactId;
        if (!LoadSchool() || !await Db.Referrals.Where(Referral.ProfileIsOpenToCompany).AnyAsync(r => r.Id == id && r.ContactId == contactId, ct))
            return NotFound();
        await PersonalData.ProfileViews.RecordAsync(HttpContext, Db, id, ContactId, null, Channel.Portal, ct);
        return new NoContentResult();
    }

    [ShowsFormErrors]
    public Task<IActionResult> OnPostAcceptCandidateAsync(Guid id, CancellationToken ct) =>
        AnswerAsync(id, Appointment.ToAnswer(ModelState), "Le candidat est accepté et le rendez-vous lui est proposé.", ct);

    /// <summary>The reason chosen among the school's list, if any.</summary>
    [BindProperty]
    public string? RefusalReason { get; set; }

    public IReadOnlyList<string> RefusalReasons { get; private set; } = [];

    public Task<IActionResult> OnPostRefuseCandidateAsync(Guid id, CancellationToken ct) =>
        AnswerAsync(id, new Answer.RefuseCandidate(Appointment.Comment, RefusalReason), "Le refus du candidat est enregistré.", ct);

    public Task<IActionResult> OnPostOutcomeAsync(Guid id, Outcome? outcome, CancellationToken ct) =>
        AnswerAsync(id, Answer.Outcome(outcome),
            outcome == Outcome.Recruited ? "C'est noté : le candidat est recruté." : "C'est noté : le candidat n'est pas retenu.", ct);

    private async Task<IActionResult> AnswerAsync(Guid id, Answer answer, string done, CancellationToken ct)
    {
        if (!LoadSchool())
            return NotFound();
        var result = await actions.AnswerAsync(id, Actor.Contact(ContactId, ContactName, Channel.Portal), answer, Version, ct);
        if (result.Refusal?.Code == RefusalCode.NotFound || (!result.Succeeded && !await LoadAsync(id, ct)))
            return NotFound();
        if (!result.Succeeded)
            return Refused(result.Refusal!.Message, result.Refusal.HttpStatus);
        Message = done;
        // From the dialog over the list, back to the list (with its filters) showing the change.
        return Retour is not null && Url.IsLocalUrl(Retour) && Retour.StartsWith(Url.Page("ReferralList")!, StringComparison.Ordinal)
            ? LocalRedirect(Retour)
            : RedirectToPage(new { id, view = (string?)null });
    }

    private PageResult Refused(string message, int status)
    {
        Error = message;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>The referral if it belongs to this contact in the chosen school; false (→ 404) otherwise.</summary>
    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (!LoadSchool())
            return false;
        var contactId = ContactId;
        if (!await Db.Referrals.AnyAsync(r => r.Id == id && r.ContactId == contactId, ct))
            return false;
        Summary = (await ReferralSummary.LoadAsync(Db, id, ct))!;
        var schoolId = SchoolId!.Value;
        RefusalReasons = (await Db.Schools.AsNoTracking().SingleAsync(s => s.Id == schoolId, ct)).RefusalReasonList;
        var events = await Db.ReferralEvents.AsNoTracking().Where(e => e.ReferralId == id).OrderBy(e => e.Sequence).ToListAsync(ct);
        Timeline = events.Where(e => e.Kind != ReferralEventKind.Proposed)
            .Select(e => TimelineText.Describe(e, Summary.CandidateName, Summary.CompanyName, Summary.SchoolName)).ToList();
        // Who proposed it, as the timeline recorded it: the staff member in charge now may be another (handed over since).
        ProposedBy = events.FirstOrDefault(e => e.Kind == ReferralEventKind.Proposed)?.ActorName ?? Summary.StaffName;
        return true;
    }
}
