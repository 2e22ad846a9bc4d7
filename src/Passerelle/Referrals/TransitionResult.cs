namespace Passerelle.Referrals;

/// <summary>Why a transition was refused. Each maps to one HTTP status in the API and one message in the portals.</summary>
public enum RefusalCode
{
    /// <summary>The referral does not exist for this actor (or is not theirs): 404, never a hint it exists.</summary>
    NotFound,

    /// <summary>This actor does not answer this step (e.g. the company answering the offer).</summary>
    NotYourStep,

    /// <summary>The step before has not been answered the way this step needs.</summary>
    NotYet,

    /// <summary>The next step has been answered: a change of mind is no longer possible.</summary>
    StepClosed,

    Cancelled,

    /// <summary>The outcome is recorded.</summary>
    Closed,

    /// <summary>The answer is already the current one: nothing to change.</summary>
    SameAnswer,

    /// <summary>Invalid input (missing appointment, appointment in the past, missing reason…).</summary>
    Invalid,

    /// <summary>Someone else changed the referral between reading and writing it.</summary>
    ChangedMeanwhile,

    /// <summary>Too many answers from one person on one referral in a short time (each one mails the others).</summary>
    TooOften,
}

public sealed record Refusal(RefusalCode Code, string Message)
{
    /// <summary>The one HTTP status of each refusal, wherever the answer came from.</summary>
    public int HttpStatus => Code switch
    {
        RefusalCode.NotFound => StatusCodes.Status404NotFound,
        RefusalCode.Invalid => StatusCodes.Status422UnprocessableEntity,
        RefusalCode.TooOften => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status409Conflict,
    };
}

/// <summary>The result of a transition: either the event it adds and the mails it requires, or a refusal.</summary>
public sealed class TransitionResult
{
    private TransitionResult(IReadOnlyList<ReferralEvent> events, IReadOnlyList<MailToSend> mails, Refusal? refusal)
    {
        Events = events;
        Mails = mails;
        Refusal = refusal;
    }

    /// <summary>The timeline events the transition adds, in order: one, or two for a referral born of a push CV.</summary>
    public IReadOnlyList<ReferralEvent> Events { get; }

    /// <summary>The transition's last event: what its mails tell.</summary>
    public ReferralEvent? Event => Events.Count == 0 ? null : Events[^1];
    public IReadOnlyList<MailToSend> Mails { get; }
    public Refusal? Refusal { get; }
    public bool Succeeded => Refusal is null;

    public static TransitionResult Done(ReferralEvent @event, params MailToSend[] mails) => new([@event], mails, null);

    public static TransitionResult Done(IReadOnlyList<ReferralEvent> events, IReadOnlyList<MailToSend> mails) => new(events, mails, null);

    public static TransitionResult Refused(RefusalCode code, string message) => new([], [], new Refusal(code, message));

    public static TransitionResult ChangedMeanwhile() => Refused(
        RefusalCode.ChangedMeanwhile,
        "La mise en relation vient d'être modifiée par quelqu'un d'autre. Voici son état actuel ; votre action n'a pas été enregistrée.");

    public static TransitionResult NotFound() => Refused(RefusalCode.NotFound, "Cette mise en relation est introuvable.");
}
