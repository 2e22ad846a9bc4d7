using Passerelle.CvPushes;
using Passerelle.Referrals;
using static Passerelle.CvPushes.PushedProfileState;
using static Passerelle.Referrals.RefusalCode;

namespace Passerelle.Tests.CvPushes;

/// <summary>
/// Every (state × actor × action) of a pushed profile, as a table: who may answer at all, and what the contact (or the
/// school for them) gets in each state — the new state, or the refusal.
/// </summary>
public class PushedProfileRulesTests
{
    private static readonly DateTimeOffset PushedAt = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ConsentAt = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid SchoolId = Guid.NewGuid();
    private static readonly Guid ContactId = Guid.NewGuid();
    private static readonly Guid CandidateId = Guid.NewGuid();
    private static readonly Guid StaffId = Guid.NewGuid();
    private static readonly Guid OfferId = Guid.NewGuid();
    private static readonly Guid[] Documents = [Guid.NewGuid(), Guid.NewGuid()];
    private static readonly Appointment Slot = new(Now.AddDays(3), "Bordeaux", "Venez avec votre CV");

    public enum Act { Meet, Decline }

    public enum Who { Contact, ContactInPortal, OtherContact, StaffForCompany, StaffForSchool, StaffForCandidate, Candidate, ApiForCompany }

    private static Actor ActorOf(Who who) => who switch
    {
        Who.Contact => Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.EmailLink),
        Who.ContactInPortal => Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.Portal),
        Who.OtherContact => Actor.Contact(Guid.NewGuid(), "AUTRE Contact", Channel.Portal),
        Who.StaffForCompany => Actor.Staff(StaffId, "MARTIN Benoît", Party.Company),
        Who.StaffForSchool => Actor.Staff(StaffId, "MARTIN Benoît"),
        Who.StaffForCandidate => Actor.Staff(StaffId, "MARTIN Benoît", Party.Candidate),
        Who.Candidate => Actor.Candidate(CandidateId, "TECHER Margaud"),
        _ => Actor.ApiClient(Guid.NewGuid(), "Plateforme", Party.Company),
    };

    /// <summary>What the company gets, per state and action: the next state, or the refusal.</summary>
    private static readonly Dictionary<PushedProfileState, Dictionary<Act, (PushedProfileState? Next, RefusalCode? Refusal)>> Table = new()
    {
        [Pending] = new() { [Act.Meet] = (MeetingAsked, null), [Act.Decline] = (NotFollowedUp, null) },
        [NotFollowedUp] = new() { [Act.Meet] = (MeetingAsked, null), [Act.Decline] = (null, SameAnswer) },
        [MeetingAsked] = new() { [Act.Meet] = (null, StepClosed), [Act.Decline] = (null, StepClosed) },
    };

    private static readonly Dictionary<Who, RefusalCode?> Rightful = new()
    {
        [Who.Contact] = null, [Who.ContactInPortal] = null, [Who.StaffForCompany] = null, [Who.ApiForCompany] = null,
        [Who.OtherContact] = RefusalCode.NotFound,
        [Who.StaffForSchool] = NotYourStep, [Who.StaffForCandidate] = NotYourStep, [Who.Candidate] = NotYourStep,
    };

    public static TheoryData<PushedProfileState, Who, Act> Cases()
    {
        var data = new TheoryData<PushedProfileState, Who, Act>();
        foreach (var state in Enum.GetValues<PushedProfileState>())
            foreach (var who in Enum.GetValues<Who>())
                foreach (var act in Enum.GetValues<Act>())
                    data.Add(state, who, act);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_state_actor_and_action_gives_what_the_table_says(PushedProfileState state, Who who, Act act)
    {
        var profile = ProfileIn(state);
        var versionBefore = profile.Version;

        var (refusal, referral) = Apply(profile, act, ActorOf(who));

        // Who may answer is checked first: someone else gets the same refusal in every state.
        var expected = Rightful[who] is { } notAllowed ? (Next: (PushedProfileState?)null, Refusal: (RefusalCode?)notAllowed) : Table[state][act];
        if (expected.Refusal is null)
        {
            refusal.ShouldBeNull($"{who} {act} in {state}");
            profile.State.ShouldBe(expected.Next!.Value);
            profile.Version.ShouldBe(versionBefore + 1);
            (referral is not null).ShouldBe(act == Act.Meet);
        }
        else
        {
            refusal.ShouldNotBeNull($"{who} {act} in {state}").Code.ShouldBe(expected.Refusal.Value);
            profile.State.ShouldBe(state, "a refused answer changes nothing");
            profile.Version.ShouldBe(versionBefore);
            referral.ShouldBeNull();
        }
    }

    [Fact]
    public void Asking_to_meet_creates_a_referral_at_the_company_step_where_the_consent_stands_for_the_acceptance()
    {
        var profile = ProfileIn(Pending);

        var (referral, result) = profile.AskMeeting(ActorOf(Who.Contact), Slot, OfferId, ConsentAt, StaffId, "MARTIN Benoît", Now);

        referral.ShouldNotBeNull();
        profile.ReferralId.ShouldBe(referral.Id);
        (referral.CandidateId, referral.ContactId, referral.JobOfferId, referral.CreatedByStaffId).ShouldBe((CandidateId, ContactId, OfferId, StaffId));
        (referral.OfferAnswer, referral.OfferAnsweredAt).ShouldBe((OfferAnswer.Accepted, ConsentAt));
        (referral.CompanyAnswer, referral.Stage, referral.Appointment).ShouldBe((CompanyAnswer.Accepted, ReferralStage.AwaitingAppointmentAnswer, Slot));
        referral.SharedDocuments.Select(d => d.DocumentId).ShouldBe(Documents, "the documents pushed are the ones the referral shares");
        referral.ProfileOpenToCompany.ShouldBeTrue();

        result.Events.Select(e => (e.Sequence, e.Kind)).ShouldBe([(1, ReferralEventKind.ProposedFromPush), (2, ReferralEventKind.CandidateAccepted)]);
        var proposed = result.Events[0];
        (proposed.ActorName, proposed.OccurredAt, proposed.ConsentRecordedAt).ShouldBe(("MARTIN Benoît", PushedAt, (DateTimeOffset?)ConsentAt));
        TimelineText.Describe(proposed, "TECHER Margaud", "Laboriosam Industries", "Passerelle School").What
            .ShouldBe("Profil proposé par MARTIN Benoît le 28/11/2026 — accord du candidat enregistré le 20/11/2026");
        TimelineText.Describe(result.Events[1], "TECHER Margaud", "Laboriosam Industries", "Passerelle School").What
            .ShouldBe("Candidat accepté – RDV proposé le 04/12/2026 à 11h00, Bordeaux");
        result.Mails.ShouldBe([
            new MailToSend(TemplateKeys.AppointmentToCandidate, Recipient.Candidate, CalendarInvite.Request),
            new MailToSend(TemplateKeys.SchoolCompanyAskedToMeet, Recipient.ReferringStaff),
        ]);
    }

    [Fact]
    public void From_the_meeting_on_it_is_the_ordinary_workflow()
    {
        var profile = ProfileIn(Pending);
        var (referral, _) = profile.AskMeeting(ActorOf(Who.Contact), Slot, OfferId, ConsentAt, StaffId, "MARTIN Benoît", Now);

        referral!.AnswerOffer(OfferAnswer.Declined, ActorOf(Who.Candidate), Now).Refusal!.Code.ShouldBe(StepClosed, "the consent was the answer to the offer");
        referral.AnswerCandidate(CompanyAnswer.Accepted, Slot with { StartsAt = Slot.StartsAt.AddDays(1) }, ActorOf(Who.ContactInPortal), Now)
            .Event!.Kind.ShouldBe(ReferralEventKind.AppointmentChanged, "the company may change the appointment until the candidate answers");
        referral.AnswerAppointment(AppointmentAnswer.Accepted, ActorOf(Who.Candidate), Now).Succeeded.ShouldBeTrue();
        referral.Stage.ShouldBe(ReferralStage.AwaitingOutcome);
    }

    [Fact]
    public void A_candidate_who_withdrew_consent_can_no_longer_be_met()
    {
        var profile = ProfileIn(Pending);

        var (referral, result) = profile.AskMeeting(ActorOf(Who.Contact), Slot, OfferId, consentRecordedAt: null, StaffId, "MARTIN Benoît", Now);

        referral.ShouldBeNull();
        result.Refusal!.Code.ShouldBe(Closed);
        result.Refusal.Message.ShouldContain("retiré son accord");
        profile.State.ShouldBe(Pending);
    }

    [Theory]
    [InlineData(-1, "La date du rendez-vous doit être dans le futur.")]
    [InlineData(800, "La date du rendez-vous doit être dans les deux ans qui viennent.")]
    public void The_appointment_is_checked_as_for_any_referral(int days, string message)
    {
        var profile = ProfileIn(Pending);

        var (referral, result) = profile.AskMeeting(ActorOf(Who.Contact), Slot with { StartsAt = Now.AddDays(days) }, OfferId, ConsentAt, StaffId, "MARTIN Benoît", Now);

        referral.ShouldBeNull();
        (result.Refusal!.Code, result.Refusal.Message).ShouldBe((Invalid, message));
        (profile.State, profile.ReferralId).ShouldBe((Pending, (Guid?)null));
    }

    [Fact]
    public void Declining_keeps_the_reason_and_a_meeting_afterwards_clears_it()
    {
        var profile = ProfileIn(Pending);
        profile.Decline(ActorOf(Who.Contact), "Profil ne correspondant pas", Now).ShouldBeNull();
        (profile.State, profile.DeclineReason, profile.AnsweredAt).ShouldBe((NotFollowedUp, "Profil ne correspondant pas", (DateTimeOffset?)Now));

        profile.AskMeeting(ActorOf(Who.Contact), Slot, OfferId, ConsentAt, StaffId, "MARTIN Benoît", Now.AddHours(1)).Referral.ShouldNotBeNull();
        (profile.State, profile.DeclineReason).ShouldBe((MeetingAsked, (string?)null));
    }

    [Theory]
    [InlineData(0, false, true)]
    [InlineData(89, false, true)]
    [InlineData(90, false, false)]
    [InlineData(200, false, false)]
    [InlineData(200, true, true)]
    public void The_same_profile_is_not_pushed_to_the_same_contact_again_within_90_days_nor_while_unanswered(int daysSince, bool stillPending, bool refused)
    {
        var refusal = PushedProfile.RepeatRefusal("TECHER Margaud", "LEFEBVRE Sophie", PushedAt, stillPending, PushedAt.AddDays(daysSince));

        (refusal is not null).ShouldBe(refused);
        if (refused)
        {
            refusal.ShouldBe(daysSince < 90
                ? "Le profil de TECHER Margaud a déjà été proposé à LEFEBVRE Sophie le 28/11/2026 : il pourra l'être de nouveau à partir du 26/02/2027."
                : "Le profil de TECHER Margaud proposé à LEFEBVRE Sophie le 28/11/2026 attend encore sa réponse : un seul push à la fois.");
        }
        PushedProfile.RepeatRefusal("TECHER Margaud", "LEFEBVRE Sophie", null, false, Now).ShouldBeNull("never pushed before");
    }

    private static (Refusal? Refusal, Referral? Referral) Apply(PushedProfile profile, Act act, Actor actor)
    {
        if (act == Act.Decline)
            return (profile.Decline(actor, null, Now), null);
        var (referral, result) = profile.AskMeeting(actor, Slot, OfferId, ConsentAt, StaffId, "MARTIN Benoît", Now);
        return (result.Refusal, referral);
    }

    private static PushedProfile ProfileIn(PushedProfileState state)
    {
        var push = new CvPush { Id = Guid.NewGuid(), SchoolId = SchoolId, ContactId = ContactId, CreatedByStaffId = StaffId, CreatedAt = PushedAt };
        var profile = PushedProfile.Create(push, CandidateId, Documents);
        var contact = ActorOf(Who.Contact);
        if (state == NotFollowedUp)
            profile.Decline(contact, null, PushedAt.AddDays(1)).ShouldBeNull();
        if (state == MeetingAsked)
            profile.AskMeeting(contact, Slot, OfferId, ConsentAt, StaffId, "MARTIN Benoît", PushedAt.AddDays(1)).Referral.ShouldNotBeNull();
        return profile;
    }
}
