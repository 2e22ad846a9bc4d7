using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.Email.Links;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;

namespace Passerelle.Email.Templates;

/// <summary>The values a template's placeholders read (see DefaultTemplates for each key's list).</summary>
public static class RenderModel
{
    public static Dictionary<string, object?> For(
        School school, Candidate candidate, Company company, CompanyContact contact, Staff staff, JobOffer offer, Referral referral,
        MailData data, string recipientName, Dictionary<string, object?> links) => new()
        {
            ["ecole"] = new Dictionary<string, object?> { ["nom"] = school.Name },
            ["destinataire"] = new Dictionary<string, object?> { ["nomComplet"] = recipientName, ["prenom"] = FirstName(recipientName) },
            ["candidat"] = Person(candidate.FirstName, candidate.LastName, candidate.DisplayName),
            ["entreprise"] = new Dictionary<string, object?> { ["nom"] = company.Name },
            ["contact"] = Person(contact.FirstName, contact.LastName, contact.DisplayName),
            ["chargeRelation"] = Person(staff.FirstName, staff.LastName, staff.DisplayName),
            ["offre"] = new Dictionary<string, object?>
            {
                ["titre"] = offer.Title,
                ["lieu"] = offer.Location,
                ["description"] = offer.Description,
                ["debut"] = offer.StartsOn?.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture),
            },
            ["miseEnRelation"] = new Dictionary<string, object?> { ["date"] = ParisTime.Date(referral.CreatedAt), ["heure"] = ParisTime.Time(referral.CreatedAt) },
            ["rdv"] = data.AppointmentStartsAt is { } at
                ? new Dictionary<string, object?>
                {
                    ["date"] = ParisTime.Date(at), ["heure"] = ParisTime.Time(at), ["lieu"] = data.AppointmentLocation, ["commentaire"] = data.AppointmentComment,
                }
                : new Dictionary<string, object?>(),
            ["commentaire"] = data.Comment,
            ["motif"] = data.Reason,
            ["actionEffectueePar"] = data.OnBehalfOf is null ? null : data.ActorName,
            ["rdvConfirme"] = data.EventKind == ReferralEventKind.AppointmentAccepted,
            ["resultat"] = data.EventKind switch
            {
                ReferralEventKind.Recruited => "Recruté",
                ReferralEventKind.NotRetained => "Non retenu",
                _ => null,
            },
            ["liens"] = links,
        };

    /// <summary>Sample values for previews and for the test that renders every key.</summary>
    public static Dictionary<string, object?> Sample(string linkBase = "https://passerelle.example") => new()
    {
        ["ecole"] = new Dictionary<string, object?> { ["nom"] = "Passerelle School" },
        ["destinataire"] = new Dictionary<string, object?> { ["nomComplet"] = "TECHER Margaud", ["prenom"] = "Margaud" },
        ["candidat"] = Person("Margaud", "TECHER", "TECHER Margaud"),
        ["entreprise"] = new Dictionary<string, object?> { ["nom"] = "Laboriosam Industries" },
        ["contact"] = Person("Sophie", "LEFEBVRE", "LEFEBVRE Sophie"),
        ["chargeRelation"] = Person("Benoît", "MARTIN", "MARTIN Benoît"),
        ["offre"] = new Dictionary<string, object?>
        {
            ["titre"] = "Et laboriosam praesentium", ["lieu"] = "Bordeaux (33)", ["description"] = "Mission en alternance.", ["debut"] = "01/09/2020",
        },
        ["miseEnRelation"] = new Dictionary<string, object?> { ["date"] = "15/05/2020", ["heure"] = "15h41" },
        ["rdv"] = new Dictionary<string, object?> { ["date"] = "22/06/2020", ["heure"] = "10h00", ["lieu"] = "12 rue des Écoles, Bordeaux", ["commentaire"] = "Merci d'apporter votre CV." },
        ["commentaire"] = "Merci pour votre réponse rapide.",
        ["motif"] = "Profil ne correspondant pas au poste",
        ["actionEffectueePar"] = "MARTIN Benoît",
        ["rdvConfirme"] = true,
        ["resultat"] = "Recruté",
        ["identifiant"] = "demo.entreprise",
        ["effacementLe"] = "15/06/2022",
        ["message"] = "Deux profils motivés, disponibles en septembre.",
        ["profils"] = new List<Dictionary<string, object?>>
        {
            PushedProfile("TECHER Margaud", "CV - cv, Lettre de motivation - LM_Margaud", path => $"{linkBase}{path}", "exemple"),
            PushedProfile("JOURDAN Guillaume", "CV - cv_guillaume", path => $"{linkBase}{path}", "exemple2"),
        },
        ["liens"] = ExampleLinks(linkBase),
    };

    /// <summary>One profile of a push CV mail: its name, its shared documents' labels and its own three links.</summary>
    /// <param name="link">Turns a path into the absolute address the mail carries (<see cref="EmailOptions.Link"/>).</param>
    public static Dictionary<string, object?> PushedProfile(string name, string? documents, Func<string, string> link, string token) => new()
    {
        ["nomComplet"] = name,
        ["documents"] = documents,
        ["liens"] = LinkAction.Of(LinkStep.Push).ToDictionary(a => a.Variable, a => (object?)link(a.PathFor(token))),
    };

    private static Dictionary<string, object?> ExampleLinks(string linkBase)
    {
        // A push's links are per profile (see PushedProfile), not among the mail's own.
        var links = LinkAction.All.Where(a => a.Step != LinkStep.Push).ToDictionary(a => a.Variable, a => (object?)$"{linkBase}{a.PathFor("exemple")}");
        links["portail"] = $"{linkBase}/entreprise";
        links["suivi"] = $"{linkBase}/ecole/mises-en-relation/exemple";
        links["motDePasse"] = $"{linkBase}/entreprise/mot-de-passe/exemple";
        links["motDePasseExpireLe"] = "16/05/2020 à 15h41";
        links["confirmation"] = $"{linkBase}/entreprise/confirmer-adresse/exemple";
        links["confirmationExpireLe"] = "22/05/2020 à 15h41";
        links["expireLe"] = "22/05/2020 à 15h41";
        return links;
    }

    /// <summary>A person as every template reads one: {{x.prenom}}, {{x.nom}} (upper case), {{x.nomComplet}}.</summary>
    public static Dictionary<string, object?> Person(string firstName, string lastName, string displayName) => new()
    {
        ["prenom"] = firstName, ["nom"] = lastName.ToUpperInvariant(), ["nomComplet"] = displayName,
    };

    private static string FirstName(string displayName)
    {
        var space = displayName.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? displayName : displayName[(space + 1)..];
    }
}
