namespace Passerelle.Referrals;

/// <summary>
/// What a party says on a referral, whichever door it comes through (an e-mail link, the company portal, the
/// back-office). <see cref="ReferralActions.AnswerAsync(Guid, Actor, Answer, int?, CancellationToken)"/> applies it.
/// Free texts are trimmed here, blank ones dropped; the rules stay in <see cref="Referral"/>.
/// </summary>
public abstract record Answer
{
    private Answer()
    {
    }

    /// <summary>The candidate accepts or declines the offer.</summary>
    public sealed record ToOffer(OfferAnswer Value, string? Comment = null) : Answer;

    /// <summary>The company accepts the candidate and proposes this appointment.</summary>
    public sealed record AcceptCandidate(Appointment Appointment) : Answer;

    /// <summary>
    /// The company asks to meet a candidate whose profile a school pushed, with this appointment, for one of its active offers
    /// at the school or, when <paramref name="OfferId"/> is null, as a spontaneous application ("Candidature spontanée").
    /// </summary>
    public sealed record MeetCandidate(Appointment Appointment, Guid? OfferId) : Answer;

    /// <summary>
    /// The company refuses the candidate, with a reason from the school's list or none; on a pushed profile, "Ne pas donner
    /// suite".
    /// </summary>
    public sealed record RefuseCandidate(string? Comment = null, string? Reason = null) : Answer;

    /// <summary>The candidate confirms or declines the appointment.</summary>
    public sealed record ToAppointment(AppointmentAnswer Value, string? Comment = null) : Answer;

    /// <summary>The company or the school records whether the candidate was recruited.</summary>
    public sealed record RecordOutcome(Outcome Value) : Answer;

    /// <summary>The school withdraws the referral.</summary>
    public sealed record Cancel(string? Reason) : Answer;

    /// <summary>A form that could not be read as an answer (no choice, an impossible date): refused with this message.</summary>
    public sealed record Unreadable(string Problem) : Answer;

    /// <summary>The candidate's choice on the offer, as a form posts it (nothing, or a value that is not one).</summary>
    public static Answer Offer(OfferAnswer? value, string? comment = null) =>
        value is { } chosen && Enum.IsDefined(chosen) ? new ToOffer(chosen, comment) : new Unreadable("Choisissez la réponse du candidat.");

    public static Answer AppointmentChoice(AppointmentAnswer? value, string? comment = null) =>
        value is { } chosen && Enum.IsDefined(chosen) ? new ToAppointment(chosen, comment) : new Unreadable("Choisissez la réponse du candidat.");

    public static Answer Outcome(Outcome? value) =>
        value is { } chosen && Enum.IsDefined(chosen) ? new RecordOutcome(chosen) : new Unreadable("Choisissez le résultat.");

    /// <summary>
    /// "Meet this candidate" as a pushed profile's form posts it: the appointment (read by <see cref="AppointmentForm.ToAnswer"/>)
    /// and the offer chosen, an offer's id or <see cref="SpontaneousApplication"/>.
    /// </summary>
    public static Answer Meet(Answer appointment, string? offer) => appointment switch
    {
        AcceptCandidate accept when offer == SpontaneousApplication => new MeetCandidate(accept.Appointment, null),
        AcceptCandidate accept when Guid.TryParse(offer, out var offerId) => new MeetCandidate(accept.Appointment, offerId),
        AcceptCandidate => new Unreadable("Choisissez l'offre pour laquelle vous souhaitez rencontrer le candidat, ou « Candidature spontanée »."),
        _ => appointment,
    };

    /// <summary>The form value of the "Candidature spontanée" choice.</summary>
    public const string SpontaneousApplication = "spontanee";

    /// <summary>Applies the answer's rule; the actor's right to give it is checked by the rule itself.</summary>
    internal TransitionResult ApplyTo(Referral referral, Actor actor, DateTimeOffset now) => this switch
    {
        ToOffer a => referral.AnswerOffer(a.Value, actor, now, Clean(a.Comment)),
        AcceptCandidate a => referral.AnswerCandidate(CompanyAnswer.Accepted, a.Appointment, actor, now, a.Appointment.Comment),
        RefuseCandidate a => referral.AnswerCandidate(CompanyAnswer.Refused, null, actor, now, Clean(a.Comment), Clean(a.Reason)),
        ToAppointment a => referral.AnswerAppointment(a.Value, actor, now, Clean(a.Comment)),
        RecordOutcome a => referral.RecordOutcome(a.Value, actor, now),
        Cancel a => referral.Cancel(a.Reason ?? "", actor, now),
        _ => throw new InvalidOperationException($"{GetType().Name} is not applied: ReferralActions.AnswerAsync refuses it first."),
    };

    /// <summary>A free text as stored: trimmed, or nothing when blank.</summary>
    public static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
