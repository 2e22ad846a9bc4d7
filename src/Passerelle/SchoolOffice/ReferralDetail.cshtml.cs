using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Email.Links;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A referral for the school: the whole timeline with every mail sent (its kept copy), and the staff's actions —
/// on behalf of the candidate or the company (an answer received by phone), cancellation, outcome.
/// </summary>
public sealed class ReferralDetailModel(PasserelleDb db, ReferralActions actions) : SchoolPage(db)
{
    public ReferralSummary Summary { get; private set; } = null!;
    public IReadOnlyList<Entry> Entries { get; private set; } = [];

    /// <summary>A line of the timeline: an event, or a mail.</summary>
    public sealed record Entry(DateTimeOffset At, TimelineLine? Event, OutboxMessage? Mail);

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    [BindProperty]
    public int? Version { get; set; }

    [BindProperty]
    public AppointmentForm Appointment { get; set; } = new();

    [BindProperty]
    public string? Reason { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostOfferAsync(Guid id, OfferAnswer? answer, CancellationToken ct) =>
        answer is { } chosen && Enum.IsDefined(chosen)
            ? ActAsync(id, (r, now) => r.AnswerOffer(chosen, Acting(Party.Candidate), now, Reason), "La réponse du candidat est enregistrée.", ct)
            : MissingAsync(id, "Choisissez la réponse du candidat.", ct);

    public Task<IActionResult> OnPostAppointmentAnswerAsync(Guid id, AppointmentAnswer? answer, CancellationToken ct) =>
        answer is { } chosen && Enum.IsDefined(chosen)
            ? ActAsync(id, (r, now) => r.AnswerAppointment(chosen, Acting(Party.Candidate), now, Reason), "La réponse du candidat au rendez-vous est enregistrée.", ct)
            : MissingAsync(id, "Choisissez la réponse du candidat.", ct);

    public async Task<IActionResult> OnPostAcceptCandidateAsync(Guid id, CancellationToken ct)
    {
        var (startsAt, problem) = Appointment.ToUtc();
        if (startsAt is null)
            return await LoadAsync(id, ct) ? Refused(problem!, StatusCodes.Status422UnprocessableEntity) : NotFound();
        var appointment = new Appointment(startsAt.Value, Clean(Appointment.Location), Clean(Appointment.Comment));
        return await ActAsync(id, (r, now) => r.AnswerCandidate(CompanyAnswer.Accepted, appointment, Acting(Party.Company), now, Clean(Appointment.Comment)),
            "L'acceptation de l'entreprise et le rendez-vous sont enregistrés.", ct);
    }

    public async Task<IActionResult> OnPostRefuseCandidateAsync(Guid id, CancellationToken ct)
    {
        var reason = Clean(Reason);
        if (reason is not null && !(await ReasonsAsync(ct)).Contains(reason))
            return await LoadAsync(id, ct) ? Refused("Choisissez un motif dans la liste, ou aucun.", StatusCodes.Status422UnprocessableEntity) : NotFound();
        return await ActAsync(id, (r, now) => r.AnswerCandidate(CompanyAnswer.Refused, null, Acting(Party.Company), now, Clean(Appointment.Comment), reason),
            "Le refus de l'entreprise est enregistré.", ct);
    }

    public IReadOnlyList<string> RefusalReasons { get; private set; } = [];

    private async Task<IReadOnlyList<string>> ReasonsAsync(CancellationToken ct)
    {
        var schoolId = SchoolId;
        return (await Db.Schools.AsNoTracking().SingleAsync(s => s.Id == schoolId, ct)).RefusalReasonList;
    }

    public Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken ct) =>
        ActAsync(id, (r, now) => r.Cancel(Reason ?? "", Acting(), now), "La mise en relation est annulée ; les personnes concernées sont prévenues.", ct);

    public Task<IActionResult> OnPostOutcomeAsync(Guid id, Outcome? outcome, CancellationToken ct) =>
        outcome is { } chosen && Enum.IsDefined(chosen)
            ? ActAsync(id, (r, now) => r.RecordOutcome(chosen, Acting(), now), "Le résultat est enregistré.", ct)
            : MissingAsync(id, "Choisissez le résultat.", ct);

    private async Task<IActionResult> MissingAsync(Guid id, string message, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Refused(message, StatusCodes.Status422UnprocessableEntity) : NotFound();

    private async Task<IActionResult> ActAsync(Guid id, Func<Referral, DateTimeOffset, TransitionResult> transition, string done, CancellationToken ct)
    {
        var result = await actions.ApplyAsync(id, transition, Version, ct);
        if (result.Refusal?.Code == RefusalCode.NotFound)
            return NotFound();
        if (!result.Succeeded)
        {
            if (!await LoadAsync(id, ct))
                return NotFound();
            return Refused(result.Refusal!.Message, result.Refusal.Code == RefusalCode.Invalid ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status409Conflict);
        }
        Message = done;
        return Redirect($"/ecole/mises-en-relation/{id}");
    }

    private PageResult Refused(string message, int status)
    {
        Error = message;
        Response.StatusCode = status;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await ReferralSummary.LoadAsync(Db, id, ct) is not { } summary)
            return false;
        Summary = summary;
        RefusalReasons = await ReasonsAsync(ct);
        var events = await Db.ReferralEvents.AsNoTracking().Where(e => e.ReferralId == id).OrderBy(e => e.Sequence).ToListAsync(ct);
        var mails = await Db.OutboxMessages.AsNoTracking().Where(m => m.ReferralId == id).ToListAsync(ct);
        Entries = events.Select(e => new Entry(e.OccurredAt, TimelineText.Describe(e, summary.CandidateName, summary.CompanyName, summary.SchoolName), null))
            .Concat(mails.Select(m => new Entry(m.SentAt ?? m.CreatedAt, null, m)))
            .OrderBy(e => e.At).ThenBy(e => e.Mail is null ? 0 : 1).ToList();
        return true;
    }

    public static string RecipientLabel(Recipient recipient) => recipient switch
    {
        Recipient.Candidate => "au candidat",
        Recipient.CompanyContact => "à l'entreprise",
        Recipient.ReferringStaff => "à l'école",
        _ => "",
    };

    public static string MailState(OutboxMessage mail) => mail.State switch
    {
        OutboxState.Sent => $"Envoyé {TimelineText.When(mail.SentAt!.Value).ToLowerInvariant()}",
        OutboxState.Failed => $"Échec après {mail.Attempts} tentative(s) : {mail.LastError}",
        OutboxState.Skipped => "Non envoyé : notification désactivée par l'école",
        _ => mail.Attempts == 0 ? "En cours d'envoi" : $"Nouvel essai prévu ({mail.Attempts} tentative(s) : {mail.LastError})",
    };

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
