using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Email.Links;

/// <summary>
/// The page behind every e-mail link (/l/{token}/{action}). Opening it (GET, HEAD) never changes anything —
/// mail scanners open links before people do; its buttons POST the action, which is checked again then.
/// </summary>
public sealed class LinkPageModel(LinkResolver resolver, ReferralActions actions, PasserelleDb db, EmailOptions email, TimeProvider clock) : PageModel
{
    public ResolvedLink Resolved { get; private set; } = new(LinkStatus.Unknown, null, null);
    public ReferralSummary? Summary { get; private set; }
    public string Token { get; private set; } = "";
    public string? View { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    /// <summary>The referral's version the page showed: an action on a state that has moved since is refused.</summary>
    [BindProperty]
    public int? Version { get; set; }

    [BindProperty]
    public AppointmentForm Appointment { get; set; } = new();

    [BindProperty]
    [StringLength(2000, ErrorMessage = "Le commentaire ne peut dépasser 2000 caractères.")]
    public string? Comment { get; set; }

    public DateTimeOffset Now => clock.GetUtcNow();

    public Party Reader => Resolved.Link?.Recipient == Recipient.CompanyContact ? Party.Company : Party.Candidate;
    public string PortalUrl => email.Link("/entreprise");

    public async Task<IActionResult> OnGetAsync(string token, string? action, CancellationToken ct)
    {
        await LoadAsync(token, action, ct);
        if (Resolved.Status == LinkStatus.Valid && action == LinkAction.CalendarFile.Segment)
            return CalendarFile();
        if (Resolved.Status == LinkStatus.Valid && action is not null && !LinkAction.SegmentsOf(Resolved.Link!.Step).Contains(action))
            View = null;
        Response.StatusCode = LinkResolver.HttpStatus(Resolved.Status);
        return Page();
    }

    /// <summary>
    /// The profile was shown to a person: the page's script posts this once it has been in view for a moment
    /// (wwwroot/js/links.js). Opening the link records nothing, as mail scanners open "Voir le profil du candidat" before
    /// the contact does; the school's "Profil consulté par …" must mean someone looked.
    /// </summary>
    public async Task<IActionResult> OnPostSeenAsync(string token, CancellationToken ct)
    {
        await LoadAsync(token, LinkAction.Profile.Segment, ct);
        if (!ShowsProfileToCompany)
            return NotFound();
        await PersonalData.ProfileViews.RecordAsync(HttpContext, db, Summary!.Referral.Id, Resolved.Link!.RecipientId, null, Channel.EmailLink, ct);
        return new NoContentResult();
    }

    /// <summary>This page shows a company contact the candidate's profile (a live link of the company's step, the offer accepted).</summary>
    public bool ShowsProfileToCompany => Resolved.Status == LinkStatus.Valid && View == LinkAction.Profile.Segment
        && Resolved.Link!.Step == LinkStep.Company && Resolved.Link.Recipient == Recipient.CompanyContact && Summary?.Referral.ProfileOpenToCompany == true;

    public Task<IActionResult> OnPostAcceptOfferAsync(string token, CancellationToken ct) =>
        AnswerAsync(token, LinkStep.Offer, new Answer.ToOffer(OfferAnswer.Accepted),
            "Merci ! Votre acceptation est enregistrée : votre profil est transmis à l'entreprise.", ct);

    public Task<IActionResult> OnPostDeclineOfferAsync(string token, CancellationToken ct) =>
        AnswerAsync(token, LinkStep.Offer, new Answer.ToOffer(OfferAnswer.Declined, Comment),
            "Votre refus est enregistré. L'école en est informée.", ct);

    [ShowsFormErrors]
    public Task<IActionResult> OnPostAcceptCandidateAsync(string token, CancellationToken ct) =>
        AnswerAsync(token, LinkStep.Company, Appointment.ToAnswer(ModelState),
            "Le candidat est accepté et le rendez-vous lui est proposé. Vous recevrez sa réponse par e-mail.", ct, LinkAction.AcceptCandidate);

    /// <summary>
    /// From the refusal page (one button), or from the acceptance form's "Refuser le candidat": there the comment typed is the
    /// form's, and a date half typed in it does not stand in the way of the refusal.
    /// </summary>
    [ShowsFormErrors]
    public async Task<IActionResult> OnPostRefuseCandidateAsync(string token, CancellationToken ct)
    {
        foreach (var key in ModelState.Keys.Where(k => k.StartsWith($"{nameof(Appointment)}.", StringComparison.Ordinal)
                     && k != $"{nameof(Appointment)}.{nameof(AppointmentForm.Comment)}").ToList())
            ModelState.Remove(key);
        if (FormValidation.FirstError(ModelState) is { } problem)
        {
            await LoadAsync(token, LinkAction.AcceptCandidate.Segment, ct);
            Error = problem;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        return await AnswerAsync(token, LinkStep.Company, new Answer.RefuseCandidate(Comment ?? Appointment.Comment), "Le refus du candidat est enregistré.", ct,
            LinkAction.RefuseCandidate);
    }

    public Task<IActionResult> OnPostConfirmAppointmentAsync(string token, CancellationToken ct) =>
        AnswerAsync(token, LinkStep.Appointment, new Answer.ToAppointment(AppointmentAnswer.Accepted, Comment),
            "Votre présence est confirmée. Bon rendez-vous !", ct, LinkAction.ConfirmAppointment);

    public Task<IActionResult> OnPostDeclineAppointmentAsync(string token, CancellationToken ct) =>
        AnswerAsync(token, LinkStep.Appointment, new Answer.ToAppointment(AppointmentAnswer.Declined, Comment),
            "C'est noté : l'entreprise et l'école sont informées que vous ne pourrez pas venir.", ct, LinkAction.DeclineAppointment);

    /// <summary>
    /// A candidate whose link expired asks for a fresh one: the step's mail goes again to the address on file,
    /// at most once every ten minutes. The answer is the same whatever happens, so it reveals nothing.
    /// </summary>
    public async Task<IActionResult> OnPostNewLinkAsync(string token, CancellationToken ct)
    {
        await LoadAsync(token, null, ct);
        if (Resolved.Status == LinkStatus.Expired && Resolved.Link!.Recipient == Recipient.Candidate && Summary is not null)
        {
            var key = Resolved.Link.Step == LinkStep.Offer ? TemplateKeys.OfferToCandidate : TemplateKeys.AppointmentToCandidate;
            var referral = Summary.Referral;
            var now = clock.GetUtcNow();
            var recent = now.AddMinutes(-10);
            if (!await db.OutboxMessages.AnyAsync(m => m.ReferralId == referral.Id && m.TemplateKey == key && m.CreatedAt > recent, ct))
            {
                var mail = Outbox.New(referral.SchoolId, key, Recipient.Candidate, now);
                mail.ReferralId = referral.Id;
                mail.Calendar = key == TemplateKeys.AppointmentToCandidate ? CalendarInvite.Request : CalendarInvite.None;
                mail.Data = new MailData(referral.AppointmentStartsAt, referral.AppointmentLocation, referral.AppointmentComment, referral.AppointmentSequence).Serialize();
                db.OutboxMessages.Add(mail);
                await db.SaveChangesAsync(ct);
            }
        }
        Message = "Si votre adresse est bien enregistrée, un nouveau lien vient de vous être envoyé par e-mail.";
        return RedirectToPage(new { token, action = (string?)null });
    }

    private async Task<IActionResult> AnswerAsync(string token, LinkStep step, Answer answer, string done, CancellationToken ct, LinkAction? shownAgain = null)
    {
        // The answer needs the link, its referral and the answering person's name, all read at once; the page's
        // summary only when it is shown again.
        var view = shownAgain?.Segment;
        await ResolveAsync(token, view, ct);
        if (Resolved.Status != LinkStatus.Valid || Resolved.Link!.Step != step)
        {
            await LoadSummaryAsync(ct);
            Response.StatusCode = Resolved.Status == LinkStatus.Valid ? StatusCodes.Status422UnprocessableEntity : LinkResolver.HttpStatus(Resolved.Status);
            return Page();
        }

        var link = Resolved.Link;
        var actor = link.Recipient == Recipient.CompanyContact
            ? Actor.Contact(link.RecipientId, Resolved.RecipientName!, Channel.EmailLink)
            : Actor.Candidate(link.RecipientId, Resolved.RecipientName!);
        var result = await actions.AnswerAsync(Resolved.Referral!, actor, answer, Version, ct);
        if (result.Succeeded)
        {
            Message = done;
            return RedirectToPage(new { token, action = (string?)null });
        }

        await LoadAsync(token, view, ct);
        Error = result.Refusal!.Message;
        Response.StatusCode = result.Refusal.HttpStatus;
        return Page();
    }

    private async Task LoadAsync(string token, string? action, CancellationToken ct)
    {
        await ResolveAsync(token, action, ct);
        await LoadSummaryAsync(ct);
    }

    private async Task ResolveAsync(string token, string? action, CancellationToken ct)
    {
        Token = token;
        View = action;
        Resolved = await resolver.ResolveAsync(token, ct);
    }

    private async Task LoadSummaryAsync(CancellationToken ct)
    {
        if (Resolved.Referral is not null)
            Summary = await ReferralSummary.LoadAsync(db, Resolved.Referral.Id, ct);
    }

    private FileContentResult CalendarFile()
    {
        var r = Summary!.Referral;
        if (r.AppointmentStartsAt is not { } startsAt)
            return File(Array.Empty<byte>(), "text/calendar");
        var ics = CalendarInvitation.Write(CalendarInvite.Request, r.Id, r.AppointmentSequence, startsAt,
            $"Entretien {Summary.CompanyName} – {Summary.OfferTitle}", r.AppointmentLocation, r.AppointmentComment,
            Summary.SchoolName, email.FromAddress, Summary.CandidateName, attendeeAddress: null, clock.GetUtcNow());
        return File(Encoding.UTF8.GetBytes(ics), "text/calendar; charset=utf-8", "rendez-vous.ics");
    }
}
