using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email.Links;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// "Suivi de mise en relation": the header, every event of the timeline, and — while the company's answer
/// may still change — the appointment form with "Accepter le candidat" / "Refuser le candidat".
/// Also the candidate's profile and the offer's details (/profil, /offre). Opened in a dialog from the list,
/// or as a page without JavaScript.
/// </summary>
public sealed class ReferralDetailModel(PasserelleDb db, ReferralActions actions) : CompanyPage(db)
{
    public ReferralSummary Summary { get; private set; } = null!;
    public IReadOnlyList<TimelineLine> Timeline { get; private set; } = [];
    public string? View { get; private set; }

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

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAcceptCandidateAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var (startsAt, problem) = Appointment.ToUtc();
        if (!ModelState.IsValid || startsAt is null)
            return Refused(Passerelle.Hosting.FormValidation.FirstError(ModelState) ?? problem ?? "Vérifiez le rendez-vous saisi.", StatusCodes.Status422UnprocessableEntity);
        var appointment = new Appointment(startsAt.Value, Clean(Appointment.Location), Clean(Appointment.Comment));
        return await ActAsync(id, (r, actor, now) => r.AnswerCandidate(CompanyAnswer.Accepted, appointment, actor, now, Clean(Appointment.Comment)),
            "Le candidat est accepté et le rendez-vous lui est proposé.", ct);
    }

    /// <summary>The reason chosen among the school's list, if any.</summary>
    [BindProperty]
    public string? RefusalReason { get; set; }

    public IReadOnlyList<string> RefusalReasons { get; private set; } = [];

    public async Task<IActionResult> OnPostRefuseCandidateAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var reason = Clean(RefusalReason);
        if (reason is not null && !RefusalReasons.Contains(reason))
            return Refused("Choisissez un motif dans la liste, ou aucun.", StatusCodes.Status422UnprocessableEntity);
        return await ActAsync(id, (r, actor, now) => r.AnswerCandidate(CompanyAnswer.Refused, null, actor, now, Clean(Appointment.Comment), reason),
            "Le refus du candidat est enregistré.", ct);
    }

    public async Task<IActionResult> OnPostOutcomeAsync(Guid id, Outcome? outcome, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        if (outcome is not { } chosen || !Enum.IsDefined(chosen))
            return Refused("Choisissez le résultat.", StatusCodes.Status422UnprocessableEntity);
        return await ActAsync(id, (r, actor, now) => r.RecordOutcome(chosen, actor, now),
            outcome == Outcome.Recruited ? "C'est noté : le candidat est recruté." : "C'est noté : le candidat n'est pas retenu.", ct);
    }

    private async Task<IActionResult> ActAsync(Guid id, Func<Referral, Actor, DateTimeOffset, TransitionResult> transition, string done, CancellationToken ct)
    {
        var actor = Actor.Contact(ContactId, ContactName, Channel.Portal);
        var result = await actions.ApplyAsync(id, (r, now) => transition(r, actor, now), Version, ct);
        if (!result.Succeeded)
        {
            await LoadAsync(id, ct);
            return Refused(result.Refusal!.Message, result.Refusal.Code == RefusalCode.Invalid ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status409Conflict);
        }
        Message = done;
        // From the dialog over the list, back to the list (with its filters) showing the change.
        return Redirect(Retour is not null && Url.IsLocalUrl(Retour) && Retour.StartsWith("/entreprise/candidats", StringComparison.Ordinal)
            ? Retour : $"/entreprise/candidats/{id}");
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
        return true;
    }

    /// <summary>Why the company has nothing (more) to answer, when its step is not open.</summary>
    public string? ClosedReason => Summary.Referral switch
    {
        { CompanyStepOpen: true } => null,
        { IsCancelled: true } => "L'école a annulé cette mise en relation.",
        { Outcome: not null } => "Le résultat de la mise en relation est enregistré.",
        { AppointmentAnswer: not null } => "Le candidat a répondu au rendez-vous : votre réponse ne peut plus être modifiée.",
        { OfferAnswer: OfferAnswer.Declined } => "Le candidat a refusé l'offre : il n'y a pas de réponse à donner.",
        _ => "Le candidat n'a pas encore accepté l'offre : vous pourrez répondre dès qu'il l'aura acceptée. Vous recevrez alors un e-mail.",
    };

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
