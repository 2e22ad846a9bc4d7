using Passerelle.Referrals;

namespace Passerelle.CvPushes;

/// <summary>
/// One "push CV": a staff member proposes one or more candidates' profiles to one company contact, without an offer.
/// The contact receives one mail for it, listing the profiles (<see cref="PushedProfile"/>).
/// </summary>
public sealed class CvPush : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid ContactId { get; set; }
    public Guid CreatedByStaffId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The staff member's optional message to the contact, printed in the mail.</summary>
    public string? Message { get; set; }
}

public enum PushedProfileState
{
    /// <summary>The contact has not answered yet ("à traiter").</summary>
    Pending,

    /// <summary>The contact asked to meet the candidate: a referral exists, the ordinary workflow takes over.</summary>
    MeetingAsked,

    /// <summary>The contact does not follow up; they may still change their mind and ask to meet.</summary>
    NotFollowedUp,
}

/// <summary>
/// One candidate's profile proposed to one contact by a push. The rules of PRODUCT.md's push CV live here, in plain C#:
/// the contact (or the school for them) asks to meet the candidate — which creates a referral already at the company
/// step — or does not follow up, and may change their mind until the referral exists.
/// </summary>
public sealed class PushedProfile : ISchoolOwned
{
    /// <summary>The same profile is not proposed to the same contact again within this many days.</summary>
    public const int RepeatAfterDays = 90;

    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid CvPushId { get; set; }
    public Guid CandidateId { get; set; }

    // The push's contact and date, kept on each profile too: the "one pending push per candidate and contact" unique index,
    // the 90-day look-up and the contact's list read them without joining the push.
    public Guid ContactId { get; set; }
    public DateTimeOffset PushedAt { get; set; }

    public PushedProfileState State { get; private set; }
    public DateTimeOffset? AnsweredAt { get; private set; }

    /// <summary>The reason the contact gave for not following up, from the school's list; optional.</summary>
    public string? DeclineReason { get; private set; }

    /// <summary>Erasure of the candidate: the company's free text about them goes.</summary>
    public void ForgetFreeText() => DeclineReason = null;

    /// <summary>The referral created when the contact asked to meet the candidate.</summary>
    public Guid? ReferralId { get; private set; }

    /// <summary>Incremented by every answer; a save succeeds only if the stored version is the one read.</summary>
    public int Version { get; private set; }

    /// <summary>The candidate's documents the contact may see.</summary>
    public List<PushedProfileDocument> SharedDocuments { get; } = [];

    /// <summary>The contact may still answer or change their answer: as long as no referral exists.</summary>
    public bool IsOpen => State != PushedProfileState.MeetingAsked;

    /// <summary>
    /// Why this profile may not be pushed to this contact now, in French, given the last time it was (if ever): one push
    /// at a time, and not again within <see cref="RepeatAfterDays"/> days.
    /// </summary>
    public static string? RepeatRefusal(string candidateName, string contactName, DateTimeOffset? lastPushedAt, bool stillPending, DateTimeOffset now) =>
        lastPushedAt is not { } last ? null
        : last > now.AddDays(-RepeatAfterDays)
            ? $"Le profil de {candidateName} a déjà été proposé à {contactName} le {ParisTime.Date(last)} : " +
              $"il pourra l'être de nouveau à partir du {ParisTime.Date(last.AddDays(RepeatAfterDays))}."
        : stillPending
            ? $"Le profil de {candidateName} proposé à {contactName} le {ParisTime.Date(last)} attend encore sa réponse : un seul push à la fois."
            : null;

    public static PushedProfile Create(CvPush push, Guid candidateId, IEnumerable<Guid> sharedDocumentIds)
    {
        var profile = new PushedProfile
        {
            Id = Guid.CreateVersion7(push.CreatedAt), SchoolId = push.SchoolId, CvPushId = push.Id, CandidateId = candidateId,
            ContactId = push.ContactId, PushedAt = push.CreatedAt, State = PushedProfileState.Pending,
        };
        foreach (var documentId in sharedDocumentIds.Distinct())
            profile.SharedDocuments.Add(new PushedProfileDocument { SchoolId = push.SchoolId, PushedProfileId = profile.Id, DocumentId = documentId });
        return profile;
    }

    /// <summary>"Ne pas donner suite", with an optional reason; possible until the contact asks to meet the candidate.</summary>
    public Refusal? Decline(Actor actor, string? reason, DateTimeOffset now)
    {
        if (RefusalFor(actor) is { } refused)
            return refused;
        if (State == PushedProfileState.NotFollowedUp)
            return new Refusal(RefusalCode.SameAnswer, "Cette réponse est déjà enregistrée.");

        State = PushedProfileState.NotFollowedUp;
        AnsweredAt = now;
        DeclineReason = reason;
        Version++;
        return null;
    }

    /// <summary>
    /// "Je souhaite rencontrer ce candidat": creates the referral at the company step, the candidate's recorded consent
    /// standing for their acceptance, with the company's appointment proposal. From there, the ordinary workflow.
    /// </summary>
    /// <param name="consentRecordedAt">When the school recorded the candidate's consent to be pushed; null if withdrawn since.</param>
    public (Referral? Referral, TransitionResult Result) AskMeeting(
        Actor actor, Appointment appointment, Guid jobOfferId, DateTimeOffset? consentRecordedAt,
        Guid pushedByStaffId, string pushedByName, DateTimeOffset now)
    {
        if (RefusalFor(actor) is { } refused)
            return (null, TransitionResult.Refused(refused.Code, refused.Message));
        if (consentRecordedAt is not { } consent)
            return (null, TransitionResult.Refused(RefusalCode.Closed,
                "Le candidat a retiré son accord pour que son profil soit proposé : il n'est plus possible de demander à le rencontrer."));

        var (referral, result) = Referral.FromPush(SchoolId, CandidateId, jobOfferId, ContactId, SharedDocuments.Select(d => d.DocumentId),
            pushedByStaffId, pushedByName, PushedAt, consent, appointment, actor, now);
        if (referral is null)
            return (null, result);

        State = PushedProfileState.MeetingAsked;
        AnsweredAt = now;
        DeclineReason = null;
        ReferralId = referral.Id;
        Version++;
        return (referral, result);
    }

    /// <summary>Why this actor may not answer this profile now (not the company's, not theirs, or the meeting already asked); null if they may.</summary>
    public Refusal? RefusalFor(Actor actor)
    {
        if (actor.ActsAs != Party.Company)
            return new Refusal(RefusalCode.NotYourStep, "Seule l'entreprise, ou l'école pour son compte, répond à un profil proposé.");
        if (actor.Kind == ActorKind.CompanyContact && actor.Id != ContactId)
            return new Refusal(RefusalCode.NotFound, "Ce profil proposé est introuvable.");
        if (State == PushedProfileState.MeetingAsked)
            return new Refusal(RefusalCode.StepClosed,
                "Vous avez déjà demandé à rencontrer ce candidat : la mise en relation est créée, suivez-la dans « Voir candidats ».");
        return null;
    }
}

/// <summary>A candidate document the contact may see for one pushed profile.</summary>
public sealed class PushedProfileDocument : ISchoolOwned
{
    public Guid SchoolId { get; set; }
    public Guid PushedProfileId { get; set; }
    public Guid DocumentId { get; set; }
}
