namespace Passerelle.Referrals;

/// <summary>One line of the "suivi de mise en relation" as people read it.</summary>
public sealed record TimelineLine(string Title, string When, string What, string? Comment, string? ActedBy);

/// <summary>The timeline in the document's words: "TECHER Margaud - Réponse du candidat / Le 15/06/2020 à 12h07 : Offre acceptée".</summary>
public static class TimelineText
{
    public static string Header(string schoolName, string staffName) =>
        $"{schoolName.ToUpper(System.Globalization.CultureInfo.GetCultureInfo("fr-FR"))} - Mise en relation proposée par : {staffName}";

    public static string When(DateTimeOffset at) => $"Le {ParisTime.Date(at)} à {ParisTime.Time(at)}";

    public static TimelineLine Describe(ReferralEvent e, string candidateName, string companyName, string schoolName)
    {
        var title = e.Kind switch
        {
            ReferralEventKind.Proposed => Header(schoolName, e.ActorName),
            ReferralEventKind.ProposedFromPush => $"{schoolName} - Profil proposé (push CV)",
            ReferralEventKind.OfferAccepted or ReferralEventKind.OfferDeclined => $"{candidateName} - Réponse du candidat",
            ReferralEventKind.CandidateAccepted or ReferralEventKind.AppointmentChanged or ReferralEventKind.CandidateRefused => $"{companyName} - Réponse de l'entreprise",
            ReferralEventKind.AppointmentAccepted or ReferralEventKind.AppointmentDeclined => $"{candidateName} - Réponse du candidat au RDV",
            ReferralEventKind.Recruited or ReferralEventKind.NotRetained => $"{(e.ActorKind == ActorKind.CompanyContact || e.OnBehalfOf == Party.Company ? companyName : schoolName)} - Résultat",
            ReferralEventKind.ContactChanged => $"{schoolName} - Changement de contact",
            _ => $"{schoolName} - Annulation",
        };
        var what = e.Kind == ReferralEventKind.ProposedFromPush
            ? PushedBy(e.ActorName, e.OccurredAt, e.ConsentRecordedAt)
            : Answer(e.Kind, e.AppointmentStartsAt, e.AppointmentLocation);
        if (e.Reason is not null)
            what += e.Kind is ReferralEventKind.Cancelled or ReferralEventKind.ContactChanged ? $" : {e.Reason}" : $" (motif : {e.Reason})";
        if (e.PreviousAnswer is { } previous && e.Kind != ReferralEventKind.AppointmentChanged)
            what += $" (changement d'avis, auparavant : {Answer(previous, null, null)})";
        // An answer given for a party, or anything done through the API ("Action effectuée par ERP (API).").
        var actedBy = e.OnBehalfOf is not null || e.ActorKind == ActorKind.ApiClient ? $"Action effectuée par {e.ActorName}." : null;
        return new TimelineLine(title, When(e.OccurredAt), what, e.Comment, actedBy);
    }

    /// <summary>"Profil proposé par MARTIN Benoît le 28/11/2026 — accord du candidat enregistré le 20/11/2026".</summary>
    public static string PushedBy(string staffName, DateTimeOffset pushedAt, DateTimeOffset? consentRecordedAt) =>
        $"Profil proposé par {staffName} le {ParisTime.Date(pushedAt)}" +
        (consentRecordedAt is { } consent ? $" — accord du candidat enregistré le {ParisTime.Date(consent)}" : "");

    /// <summary>"Offre acceptée", "Candidat accepté – RDV proposé le 22/06/2020 à 10h00, Bordeaux"…</summary>
    public static string Answer(ReferralEventKind kind, DateTimeOffset? appointment, string? location)
    {
        var slot = appointment is { } at
            ? $"le {ParisTime.Date(at)} à {ParisTime.Time(at)}{(string.IsNullOrWhiteSpace(location) ? "" : $", {location}")}"
            : "";
        return kind switch
        {
            ReferralEventKind.Proposed => "Mise en relation proposée",
            ReferralEventKind.ProposedFromPush => "Profil proposé (push CV)",
            ReferralEventKind.OfferAccepted => "Offre acceptée",
            ReferralEventKind.OfferDeclined => "Offre refusée",
            ReferralEventKind.CandidateAccepted => slot.Length == 0 ? "Candidat accepté" : $"Candidat accepté – RDV proposé {slot}",
            ReferralEventKind.AppointmentChanged => $"Nouveau RDV proposé {slot}",
            ReferralEventKind.CandidateRefused => slot.Length == 0 ? "Candidat refusé" : $"Candidat refusé – RDV du {slot[3..]} annulé",
            ReferralEventKind.AppointmentAccepted => "RDV accepté",
            ReferralEventKind.AppointmentDeclined => "RDV refusé",
            ReferralEventKind.Recruited => "Recruté",
            ReferralEventKind.NotRetained => "Non retenu",
            ReferralEventKind.ContactChanged => "Mise en relation confiée à un autre contact de l'entreprise",
            _ => "Mise en relation annulée",
        };
    }

    /// <summary>The list's answer columns: "Offre acceptée - le 15/06/2020".</summary>
    public static string? Column(string? answer, DateTimeOffset? at) =>
        answer is null || at is null ? null : $"{answer} - le {ParisTime.Date(at.Value)}";

    public static string? OfferColumn(Referral r) => OfferColumn(r.OfferAnswer, r.OfferAnsweredAt);

    public static string? OfferColumn(OfferAnswer? answer, DateTimeOffset? at) => Column(answer switch
    {
        OfferAnswer.Accepted => "Offre acceptée",
        OfferAnswer.Declined => "Offre refusée",
        _ => null,
    }, at);

    public static string? CompanyColumn(Referral r) => CompanyColumn(r.CompanyAnswer, r.CompanyAnsweredAt);

    public static string? CompanyColumn(CompanyAnswer? answer, DateTimeOffset? at) => Column(answer switch
    {
        CompanyAnswer.Accepted => "Candidat accepté",
        CompanyAnswer.Refused => "Candidat refusé",
        _ => null,
    }, at);

    public static string? AppointmentColumn(Referral r) => AppointmentColumn(r.AppointmentAnswer, r.AppointmentAnsweredAt);

    public static string? AppointmentColumn(AppointmentAnswer? answer, DateTimeOffset? at) => Column(answer switch
    {
        AppointmentAnswer.Accepted => "RDV accepté",
        AppointmentAnswer.Declined => "RDV refusé",
        _ => null,
    }, at);
}
