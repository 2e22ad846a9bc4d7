using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A referral for the school: the whole timeline with every mail sent (its kept copy), and the staff's actions —
/// on behalf of the candidate or the company (an answer received by phone), cancellation, outcome.
/// </summary>
public sealed class ReferralDetailModel(PasserelleDb db, ReferralActions actions, TimeProvider clock) : SchoolPage(db)
{
    public ReferralSummary Summary { get; private set; } = null!;
    public IReadOnlyList<Entry> Entries { get; private set; } = [];

    /// <summary>A line of the timeline: an event, or a mail.</summary>
    public sealed record Entry(DateTimeOffset At, TimelineLine? Event, OutboxMessage? Mail);

    /// <summary>The moment the page is shown: the outcome may be recorded only once the appointment has taken place.</summary>
    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    [TempData]
    public string? Message { get; set; }


    [BindProperty]
    public int? Version { get; set; }

    [BindProperty]
    public AppointmentForm Appointment { get; set; } = new();

    [BindProperty]
    public string? Reason { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostOfferAsync(Guid id, OfferAnswer? answer, CancellationToken ct) =>
        AnswerAsync(id, Answer.Offer(answer, Reason), Party.Candidate, "La réponse du candidat est enregistrée.", ct);

    public Task<IActionResult> OnPostAppointmentAnswerAsync(Guid id, AppointmentAnswer? answer, CancellationToken ct) =>
        AnswerAsync(id, Answer.AppointmentChoice(answer, Reason), Party.Candidate, "La réponse du candidat au rendez-vous est enregistrée.", ct);

    [ShowsFormErrors]
    public Task<IActionResult> OnPostAcceptCandidateAsync(Guid id, CancellationToken ct) =>
        AnswerAsync(id, Appointment.ToAnswer(ModelState), Party.Company, "L'acceptation de l'entreprise et le rendez-vous sont enregistrés.", ct);

    public Task<IActionResult> OnPostRefuseCandidateAsync(Guid id, CancellationToken ct) =>
        AnswerAsync(id, new Answer.RefuseCandidate(Appointment.Comment, Reason), Party.Company, "Le refus de l'entreprise est enregistré.", ct);

    public IReadOnlyList<string> RefusalReasons { get; private set; } = [];

    public Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken ct) =>
        AnswerAsync(id, new Answer.Cancel(Reason), Party.School, "La mise en relation est annulée ; les personnes concernées sont prévenues.", ct);

    public Task<IActionResult> OnPostOutcomeAsync(Guid id, Outcome? outcome, CancellationToken ct) =>
        AnswerAsync(id, Answer.Outcome(outcome), Party.School, "Le résultat est enregistré.", ct);

    /// <summary>The staff member answers for the school, or on behalf of the party whose answer they received.</summary>
    private async Task<IActionResult> AnswerAsync(Guid id, Answer answer, Party onBehalfOf, string done, CancellationToken ct)
    {
        var result = await actions.AnswerAsync(id, Acting(onBehalfOf), answer, Version, ct);
        if (result.Refusal?.Code == RefusalCode.NotFound || (!result.Succeeded && !await LoadAsync(id, ct)))
            return NotFound();
        if (!result.Succeeded)
            return Refused(result.Refusal!.Message, result.Refusal.HttpStatus);
        Message = done;
        return RedirectToPage(new { id });
    }


    /// <summary>Who at the company looked at the candidate's profile and documents (the company does not see this list).</summary>
    public IReadOnlyList<PersonalData.ViewLine> Views { get; private set; } = [];

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await ReferralSummary.LoadAsync(Db, id, ct) is not { } summary)
            return false;
        Summary = summary;
        var schoolId = SchoolId;
        RefusalReasons = (await Db.Schools.AsNoTracking().SingleAsync(s => s.Id == schoolId, ct)).RefusalReasonList;
        var events = await Db.ReferralEvents.AsNoTracking().Where(e => e.ReferralId == id).OrderBy(e => e.Sequence).ToListAsync(ct);
        var mails = await Db.OutboxMessages.AsNoTracking().Where(m => m.ReferralId == id).ToListAsync(ct);
        Entries = events.Select(e => new Entry(e.OccurredAt, TimelineText.Describe(e, summary.CandidateName, summary.CompanyName, summary.SchoolName), null))
            .Concat(mails.Select(m => new Entry(m.SentAt ?? m.CreatedAt, null, m)))
            .OrderBy(e => e.At).ThenBy(e => e.Mail is null ? 0 : 1).ToList();
        Views = await PersonalData.ProfileViews.ForReferralAsync(Db, id, ct);
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
}
