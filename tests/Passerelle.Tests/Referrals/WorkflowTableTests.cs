using Passerelle.Referrals;
using static Passerelle.Referrals.ReferralStage;
using static Passerelle.Referrals.RefusalCode;

namespace Passerelle.Tests.Referrals;

/// <summary>
/// Every (stage × actor × action) of the workflow, written out as two tables: which actors may perform each
/// action at all, and what the rightful party gets in each stage (the new stage and the mails, or the refusal).
/// </summary>
public class WorkflowTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly Guid CandidateId = Guid.NewGuid();
    private static readonly Guid ContactId = Guid.NewGuid();
    private static readonly Appointment FirstSlot = new(Now.AddDays(3), "Bordeaux", null);
    private static readonly Appointment OtherSlot = new(Now.AddDays(5), "Bordeaux", "Nouvelle date");
    private static readonly DateTimeOffset AfterAppointment = Now.AddDays(10);

    public enum Act { AcceptOffer, DeclineOffer, AcceptCandidate, RefuseCandidate, AcceptAppointment, DeclineAppointment, Recruited, NotRetained, Cancel }

    public enum Who { Candidate, OtherCandidate, Contact, OtherContact, StaffForSchool, StaffForCandidate, StaffForCompany, ApiForSchool, ApiForCandidate, ApiForCompany }

    private sealed record Expected(ReferralStage? Next, RefusalCode? Refusal, params string[] Mails)
    {
        public static Expected To(ReferralStage next, params string[] mails) => new(next, null, mails);
        public static Expected No(RefusalCode code) => new(null, code);
    }

    private static Expected To(ReferralStage next, params string[] mails) => Expected.To(next, mails);
    private static Expected No(RefusalCode code) => Expected.No(code);

    // Mails as "template key > recipient".
    private const string ToCompanyProfile = "referral.candidate_to_company>CompanyContact";
    private const string SchoolAccepted = "school.candidate_accepted_offer>ReferringStaff";
    private const string SchoolDeclined = "school.candidate_declined_offer>ReferringStaff";
    private const string CandidateWithdrew = "referral.withdrawn_candidate_to_company>CompanyContact";
    private const string AppointmentMail = "referral.appointment_to_candidate>Candidate:Request";
    private const string SchoolAppointment = "school.company_proposed_appointment>ReferringStaff";
    private const string RefusedMail = "referral.company_refused_to_candidate>Candidate";
    private const string AppointmentWithdrawn = "referral.withdrawn_appointment_to_candidate>Candidate:Cancel";
    private const string SchoolRefused = "school.company_refused_candidate>ReferringStaff";
    private const string AnswerToCompany = "referral.appointment_answer_to_company>CompanyContact";
    private const string SchoolAppointmentAccepted = "school.candidate_accepted_appointment>ReferringStaff";
    private const string SchoolAppointmentDeclined = "school.candidate_declined_appointment>ReferringStaff";
    private const string CancelToCandidate = "referral.withdrawn_by_school_to_candidate>Candidate";
    private const string CancelToCandidateWithInvite = "referral.withdrawn_by_school_to_candidate>Candidate:Cancel";
    private const string CancelToCompany = "referral.withdrawn_by_school_to_company>CompanyContact";

    /// <summary>What the rightful party gets, per stage and action. (Outcome mails depend on who records it: see the test below.)</summary>
    private static readonly Dictionary<ReferralStage, Dictionary<Act, Expected>> StageTable = new()
    {
        [AwaitingCandidate] = new()
        {
            [Act.AcceptOffer] = To(AwaitingCompany, ToCompanyProfile, SchoolAccepted),
            [Act.DeclineOffer] = To(OfferDeclined, SchoolDeclined),
            [Act.AcceptCandidate] = No(NotYet), [Act.RefuseCandidate] = No(NotYet),
            [Act.AcceptAppointment] = No(NotYet), [Act.DeclineAppointment] = No(NotYet),
            [Act.Recruited] = No(NotYet), [Act.NotRetained] = No(NotYet),
            [Act.Cancel] = To(ReferralStage.Cancelled, CancelToCandidate),
        },
        [OfferDeclined] = new()
        {
            [Act.AcceptOffer] = To(AwaitingCompany, ToCompanyProfile, SchoolAccepted),
            [Act.DeclineOffer] = No(SameAnswer),
            [Act.AcceptCandidate] = No(NotYet), [Act.RefuseCandidate] = No(NotYet),
            [Act.AcceptAppointment] = No(NotYet), [Act.DeclineAppointment] = No(NotYet),
            [Act.Recruited] = No(NotYet), [Act.NotRetained] = No(NotYet),
            [Act.Cancel] = To(ReferralStage.Cancelled, CancelToCandidate),
        },
        [AwaitingCompany] = new()
        {
            [Act.AcceptOffer] = No(SameAnswer),
            [Act.DeclineOffer] = To(OfferDeclined, CandidateWithdrew, SchoolDeclined),
            [Act.AcceptCandidate] = To(AwaitingAppointmentAnswer, AppointmentMail, SchoolAppointment),
            [Act.RefuseCandidate] = To(CompanyRefused, RefusedMail, SchoolRefused),
            [Act.AcceptAppointment] = No(NotYet), [Act.DeclineAppointment] = No(NotYet),
            [Act.Recruited] = No(NotYet), [Act.NotRetained] = No(NotYet),
            [Act.Cancel] = To(ReferralStage.Cancelled, CancelToCandidate, CancelToCompany),
        },
        [CompanyRefused] = new()
        {
            [Act.AcceptOffer] = No(StepClosed), [Act.DeclineOffer] = No(StepClosed),
            [Act.AcceptCandidate] = To(AwaitingAppointmentAnswer, AppointmentMail, SchoolAppointment),
            [Act.RefuseCandidate] = No(SameAnswer),
            [Act.AcceptAppointment] = No(NotYet), [Act.DeclineAppointment] = No(NotYet),
            [Act.Recruited] = No(NotYet), [Act.NotRetained] = No(NotYet),
            [Act.Cancel] = To(ReferralStage.Cancelled, CancelToCandidate, CancelToCompany),
        },
        [AwaitingAppointmentAnswer] = new()
        {
            [Act.AcceptOffer] = No(StepClosed), [Act.DeclineOffer] = No(StepClosed),
            // In this stage "accept" proposes a different appointment (the same one would be SameAnswer).
            [Act.AcceptCandidate] = To(AwaitingAppointmentAnswer, AppointmentMail, SchoolAppointment),
            [Act.RefuseCandidate] = To(CompanyRefused, AppointmentWithdrawn, SchoolRefused),
            [Act.AcceptAppointment] = To(AwaitingOutcome, AnswerToCompany, SchoolAppointmentAccepted),
            [Act.DeclineAppointment] = To(AppointmentDeclined, AnswerToCompany, SchoolAppointmentDeclined),
            [Act.Recruited] = No(NotYet), [Act.NotRetained] = No(NotYet),
            [Act.Cancel] = To(ReferralStage.Cancelled, CancelToCandidateWithInvite, CancelToCompany),
        },
        [AppointmentDeclined] = new()
        {
            [Act.AcceptOffer] = No(StepClosed), [Act.DeclineOffer] = No(StepClosed),
            [Act.AcceptCandidate] = No(StepClosed), [Act.RefuseCandidate] = No(StepClosed),
            [Act.AcceptAppointment] = To(AwaitingOutcome, AnswerToCompany, SchoolAppointmentAccepted),
            [Act.DeclineAppointment] = No(SameAnswer),
            [Act.Recruited] = No(NotYet), [Act.NotRetained] = No(NotYet),
            [Act.Cancel] = To(ReferralStage.Cancelled, CancelToCandidateWithInvite, CancelToCompany),
        },
        [AwaitingOutcome] = new()
        {
            [Act.AcceptOffer] = No(StepClosed), [Act.DeclineOffer] = No(StepClosed),
            [Act.AcceptCandidate] = No(StepClosed), [Act.RefuseCandidate] = No(StepClosed),
            [Act.AcceptAppointment] = No(SameAnswer),
            [Act.DeclineAppointment] = To(AppointmentDeclined, AnswerToCompany, SchoolAppointmentDeclined),
            [Act.Recruited] = To(Recruited), [Act.NotRetained] = To(NotRetained),
            [Act.Cancel] = To(ReferralStage.Cancelled, CancelToCandidateWithInvite, CancelToCompany),
        },
        [Recruited] = new()
        {
            [Act.AcceptOffer] = No(Closed), [Act.DeclineOffer] = No(Closed),
            [Act.AcceptCandidate] = No(Closed), [Act.RefuseCandidate] = No(Closed),
            [Act.AcceptAppointment] = No(Closed), [Act.DeclineAppointment] = No(Closed),
            [Act.Recruited] = No(SameAnswer), [Act.NotRetained] = To(NotRetained),
            [Act.Cancel] = No(Closed),
        },
        [NotRetained] = new()
        {
            [Act.AcceptOffer] = No(Closed), [Act.DeclineOffer] = No(Closed),
            [Act.AcceptCandidate] = No(Closed), [Act.RefuseCandidate] = No(Closed),
            [Act.AcceptAppointment] = No(Closed), [Act.DeclineAppointment] = No(Closed),
            [Act.Recruited] = To(Recruited), [Act.NotRetained] = No(SameAnswer),
            [Act.Cancel] = No(Closed),
        },
        [ReferralStage.Cancelled] = Enum.GetValues<Act>().ToDictionary(a => a, _ => No(RefusalCode.Cancelled)),
    };

    /// <summary>Who may perform each action at all, whatever the stage; null means "allowed, see the stage table".</summary>
    private static RefusalCode? ActorRule(Who who, Act act) => (act, who) switch
    {
        (Act.AcceptOffer or Act.DeclineOffer or Act.AcceptAppointment or Act.DeclineAppointment, Who.Candidate or Who.StaffForCandidate or Who.ApiForCandidate) => null,
        (Act.AcceptOffer or Act.DeclineOffer or Act.AcceptAppointment or Act.DeclineAppointment, Who.OtherCandidate) => NotFound,
        (Act.AcceptCandidate or Act.RefuseCandidate, Who.Contact or Who.StaffForCompany or Who.ApiForCompany) => null,
        (Act.AcceptCandidate or Act.RefuseCandidate, Who.OtherContact) => NotFound,
        (Act.Recruited or Act.NotRetained, Who.Contact or Who.StaffForSchool or Who.StaffForCompany or Who.ApiForSchool or Who.ApiForCompany) => null,
        (Act.Recruited or Act.NotRetained, Who.OtherContact) => NotFound,
        (Act.Cancel, Who.StaffForSchool or Who.ApiForSchool) => null,
        _ => NotYourStep,
    };

    public static TheoryData<ReferralStage, Who, Act> AllCases()
    {
        var data = new TheoryData<ReferralStage, Who, Act>();
        foreach (var stage in Enum.GetValues<ReferralStage>())
            foreach (var who in Enum.GetValues<Who>())
                foreach (var act in Enum.GetValues<Act>())
                    data.Add(stage, who, act);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Every_stage_actor_and_action_gives_the_documented_result(ReferralStage stage, Who who, Act act)
    {
        var referral = InStage(stage);
        var before = Snapshot(referral);

        var result = Perform(referral, who, act);

        var expected = ActorRule(who, act) is { } actorRefusal ? No(actorRefusal) : StageTable[stage][act];
        if (expected.Refusal is { } code)
        {
            result.Refusal.ShouldNotBeNull($"{who} {act} in {stage} should be refused with {code}");
            result.Refusal.Code.ShouldBe(code);
            result.Refusal.Message.ShouldNotBeNullOrWhiteSpace();
            Snapshot(referral).ShouldBe(before, "a refused transition changes nothing");
            return;
        }

        result.Refusal.ShouldBeNull($"{who} {act} in {stage} should be allowed");
        referral.Stage.ShouldBe(expected.Next!.Value);
        referral.Version.ShouldBe(before.Version + 1);
        result.Event!.Sequence.ShouldBe(referral.Version);
        result.Event.ActorName.ShouldBe(who.ToString());
        result.Event.OnBehalfOf.ShouldBe(who switch
        {
            Who.StaffForCandidate or Who.ApiForCandidate => Party.Candidate,
            Who.StaffForCompany or Who.ApiForCompany => Party.Company,
            _ => null,
        });
        var mails = result.Mails.Select(Describe).ToArray();
        if (act is Act.Recruited or Act.NotRetained)
            mails.ShouldBe(who is Who.Contact or Who.StaffForCompany or Who.ApiForCompany ? ["school.outcome_recorded>ReferringStaff"] : []);
        else
            mails.ShouldBe(expected.Mails);
    }

    [Fact]
    public void A_change_of_mind_names_the_answer_it_replaces()
    {
        var referral = InStage(AwaitingCompany);

        var declined = referral.AnswerOffer(OfferAnswer.Declined, Actor.Candidate(CandidateId, "TECHER Margaud"), Now);

        declined.Event!.Kind.ShouldBe(ReferralEventKind.OfferDeclined);
        declined.Event.PreviousAnswer.ShouldBe(ReferralEventKind.OfferAccepted);
        declined.Event.Channel.ShouldBe(Channel.EmailLink);
    }

    [Fact]
    public void Company_can_propose_another_appointment_until_the_candidate_answers()
    {
        var referral = InStage(AwaitingAppointmentAnswer);
        var sequence = referral.AppointmentSequence;

        var changed = referral.AnswerCandidate(CompanyAnswer.Accepted, OtherSlot, Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.EmailLink), Now);

        changed.Event!.Kind.ShouldBe(ReferralEventKind.AppointmentChanged);
        changed.Event.PreviousAnswer.ShouldBe(ReferralEventKind.CandidateAccepted);
        changed.Event.AppointmentStartsAt.ShouldBe(OtherSlot.StartsAt);
        referral.Appointment.ShouldBe(OtherSlot);
        referral.AppointmentSequence.ShouldBe(sequence + 1, "the calendar update needs a higher SEQUENCE");
    }

    [Fact]
    public void Proposing_the_same_appointment_again_changes_nothing()
    {
        var referral = InStage(AwaitingAppointmentAnswer);

        var again = referral.AnswerCandidate(CompanyAnswer.Accepted, FirstSlot, Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.Portal), Now);

        again.Refusal!.Code.ShouldBe(SameAnswer);
    }

    [Fact]
    public void Company_acceptance_needs_an_appointment_in_the_future()
    {
        var contact = Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.Portal);

        InStage(AwaitingCompany).AnswerCandidate(CompanyAnswer.Accepted, null, contact, Now).Refusal!.Code.ShouldBe(Invalid);
        InStage(AwaitingCompany).AnswerCandidate(CompanyAnswer.Accepted, FirstSlot with { StartsAt = Now }, contact, Now).Refusal!.Code.ShouldBe(Invalid);
        InStage(AwaitingCompany).AnswerCandidate(CompanyAnswer.Accepted, FirstSlot with { StartsAt = Now.AddMinutes(-5) }, contact, Now).Refusal!.Code.ShouldBe(Invalid);
    }

    [Fact]
    public void Refusal_keeps_the_reason_and_the_comment()
    {
        var referral = InStage(AwaitingCompany);

        var refused = referral.AnswerCandidate(CompanyAnswer.Refused, null, Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.Portal), Now,
            comment: "  Profil trop junior  ", refusalReason: "Expérience insuffisante");

        refused.Event!.Comment.ShouldBe("Profil trop junior");
        refused.Event.Reason.ShouldBe("Expérience insuffisante");
        referral.CompanyRefusalReason.ShouldBe("Expérience insuffisante");
    }

    [Fact]
    public void The_outcome_is_recorded_after_the_appointment_not_before()
    {
        var referral = InStage(AwaitingOutcome);
        var staff = Actor.Staff(Guid.NewGuid(), "MARTIN Benoît");

        var early = referral.RecordOutcome(Outcome.Recruited, staff, FirstSlot.StartsAt.AddMinutes(-1));

        early.Refusal!.Code.ShouldBe(NotYet);
        early.Refusal.Message.ShouldContain("après le rendez-vous");
        referral.RecordOutcome(Outcome.Recruited, staff, FirstSlot.StartsAt).Succeeded.ShouldBeTrue();
    }

    /// <summary>
    /// The pages show a button only when the rule would accept it: in every stage, before and after the appointment,
    /// each "may X now?" answer of the referral agrees with what the transition itself does.
    /// </summary>
    [Theory]
    [MemberData(nameof(Stages))]
    public void What_the_referral_says_may_be_done_now_is_what_its_rules_accept(ReferralStage stage)
    {
        var staff = Actor.Staff(Guid.NewGuid(), "MARTIN Benoît");
        var contact = Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.Portal);
        var candidate = Actor.Candidate(CandidateId, "TECHER Margaud");
        foreach (var now in new[] { Now, AfterAppointment })
        {
            var outcome = InStage(stage).RecordOutcome(Outcome.Recruited, staff, now);
            InStage(stage).CanRecordOutcome(now).ShouldBe(outcome.Succeeded || outcome.Refusal!.Code == SameAnswer, $"{stage}, {now}");
            (InStage(stage).OutcomeNotYetReason(now) is not null).ShouldBe(outcome.Refusal?.Code == NotYet && InStage(stage).AppointmentAnswer == AppointmentAnswer.Accepted);
        }

        var company = InStage(stage).AnswerCandidate(CompanyAnswer.Refused, null, contact, Now);
        var companyMayAnswer = company.Succeeded || company.Refusal!.Code == SameAnswer;
        InStage(stage).IsOpen(LinkStep.Company).ShouldBe(companyMayAnswer);
        (InStage(stage).ClosedReasonFor(Party.Company) is null).ShouldBe(companyMayAnswer);

        var offer = InStage(stage).AnswerOffer(OfferAnswer.Declined, candidate, Now);
        InStage(stage).IsOpen(LinkStep.Offer).ShouldBe(offer.Succeeded || offer.Refusal!.Code == SameAnswer);
        var appointment = InStage(stage).AnswerAppointment(AppointmentAnswer.Declined, candidate, Now);
        InStage(stage).IsOpen(LinkStep.Appointment).ShouldBe(appointment.Succeeded || appointment.Refusal!.Code == SameAnswer);
        var cancel = InStage(stage).Cancel("Offre pourvue", staff, Now);
        InStage(stage).CanCancel.ShouldBe(cancel.Succeeded);
        (InStage(stage).ClosedReasonFor(Party.School) is null).ShouldBe(cancel.Succeeded);
    }

    public static TheoryData<ReferralStage> Stages => new(Enum.GetValues<ReferralStage>());

    [Fact]
    public void Cancelling_needs_a_reason()
    {
        var referral = InStage(AwaitingCandidate);

        referral.Cancel("   ", Actor.Staff(Guid.NewGuid(), "MARTIN Benoît"), Now).Refusal!.Code.ShouldBe(Invalid);
        referral.IsCancelled.ShouldBeFalse();
    }

    [Fact]
    public void Only_an_active_offer_accepts_a_new_referral()
    {
        var (referral, result) = Referral.Propose(Guid.NewGuid(), CandidateId, Guid.NewGuid(), offerIsActive: false, ContactId, [],
            Actor.Staff(Guid.NewGuid(), "MARTIN Benoît"), Guid.NewGuid(), Now);

        referral.ShouldBeNull();
        result.Refusal!.Code.ShouldBe(Invalid);
    }

    [Fact]
    public void A_new_referral_sends_the_offer_to_the_candidate_and_starts_the_timeline()
    {
        var staffId = Guid.NewGuid();
        var documentId = Guid.NewGuid();

        var (referral, result) = Referral.Propose(Guid.NewGuid(), CandidateId, Guid.NewGuid(), offerIsActive: true, ContactId,
            [documentId, documentId], Actor.Staff(staffId, "MARTIN Benoît"), staffId, Now);

        referral!.Stage.ShouldBe(AwaitingCandidate);
        referral.Version.ShouldBe(1);
        referral.SharedDocuments.Select(d => d.DocumentId).ShouldBe([documentId]);
        result.Event!.Kind.ShouldBe(ReferralEventKind.Proposed);
        result.Event.Sequence.ShouldBe(1);
        result.Mails.Select(Describe).ShouldBe(["referral.offer_to_candidate>Candidate"]);
    }

    private static Actor ActorFor(Who who) => who switch
    {
        Who.Candidate => Actor.Candidate(CandidateId, who.ToString()),
        Who.OtherCandidate => Actor.Candidate(Guid.NewGuid(), who.ToString()),
        Who.Contact => Actor.Contact(ContactId, who.ToString(), Channel.EmailLink),
        Who.OtherContact => Actor.Contact(Guid.NewGuid(), who.ToString(), Channel.Portal),
        Who.StaffForSchool => Actor.Staff(Guid.NewGuid(), who.ToString()),
        Who.StaffForCandidate => Actor.Staff(Guid.NewGuid(), who.ToString(), Party.Candidate),
        Who.StaffForCompany => Actor.Staff(Guid.NewGuid(), who.ToString(), Party.Company),
        Who.ApiForSchool => Actor.ApiClient(Guid.NewGuid(), who.ToString()),
        Who.ApiForCandidate => Actor.ApiClient(Guid.NewGuid(), who.ToString(), Party.Candidate),
        _ => Actor.ApiClient(Guid.NewGuid(), who.ToString(), Party.Company),
    };

    private static TransitionResult Perform(Referral referral, Who who, Act act)
    {
        var actor = ActorFor(who);
        return act switch
        {
            Act.AcceptOffer => referral.AnswerOffer(OfferAnswer.Accepted, actor, Now),
            Act.DeclineOffer => referral.AnswerOffer(OfferAnswer.Declined, actor, Now),
            Act.AcceptCandidate => referral.AnswerCandidate(CompanyAnswer.Accepted,
                referral.Stage == AwaitingAppointmentAnswer ? OtherSlot : FirstSlot, actor, Now),
            Act.RefuseCandidate => referral.AnswerCandidate(CompanyAnswer.Refused, null, actor, Now),
            Act.AcceptAppointment => referral.AnswerAppointment(AppointmentAnswer.Accepted, actor, Now),
            Act.DeclineAppointment => referral.AnswerAppointment(AppointmentAnswer.Declined, actor, Now),
            Act.Recruited => referral.RecordOutcome(Outcome.Recruited, actor, AfterAppointment),
            Act.NotRetained => referral.RecordOutcome(Outcome.NotRetained, actor, AfterAppointment),
            _ => referral.Cancel("Offre pourvue", actor, Now),
        };
    }

    /// <summary>A referral brought to a stage by the workflow itself.</summary>
    [Fact]
    public void Once_the_appointment_time_has_come_the_candidate_no_longer_answers_it_and_the_school_may_for_them()
    {
        var late = InStage(ReferralStage.AwaitingAppointmentAnswer).AnswerAppointment(AppointmentAnswer.Accepted, Actor.Candidate(CandidateId, "TECHER Margaud"), AfterAppointment);
        late.Refusal.ShouldNotBeNull().Code.ShouldBe(StepClosed);
        late.Refusal.Message.ShouldStartWith("Le rendez-vous du ");
        late.Refusal.Message.ShouldContain("est passé : votre réponse ne peut plus être enregistrée.");

        var referral = InStage(ReferralStage.AwaitingAppointmentAnswer);
        referral.AnswerAppointment(AppointmentAnswer.Accepted, Actor.Staff(Guid.NewGuid(), "MARTIN Benoît", onBehalfOf: Party.Candidate), AfterAppointment)
            .Succeeded.ShouldBeTrue("the candidate said yes by phone: the school records it, then the outcome");
        referral.RecordOutcome(Outcome.Recruited, Actor.Staff(Guid.NewGuid(), "MARTIN Benoît"), AfterAppointment).Succeeded.ShouldBeTrue();
    }

    private static Referral InStage(ReferralStage stage)
    {
        var staff = Actor.Staff(Guid.NewGuid(), "MARTIN Benoît");
        var forCandidate = Actor.Staff(staff.Id, staff.DisplayName, Party.Candidate);
        var forCompany = Actor.Staff(staff.Id, staff.DisplayName, Party.Company);
        var (referral, _) = Referral.Propose(Guid.NewGuid(), CandidateId, Guid.NewGuid(), true, ContactId, [], staff, staff.Id, Now.AddDays(-10));
        var r = referral!;
        var steps = new List<Func<TransitionResult>>();
        switch (stage)
        {
            case AwaitingCandidate:
                break;
            case OfferDeclined:
                steps.Add(() => r.AnswerOffer(OfferAnswer.Declined, forCandidate, Now.AddDays(-9)));
                break;
            case ReferralStage.Cancelled:
                steps.Add(() => r.Cancel("Offre pourvue", staff, Now.AddDays(-9)));
                break;
            default:
                steps.Add(() => r.AnswerOffer(OfferAnswer.Accepted, forCandidate, Now.AddDays(-9)));
                if (stage == CompanyRefused)
                    steps.Add(() => r.AnswerCandidate(CompanyAnswer.Refused, null, forCompany, Now.AddDays(-8)));
                if (stage is AwaitingAppointmentAnswer or AppointmentDeclined or AwaitingOutcome or Recruited or NotRetained)
                    steps.Add(() => r.AnswerCandidate(CompanyAnswer.Accepted, FirstSlot, forCompany, Now.AddDays(-8)));
                if (stage == AppointmentDeclined)
                    steps.Add(() => r.AnswerAppointment(AppointmentAnswer.Declined, forCandidate, Now.AddDays(-7)));
                if (stage is AwaitingOutcome or Recruited or NotRetained)
                    steps.Add(() => r.AnswerAppointment(AppointmentAnswer.Accepted, forCandidate, Now.AddDays(-7)));
                if (stage == Recruited)
                    steps.Add(() => r.RecordOutcome(Outcome.Recruited, staff, Now.AddDays(4)));
                if (stage == NotRetained)
                    steps.Add(() => r.RecordOutcome(Outcome.NotRetained, staff, Now.AddDays(4)));
                break;
        }
        foreach (var step in steps)
            step().Refusal.ShouldBeNull();
        r.Stage.ShouldBe(stage);
        return r;
    }

    private static string Describe(MailToSend mail) =>
        $"{mail.TemplateKey}>{mail.To}" + (mail.Calendar == CalendarInvite.None ? "" : $":{mail.Calendar}");

    private static (ReferralStage Stage, int Version, OfferAnswer? Offer, CompanyAnswer? Company, AppointmentAnswer? Appointment,
        Outcome? Outcome, DateTimeOffset? Cancelled, DateTimeOffset? AppointmentAt, int Sequence) Snapshot(Referral r) =>
        (r.Stage, r.Version, r.OfferAnswer, r.CompanyAnswer, r.AppointmentAnswer, r.Outcome, r.CancelledAt, r.AppointmentStartsAt, r.AppointmentSequence);
}
