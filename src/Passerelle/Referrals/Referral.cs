namespace Passerelle.Referrals;

/// <summary>
/// A mise en relation: one candidate put forward for one job offer, to one company contact.
/// The workflow rules of PRODUCT.md live here, in plain C#: each method checks who may do what
/// at this point, changes the state, bumps <see cref="Version"/> (the concurrency token the
/// database checks on save) and returns the timeline event and the mails it requires.
/// </summary>
public sealed class Referral : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid CandidateId { get; set; }
    public Guid JobOfferId { get; set; }
    public Guid ContactId { get; set; }
    public Guid CreatedByStaffId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the referral last changed: its last event (the API's updatedSince).</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    public ReferralStage Stage { get; private set; }

    public OfferAnswer? OfferAnswer { get; private set; }
    public DateTimeOffset? OfferAnsweredAt { get; private set; }

    public CompanyAnswer? CompanyAnswer { get; private set; }
    public DateTimeOffset? CompanyAnsweredAt { get; private set; }
    public string? CompanyRefusalReason { get; private set; }

    public DateTimeOffset? AppointmentStartsAt { get; private set; }
    public string? AppointmentLocation { get; private set; }
    public string? AppointmentComment { get; private set; }

    /// <summary>Bumped each time the appointment is proposed, changed or withdrawn (the calendar SEQUENCE).</summary>
    public int AppointmentSequence { get; private set; }

    public AppointmentAnswer? AppointmentAnswer { get; private set; }
    public DateTimeOffset? AppointmentAnsweredAt { get; private set; }

    public Outcome? Outcome { get; private set; }
    public DateTimeOffset? OutcomeRecordedAt { get; private set; }

    public DateTimeOffset? CancelledAt { get; private set; }
    public string? CancellationReason { get; private set; }

    /// <summary>Incremented by every transition; a save succeeds only if the stored version is the one read.</summary>
    public int Version { get; private set; }

    /// <summary>The documents of the candidate the company may see for this referral.</summary>
    public List<ReferralDocument> SharedDocuments { get; } = [];

    public Appointment? Appointment =>
        AppointmentStartsAt is { } startsAt ? new Appointment(startsAt, AppointmentLocation, AppointmentComment) : null;

    public bool IsCancelled => CancelledAt is not null;

    /// <summary>
    /// The company may open the candidate's profile and documents: once the candidate has accepted the offer, and
    /// never after they declined it or the school cancelled (the list still shows the documents' labels).
    /// </summary>
    public bool ProfileOpenToCompany => IsProfileOpenToCompany(OfferAnswer, CancelledAt);

    /// <summary>The same rule, for rows that read only these two columns.</summary>
    public static bool IsProfileOpenToCompany(OfferAnswer? offerAnswer, DateTimeOffset? cancelledAt) =>
        offerAnswer == Referrals.OfferAnswer.Accepted && cancelledAt is null;

    /// <summary>The same rule, for a database query.</summary>
    public static readonly System.Linq.Expressions.Expression<Func<Referral, bool>> ProfileIsOpenToCompany =
        r => r.OfferAnswer == Referrals.OfferAnswer.Accepted && r.CancelledAt == null;

    /// <summary>Why the company cannot open the profile now, in French.</summary>
    public string? ProfileClosedReason => ProfileOpenToCompany ? null
        : IsCancelled ? "L'école a annulé cette mise en relation : le profil et les documents du candidat ne sont plus accessibles."
        : OfferAnswer == Referrals.OfferAnswer.Declined ? "Le candidat a refusé l'offre : son profil et ses documents ne sont pas accessibles."
        : "Le profil et les documents du candidat seront accessibles dès qu'il aura accepté l'offre.";

    /// <summary>The candidate may still answer (or change their answer to) the offer.</summary>
    public bool OfferStepOpen => !IsCancelled && Outcome is null && CompanyAnswer is null;

    /// <summary>The company may still answer (or change its answer) on the candidate.</summary>
    public bool CompanyStepOpen => !IsCancelled && Outcome is null && OfferAnswer == Referrals.OfferAnswer.Accepted && AppointmentAnswer is null;

    /// <summary>The candidate may still answer (or change their answer to) the appointment.</summary>
    public bool AppointmentStepOpen => !IsCancelled && Outcome is null && CompanyAnswer == Referrals.CompanyAnswer.Accepted;

    public bool IsOpen(LinkStep step) => step switch
    {
        LinkStep.Offer => OfferStepOpen,
        LinkStep.Company => CompanyStepOpen,
        LinkStep.Appointment => AppointmentStepOpen,
        _ => false,
    };

    /// <summary>The steps whose answer may still be given or changed (their e-mail links still act).</summary>
    public IReadOnlyList<LinkStep> OpenSteps => [.. Enum.GetValues<LinkStep>().Where(IsOpen)];

    /// <summary>
    /// The company or the school may record (or correct) the outcome: the candidate confirmed the appointment, it has
    /// taken place, and the school has not cancelled.
    /// </summary>
    public bool CanRecordOutcome(DateTimeOffset now) =>
        !IsCancelled && AppointmentAnswer == Referrals.AppointmentAnswer.Accepted && AppointmentStartsAt <= now;

    /// <summary>Why the outcome cannot be recorded yet, while the confirmed appointment is still ahead; otherwise null.</summary>
    public string? OutcomeNotYetReason(DateTimeOffset now) =>
        !IsCancelled && AppointmentAnswer == Referrals.AppointmentAnswer.Accepted && AppointmentStartsAt > now
            ? $"Le résultat s'enregistre après le rendez-vous, prévu le {ParisTime.Date(AppointmentStartsAt.Value)} à {ParisTime.Time(AppointmentStartsAt.Value)}."
            : null;

    /// <summary>
    /// Why the party has nothing (more) to do now, in French; null while it may still act. For the company, its own
    /// step; for the others, what closes the referral for everyone (cancelled, or the outcome recorded).
    /// </summary>
    public string? ClosedReasonFor(Party party) => party switch
    {
        Party.Company => this switch
        {
            { CompanyStepOpen: true } => null,
            { IsCancelled: true } => CancelledMessage,
            { Outcome: not null } => OutcomeRecordedMessage,
            { AppointmentAnswer: not null } => "Le candidat a répondu au rendez-vous : votre réponse ne peut plus être modifiée.",
            { OfferAnswer: Referrals.OfferAnswer.Declined } => OfferDeclinedMessage,
            _ => "Le candidat n'a pas encore accepté l'offre : vous pourrez répondre dès qu'il l'aura acceptée. Vous recevrez alors un e-mail.",
        },
        _ => IsCancelled ? CancelledMessage : Outcome is not null ? OutcomeRecordedMessage : null,
    };

    /// <summary>The school may still withdraw the referral: not cancelled already, no outcome recorded.</summary>
    public bool CanCancel => !IsCancelled && Outcome is null;

    private const string CancelledMessage = "L'école a annulé cette mise en relation.";
    private const string OutcomeRecordedMessage = "Le résultat de la mise en relation est enregistré.";
    private const string OfferDeclinedMessage = "Le candidat a refusé l'offre : il n'y a pas de réponse à donner.";

    /// <summary>Creates a referral for a candidate on an active offer; the offer mail goes to the candidate.</summary>
    public static (Referral? Referral, TransitionResult Result) Propose(
        Guid schoolId, Guid candidateId, Guid jobOfferId, bool offerIsActive, Guid contactId,
        IEnumerable<Guid> sharedDocumentIds, Actor actor, Guid createdByStaffId, DateTimeOffset now)
    {
        if (actor.ActsAs != Party.School)
            return (null, TransitionResult.Refused(RefusalCode.NotYourStep, "Seule l'école peut proposer une mise en relation."));
        if (!offerIsActive)
            return (null, TransitionResult.Refused(RefusalCode.Invalid, "Cette offre est inactive : elle n'accepte plus de mise en relation."));

        var referral = New(schoolId, candidateId, jobOfferId, contactId, sharedDocumentIds, createdByStaffId, now);
        var @event = referral.Record(ReferralEventKind.Proposed, actor, now);
        return (referral, TransitionResult.Done(@event, new MailToSend(TemplateKeys.OfferToCandidate, Recipient.Candidate)));
    }

    /// <summary>
    /// A referral born of a push CV (PushedProfile.AskMeeting): created at the company step — the candidate's consent to the
    /// push stands for their acceptance of the offer, and the timeline says so — with the company's acceptance and appointment
    /// proposal, which must be valid as in <see cref="AnswerCandidate"/>. The school is told by its own notification.
    /// </summary>
    public static (Referral? Referral, TransitionResult Result) FromPush(
        Guid schoolId, Guid candidateId, Guid jobOfferId, Guid contactId, IEnumerable<Guid> sharedDocumentIds,
        Guid pushedByStaffId, string pushedByName, DateTimeOffset pushedAt, DateTimeOffset consentRecordedAt,
        Appointment appointment, Actor actor, DateTimeOffset now)
    {
        var referral = New(schoolId, candidateId, jobOfferId, contactId, sharedDocumentIds, pushedByStaffId, now);
        referral.OfferAnswer = Referrals.OfferAnswer.Accepted;
        referral.OfferAnsweredAt = consentRecordedAt;

        var proposed = referral.Record(ReferralEventKind.ProposedFromPush, Actor.Staff(pushedByStaffId, pushedByName), pushedAt);
        proposed.ConsentRecordedAt = consentRecordedAt;
        var accepted = referral.AnswerCandidate(Referrals.CompanyAnswer.Accepted, appointment, actor, now, appointment.Comment);
        if (!accepted.Succeeded)
            return (null, accepted);
        var mails = accepted.Mails.Select(m => m.TemplateKey == TemplateKeys.SchoolCompanyProposedAppointment
            ? m with { TemplateKey = TemplateKeys.SchoolCompanyAskedToMeet }
            : m);
        return (referral, TransitionResult.Done([proposed, accepted.Event!], [.. mails]));
    }

    private static Referral New(
        Guid schoolId, Guid candidateId, Guid jobOfferId, Guid contactId, IEnumerable<Guid> sharedDocumentIds, Guid createdByStaffId, DateTimeOffset now)
    {
        var referral = new Referral
        {
            Id = Guid.CreateVersion7(now), SchoolId = schoolId, CandidateId = candidateId, JobOfferId = jobOfferId, ContactId = contactId,
            CreatedByStaffId = createdByStaffId, CreatedAt = now,
        };
        foreach (var documentId in sharedDocumentIds.Distinct())
            referral.SharedDocuments.Add(new ReferralDocument { SchoolId = schoolId, ReferralId = referral.Id, DocumentId = documentId });
        return referral;
    }

    /// <summary>The candidate accepts or declines the offer; possible again (change of mind) until the company answers.</summary>
    public TransitionResult AnswerOffer(OfferAnswer answer, Actor actor, DateTimeOffset now, string? comment = null)
    {
        if (Check(actor, Party.Candidate, "Seul le candidat, ou l'école pour son compte, répond à l'offre.") is { } refused)
            return refused;
        if (CompanyAnswer is not null)
            return TransitionResult.Refused(RefusalCode.StepClosed,
                "L'entreprise a déjà répondu : la réponse à l'offre ne peut plus être modifiée.");
        if (OfferAnswer == answer)
            return SameAnswer();

        var previous = OfferAnswer;
        OfferAnswer = answer;
        OfferAnsweredAt = now;

        var @event = Record(answer == Referrals.OfferAnswer.Accepted ? ReferralEventKind.OfferAccepted : ReferralEventKind.OfferDeclined,
            actor, now, comment, previous: previous is null ? null : OfferEventKind(previous.Value));

        if (answer == Referrals.OfferAnswer.Accepted)
        {
            return TransitionResult.Done(@event,
                new MailToSend(TemplateKeys.CandidateToCompany, Recipient.CompanyContact),
                new MailToSend(TemplateKeys.SchoolCandidateAcceptedOffer, Recipient.ReferringStaff));
        }

        return previous == Referrals.OfferAnswer.Accepted
            ? TransitionResult.Done(@event,
                new MailToSend(TemplateKeys.WithdrawnCandidateToCompany, Recipient.CompanyContact),
                new MailToSend(TemplateKeys.SchoolCandidateDeclinedOffer, Recipient.ReferringStaff))
            : TransitionResult.Done(@event, new MailToSend(TemplateKeys.SchoolCandidateDeclinedOffer, Recipient.ReferringStaff));
    }

    /// <summary>
    /// An appointment further ahead than this is a typing mistake (9999), not an interview.
    /// </summary>
    public const int MaxAppointmentYearsAhead = 2;

    /// <summary>
    /// The company accepts the candidate with an appointment proposal (mandatory, in the future) or refuses them.
    /// Possible again, including a different appointment, until the candidate answers the appointment.
    /// </summary>
    public TransitionResult AnswerCandidate(
        CompanyAnswer answer, Appointment? appointment, Actor actor, DateTimeOffset now,
        string? comment = null, string? refusalReason = null)
    {
        if (Check(actor, Party.Company, "Seule l'entreprise, ou l'école pour son compte, répond sur le candidat.") is { } refused)
            return refused;
        if (OfferAnswer != Referrals.OfferAnswer.Accepted)
            return TransitionResult.Refused(RefusalCode.NotYet, OfferAnswer == Referrals.OfferAnswer.Declined
                ? OfferDeclinedMessage
                : "Le candidat n'a pas encore accepté l'offre.");
        if (AppointmentAnswer is not null)
            return TransitionResult.Refused(RefusalCode.StepClosed,
                "Le candidat a déjà répondu au rendez-vous : la réponse de l'entreprise ne peut plus être modifiée.");

        if (answer == Referrals.CompanyAnswer.Refused)
            return Refuse(actor, now, comment, refusalReason);

        if (appointment is null)
            return TransitionResult.Refused(RefusalCode.Invalid, "Pour accepter le candidat, proposez-lui un rendez-vous (date et heure).");
        if (appointment.StartsAt <= now)
            return TransitionResult.Refused(RefusalCode.Invalid, "La date du rendez-vous doit être dans le futur.");
        if (appointment.StartsAt > now.AddYears(MaxAppointmentYearsAhead))
            return TransitionResult.Refused(RefusalCode.Invalid, "La date du rendez-vous doit être dans les deux ans qui viennent.");

        var wasAccepted = CompanyAnswer == Referrals.CompanyAnswer.Accepted;
        if (wasAccepted && Appointment!.IsSameSlot(appointment))
            return SameAnswer();

        var previous = CompanyAnswer;
        if (previous is not null)
            AppointmentSequence++;
        CompanyAnswer = Referrals.CompanyAnswer.Accepted;
        CompanyAnsweredAt = now;
        CompanyRefusalReason = null;
        AppointmentStartsAt = appointment.StartsAt;
        AppointmentLocation = appointment.Location;
        AppointmentComment = appointment.Comment;

        var @event = Record(wasAccepted ? ReferralEventKind.AppointmentChanged : ReferralEventKind.CandidateAccepted,
            actor, now, comment ?? appointment.Comment, previous: CompanyEventKind(previous), appointment: appointment);
        return TransitionResult.Done(@event,
            new MailToSend(TemplateKeys.AppointmentToCandidate, Recipient.Candidate, CalendarInvite.Request),
            new MailToSend(TemplateKeys.SchoolCompanyProposedAppointment, Recipient.ReferringStaff));
    }

    private TransitionResult Refuse(Actor actor, DateTimeOffset now, string? comment, string? refusalReason)
    {
        if (CompanyAnswer == Referrals.CompanyAnswer.Refused)
            return SameAnswer();

        var withdrawnAppointment = Appointment;
        var previous = CompanyAnswer;
        CompanyAnswer = Referrals.CompanyAnswer.Refused;
        CompanyAnsweredAt = now;
        CompanyRefusalReason = refusalReason;
        if (withdrawnAppointment is not null)
            AppointmentSequence++;
        AppointmentStartsAt = null;
        AppointmentLocation = null;
        AppointmentComment = null;

        // The event keeps the withdrawn appointment, for the timeline and the cancellation mail.
        var @event = Record(ReferralEventKind.CandidateRefused, actor, now, comment,
            previous: CompanyEventKind(previous), appointment: withdrawnAppointment, reason: refusalReason);
        var toCandidate = withdrawnAppointment is null
            ? new MailToSend(TemplateKeys.CompanyRefusedToCandidate, Recipient.Candidate)
            : new MailToSend(TemplateKeys.WithdrawnAppointmentToCandidate, Recipient.Candidate, CalendarInvite.Cancel);
        return TransitionResult.Done(@event, toCandidate,
            new MailToSend(TemplateKeys.SchoolCompanyRefusedCandidate, Recipient.ReferringStaff));
    }

    /// <summary>The appointment's time has come: the candidate's own answer to it is closed (the school's for them is not).</summary>
    public bool AppointmentPassed(DateTimeOffset now) => AppointmentStartsAt is { } startsAt && startsAt <= now;

    /// <summary>
    /// The candidate confirms or declines the appointment; possible again until the outcome is recorded — by the candidate
    /// themself until the appointment's time, by the school for them after it.
    /// </summary>
    public TransitionResult AnswerAppointment(AppointmentAnswer answer, Actor actor, DateTimeOffset now, string? comment = null)
    {
        if (Check(actor, Party.Candidate, "Seul le candidat, ou l'école pour son compte, répond au rendez-vous.") is { } refused)
            return refused;
        if (CompanyAnswer != Referrals.CompanyAnswer.Accepted)
            return TransitionResult.Refused(RefusalCode.NotYet, "Aucun rendez-vous n'est proposé.");
        if (AppointmentAnswer == answer)
            return SameAnswer();
        // Once the time has come, the candidate's own answer says nothing more ("Bon rendez-vous !" after it took place); the
        // school, for them, may still record what happened (a confirmation given by phone), so that the outcome can follow.
        if (actor.Kind == ActorKind.Candidate && AppointmentPassed(now))
            return TransitionResult.Refused(RefusalCode.StepClosed,
                $"Le rendez-vous du {ParisTime.Date(AppointmentStartsAt!.Value)} à {ParisTime.Time(AppointmentStartsAt.Value)} est passé : " +
                "votre réponse ne peut plus être enregistrée. Pour toute question, contactez l'école.");

        var previous = AppointmentAnswer;
        AppointmentAnswer = answer;
        AppointmentAnsweredAt = now;

        var accepted = answer == Referrals.AppointmentAnswer.Accepted;
        var @event = Record(accepted ? ReferralEventKind.AppointmentAccepted : ReferralEventKind.AppointmentDeclined,
            actor, now, comment, previous: previous is null ? null : AppointmentEventKind(previous.Value), appointment: Appointment);
        return TransitionResult.Done(@event,
            new MailToSend(TemplateKeys.AppointmentAnswerToCompany, Recipient.CompanyContact),
            new MailToSend(accepted ? TemplateKeys.SchoolCandidateAcceptedAppointment : TemplateKeys.SchoolCandidateDeclinedAppointment,
                Recipient.ReferringStaff));
    }

    /// <summary>Once the confirmed appointment has taken place, the company or the school records whether the candidate was recruited.</summary>
    public TransitionResult RecordOutcome(Outcome outcome, Actor actor, DateTimeOffset now, string? comment = null)
    {
        if (actor.ActsAs == Party.Candidate)
            return TransitionResult.Refused(RefusalCode.NotYourStep, "Le résultat est enregistré par l'entreprise ou par l'école.");
        if (actor.Kind == ActorKind.CompanyContact && actor.Id != ContactId)
            return TransitionResult.NotFound();
        if (IsCancelled)
            return Cancelled();
        if (AppointmentAnswer != Referrals.AppointmentAnswer.Accepted)
            return TransitionResult.Refused(RefusalCode.NotYet, "Le candidat n'a pas confirmé de rendez-vous.");
        if (OutcomeNotYetReason(now) is { } notYet)
            return TransitionResult.Refused(RefusalCode.NotYet, notYet);
        if (Outcome == outcome)
            return SameAnswer();

        var previous = Outcome;
        Outcome = outcome;
        OutcomeRecordedAt = now;
        var @event = Record(outcome == Referrals.Outcome.Recruited ? ReferralEventKind.Recruited : ReferralEventKind.NotRetained,
            actor, now, comment, previous: previous is null ? null : OutcomeEventKind(previous.Value));
        return actor.ActsAs == Party.Company
            ? TransitionResult.Done(@event, new MailToSend(TemplateKeys.SchoolOutcomeRecorded, Recipient.ReferringStaff))
            : TransitionResult.Done(@event);
    }

    /// <summary>The school withdraws the referral (offer filled, candidate placed elsewhere); the parties involved are told.</summary>
    public TransitionResult Cancel(string reason, Actor actor, DateTimeOffset now)
    {
        if (actor.ActsAs != Party.School)
            return TransitionResult.Refused(RefusalCode.NotYourStep, "Seule l'école peut annuler une mise en relation.");
        if (!CanCancel)
            return IsCancelled ? Cancelled() : TransitionResult.Refused(RefusalCode.Closed, "Le résultat est enregistré : la mise en relation ne peut plus être annulée.");
        if (string.IsNullOrWhiteSpace(reason))
            return TransitionResult.Refused(RefusalCode.Invalid, "Indiquez le motif de l'annulation.");

        var appointment = Appointment;
        var hadAppointment = appointment is not null;
        var companyWasInvolved = OfferAnswer == Referrals.OfferAnswer.Accepted;
        CancelledAt = now;
        CancellationReason = reason.Trim();
        if (hadAppointment)
            AppointmentSequence++;

        var @event = Record(ReferralEventKind.Cancelled, actor, now, appointment: appointment, reason: CancellationReason);
        var toCandidate = new MailToSend(TemplateKeys.WithdrawnBySchoolToCandidate, Recipient.Candidate,
            hadAppointment ? CalendarInvite.Cancel : CalendarInvite.None);
        return companyWasInvolved
            ? TransitionResult.Done(@event, toCandidate, new MailToSend(TemplateKeys.WithdrawnBySchoolToCompany, Recipient.CompanyContact))
            : TransitionResult.Done(@event, toCandidate);
    }

    /// <summary>
    /// The school gives the referral to another contact of the company (the first one left, or was switched off). The new
    /// contact gets the candidate's mail with fresh links when the company's step is open; the old one's links stop working
    /// (<see cref="ReferralActions.ReassignAsync"/>).
    /// </summary>
    public TransitionResult Reassign(Guid contactId, string contactName, Actor actor, DateTimeOffset now)
    {
        if (actor.ActsAs != Party.School)
            return TransitionResult.Refused(RefusalCode.NotYourStep, "Seule l'école confie une mise en relation à un autre contact.");
        if (IsCancelled)
            return Cancelled();
        if (Outcome is not null)
            return TransitionResult.Refused(RefusalCode.Closed, "Le résultat est enregistré : la mise en relation ne change plus de contact.");
        if (contactId == ContactId)
            return TransitionResult.Refused(RefusalCode.SameAnswer, "Ce contact suit déjà cette mise en relation.");

        ContactId = contactId;
        var @event = Record(ReferralEventKind.ContactChanged, actor, now, reason: contactName);
        return CompanyStepOpen
            ? TransitionResult.Done(@event, new MailToSend(TemplateKeys.CandidateToCompany, Recipient.CompanyContact))
            : TransitionResult.Done(@event);
    }

    /// <summary>
    /// Erasure of the candidate: the free text typed about the referral (the appointment's comment, the cancellation's
    /// reason) may name them, and goes. The state and dates stay: the statistics keep counting the referral.
    /// </summary>
    public void ForgetFreeText()
    {
        AppointmentComment = null;
        CancellationReason = CancellationReason is null ? null : "(effacé)";
    }

    /// <summary>Erasure of a contact or a staff member: their name leaves the free text typed about the referral.</summary>
    public void ForgetName(Func<string?, string?> scrub)
    {
        AppointmentComment = scrub(AppointmentComment);
        AppointmentLocation = scrub(AppointmentLocation);
        CancellationReason = scrub(CancellationReason);
    }

    /// <summary>The checks every answer shares: the right party, the right person, a referral still open.</summary>
    private TransitionResult? Check(Actor actor, Party party, string notYourStep)
    {
        if (actor.ActsAs != party)
            return TransitionResult.Refused(RefusalCode.NotYourStep, notYourStep);
        if ((actor.Kind == ActorKind.Candidate && actor.Id != CandidateId) ||
            (actor.Kind == ActorKind.CompanyContact && actor.Id != ContactId))
            return TransitionResult.NotFound();
        if (IsCancelled)
            return Cancelled();
        if (Outcome is not null)
            return TransitionResult.Refused(RefusalCode.Closed, "Le résultat de la mise en relation est enregistré : elle ne peut plus être modifiée.");
        return null;
    }

    private static TransitionResult Cancelled() =>
        TransitionResult.Refused(RefusalCode.Cancelled, "Cette mise en relation a été annulée par l'école.");

    private static TransitionResult SameAnswer() =>
        TransitionResult.Refused(RefusalCode.SameAnswer, "Cette réponse est déjà enregistrée.");

    private ReferralEvent Record(
        ReferralEventKind kind, Actor actor, DateTimeOffset now, string? comment = null,
        ReferralEventKind? previous = null, Appointment? appointment = null, string? reason = null)
    {
        Version++;
        Stage = CurrentStage();
        UpdatedAt = now;
        return new ReferralEvent
        {
            Id = Guid.CreateVersion7(now),
            SchoolId = SchoolId,
            ReferralId = Id,
            Sequence = Version,
            OccurredAt = now,
            Kind = kind,
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            ActorName = actor.DisplayName,
            OnBehalfOf = actor.Kind is ActorKind.Staff or ActorKind.ApiClient ? actor.OnBehalfOf : null,
            Channel = actor.Channel,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(),
            PreviousAnswer = previous,
            AppointmentStartsAt = appointment?.StartsAt,
            AppointmentLocation = appointment?.Location,
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
        };
    }

    private ReferralStage CurrentStage() => this switch
    {
        { IsCancelled: true } => ReferralStage.Cancelled,
        { Outcome: Referrals.Outcome.Recruited } => ReferralStage.Recruited,
        { Outcome: Referrals.Outcome.NotRetained } => ReferralStage.NotRetained,
        { AppointmentAnswer: Referrals.AppointmentAnswer.Accepted } => ReferralStage.AwaitingOutcome,
        { AppointmentAnswer: Referrals.AppointmentAnswer.Declined } => ReferralStage.AppointmentDeclined,
        { CompanyAnswer: Referrals.CompanyAnswer.Accepted } => ReferralStage.AwaitingAppointmentAnswer,
        { CompanyAnswer: Referrals.CompanyAnswer.Refused } => ReferralStage.CompanyRefused,
        { OfferAnswer: Referrals.OfferAnswer.Accepted } => ReferralStage.AwaitingCompany,
        { OfferAnswer: Referrals.OfferAnswer.Declined } => ReferralStage.OfferDeclined,
        _ => ReferralStage.AwaitingCandidate,
    };

    private static ReferralEventKind OfferEventKind(OfferAnswer answer) =>
        answer == Referrals.OfferAnswer.Accepted ? ReferralEventKind.OfferAccepted : ReferralEventKind.OfferDeclined;

    private static ReferralEventKind? CompanyEventKind(CompanyAnswer? answer) => answer switch
    {
        Referrals.CompanyAnswer.Accepted => ReferralEventKind.CandidateAccepted,
        Referrals.CompanyAnswer.Refused => ReferralEventKind.CandidateRefused,
        _ => null,
    };

    private static ReferralEventKind AppointmentEventKind(AppointmentAnswer answer) =>
        answer == Referrals.AppointmentAnswer.Accepted ? ReferralEventKind.AppointmentAccepted : ReferralEventKind.AppointmentDeclined;

    private static ReferralEventKind OutcomeEventKind(Outcome outcome) =>
        outcome == Referrals.Outcome.Recruited ? ReferralEventKind.Recruited : ReferralEventKind.NotRetained;
}

/// <summary>A candidate document the company may see for one referral.</summary>
public sealed class ReferralDocument : ISchoolOwned
{
    public Guid SchoolId { get; set; }
    public Guid ReferralId { get; set; }
    public Guid DocumentId { get; set; }
}
