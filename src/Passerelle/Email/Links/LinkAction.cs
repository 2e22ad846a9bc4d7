using Passerelle.Referrals;

namespace Passerelle.Email.Links;

/// <summary>
/// A page an e-mail link opens, <c>/l/{token}/{segment}</c>: the mails write it (under the template variable
/// <c>liens.{Variable}</c>), the link page reads it. One list, so that a mail never carries a link the page does not know.
/// </summary>
public sealed record LinkAction(LinkStep Step, string? Segment, string Variable)
{
    public static readonly LinkAction ViewOffer = new(LinkStep.Offer, null, "voirOffre");
    public static readonly LinkAction AcceptOffer = new(LinkStep.Offer, "accepter", "accepterOffre");
    public static readonly LinkAction DeclineOffer = new(LinkStep.Offer, "refuser", "refuserOffre");

    public static readonly LinkAction Profile = new(LinkStep.Company, "profil", "profil");
    public static readonly LinkAction OfferDetails = new(LinkStep.Company, "offre", "offre");
    public static readonly LinkAction AcceptCandidate = new(LinkStep.Company, "accepter", "accepter");
    public static readonly LinkAction RefuseCandidate = new(LinkStep.Company, "refuser", "refuser");

    public static readonly LinkAction ViewAppointment = new(LinkStep.Appointment, null, "rdv");
    public static readonly LinkAction ConfirmAppointment = new(LinkStep.Appointment, "confirmer", "confirmerRdv");
    public static readonly LinkAction DeclineAppointment = new(LinkStep.Appointment, "decliner", "declinerRdv");
    public static readonly LinkAction CalendarFile = new(LinkStep.Appointment, "rdv.ics", "calendrier");

    // A push CV's mail lists several profiles: each has these three, under profils[i].liens.
    public static readonly LinkAction PushedProfile = new(LinkStep.Push, null, "voirProfil");
    public static readonly LinkAction MeetCandidate = new(LinkStep.Push, "rencontrer", "rencontrer");
    public static readonly LinkAction DeclineProfile = new(LinkStep.Push, "ne-pas-donner-suite", "nePasDonnerSuite");

    public static IReadOnlyList<LinkAction> All { get; } =
    [
        ViewOffer, AcceptOffer, DeclineOffer,
        Profile, OfferDetails, AcceptCandidate, RefuseCandidate,
        ViewAppointment, ConfirmAppointment, DeclineAppointment, CalendarFile,
        PushedProfile, MeetCandidate, DeclineProfile,
    ];

    public static IEnumerable<LinkAction> Of(LinkStep step) => All.Where(a => a.Step == step);

    /// <summary>The segments a link of this step may open (its page without segment aside).</summary>
    public static IEnumerable<string> SegmentsOf(LinkStep step) => Of(step).Select(a => a.Segment).OfType<string>();

    /// <summary>The link pages' roots: a referral's, and a pushed profile's (CvPushes/PushedProfileLinkPage).</summary>
    public const string ReferralRoot = "/l", PushRoot = "/l/p";

    public string PathFor(string token)
    {
        var root = Step == LinkStep.Push ? PushRoot : ReferralRoot;
        return Segment is null ? $"{root}/{token}" : $"{root}/{token}/{Segment}";
    }
}
