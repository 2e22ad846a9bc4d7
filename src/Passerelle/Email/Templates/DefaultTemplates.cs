using Passerelle.Referrals;

namespace Passerelle.Email.Templates;

/// <summary>Who reads a mail.</summary>
public enum Audience
{
    Candidate,
    Company,
    School,
}

/// <summary>
/// A list a mail repeats with <c>{{#each List}}…{{/each}}</c> (the profiles of a push CV), and the placeholders of one
/// item, written inside the block without the list's name.
/// </summary>
public sealed record TemplateList(string List, string ItemName, IReadOnlyList<string> ItemPlaceholders);

/// <summary>One mail of PRODUCT.md: its key, French name, reader, default subject and body, and the placeholders it may use.</summary>
public sealed record TemplateDefinition(
    string Key, string Name, Audience Audience, string Subject, string Body, IReadOnlyList<string> Placeholders, TemplateList? Repeated = null);

/// <summary>
/// The built-in French mails. A school admin may replace subject and body per key; whatever they write,
/// values are HTML-escaped, and the layout adds the school's name and, when the mail carries action links,
/// the date until which they work.
/// </summary>
public static class DefaultTemplates
{
    private static readonly string[] Common =
    [
        "ecole.nom", "destinataire.nomComplet", "destinataire.prenom", "candidat.prenom", "candidat.nom", "candidat.nomComplet",
        "entreprise.nom", "contact.prenom", "contact.nom", "contact.nomComplet", "chargeRelation.nomComplet",
        "offre.titre", "offre.lieu", "offre.debut", "offre.description", "miseEnRelation.date", "miseEnRelation.heure",
        "commentaire", "motif", "actionEffectueePar",
    ];

    private static readonly string[] Appointment = ["rdv.date", "rdv.heure", "rdv.lieu", "rdv.commentaire"];
    private static readonly string[] CandidateOfferLinks = ["liens.voirOffre", "liens.accepterOffre", "liens.refuserOffre", "liens.expireLe"];
    private static readonly string[] CompanyLinks = ["liens.profil", "liens.offre", "liens.accepter", "liens.refuser", "liens.portail", "liens.expireLe"];
    private static readonly string[] AppointmentLinks = ["liens.rdv", "liens.confirmerRdv", "liens.declinerRdv", "liens.calendrier", "liens.expireLe"];
    private static readonly string[] SchoolLinks = ["liens.suivi"];

    public static readonly IReadOnlyList<TemplateDefinition> All =
    [
        Define(TemplateKeys.OfferToCandidate, "Offre envoyée au candidat", Audience.Candidate,
            "{{ecole.nom}} vous propose une offre : {{offre.titre}}",
            """
            <p>Bonjour {{candidat.prenom}},</p>
            <p>{{ecole.nom}} pense que l'offre <strong>{{offre.titre}}</strong> chez <strong>{{entreprise.nom}}</strong>{{#if offre.lieu}} ({{offre.lieu}}){{/if}} peut vous intéresser.</p>
            <p>Si vous l'acceptez, votre profil sera transmis à l'entreprise, qui vous répondra par e-mail.</p>
            <p>{{bouton liens.voirOffre "Voir l'offre"}}</p>
            <p>{{bouton liens.accepterOffre "Accepter l'offre"}} {{bouton liens.refuserOffre "Refuser l'offre" "secondaire"}}</p>
            <p>Vous pourrez changer d'avis avec ces mêmes boutons tant que l'entreprise n'a pas répondu.</p>
            """,
            [.. Common, .. CandidateOfferLinks]),

        Define(TemplateKeys.CandidateToCompany, "Proposition d'un profil candidat à l'entreprise", Audience.Company,
            "Proposition de candidat : {{candidat.nomComplet}} pour « {{offre.titre}} »",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{ecole.nom}} vous propose la candidature de <strong>{{candidat.nomComplet}}</strong> pour votre offre <strong>{{offre.titre}}</strong>. Le candidat a accepté l'offre.</p>
            <ol>
            <li><a href="{{liens.profil}}">Voir le profil du candidat</a> (et les documents joints)</li>
            <li><a href="{{liens.offre}}">Voir le détail de l'offre</a></li>
            </ol>
            <p>{{bouton liens.accepter "Accepter le candidat et proposer un rendez-vous"}}</p>
            <p>{{bouton liens.refuser "Refuser le candidat" "secondaire"}}</p>
            <p>Le bouton « Accepter » ouvre un court formulaire pour proposer un rendez-vous ; l'acceptation est prise en compte dès que le rendez-vous est proposé. Le refus est pris en compte dès la confirmation sur la page qui s'ouvre.</p>
            <p>Vous pouvez changer d'avis avec ces mêmes boutons tant que le candidat n'a pas répondu au rendez-vous. Vous pouvez aussi répondre depuis votre espace <a href="{{liens.portail}}">Passerelle Entreprises</a>, sans limite de durée.</p>
            """,
            [.. Common, .. CompanyLinks]),

        Define(TemplateKeys.AppointmentToCandidate, "L'entreprise propose un rendez-vous au candidat", Audience.Candidate,
            "Rendez-vous proposé par {{entreprise.nom}} le {{rdv.date}} à {{rdv.heure}}",
            """
            <p>Bonjour {{candidat.prenom}},</p>
            <p>Bonne nouvelle : <strong>{{entreprise.nom}}</strong> souhaite vous rencontrer pour l'offre <strong>{{offre.titre}}</strong>.</p>
            <p>Rendez-vous proposé : <strong>le {{rdv.date}} à {{rdv.heure}}</strong>{{#if rdv.lieu}}, {{rdv.lieu}}{{/if}}.</p>
            {{#if rdv.commentaire}}<p>Message de l'entreprise : « {{rdv.commentaire}} »</p>{{/if}}
            <p>{{bouton liens.confirmerRdv "Je confirme ma présence"}} {{bouton liens.declinerRdv "Je ne pourrai pas venir" "secondaire"}}</p>
            <p>L'invitation est jointe à ce message ; vous pouvez aussi <a href="{{liens.calendrier}}">l'ajouter à votre agenda</a>.</p>
            """,
            [.. Common, .. Appointment, .. AppointmentLinks]),

        Define(TemplateKeys.SchoolCandidateAcceptedOffer, "École : le candidat a accepté l'offre", Audience.School,
            "{{candidat.nomComplet}} a accepté l'offre « {{offre.titre}} »",
            """
            <p>{{candidat.nomComplet}} a accepté l'offre <strong>{{offre.titre}}</strong> ({{entreprise.nom}}).{{#if actionEffectueePar}} Action effectuée par {{actionEffectueePar}}.{{/if}}</p>
            <p>Son profil a été envoyé à {{contact.nomComplet}}.</p>
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, .. SchoolLinks]),

        Define(TemplateKeys.SchoolCandidateDeclinedOffer, "École : le candidat a refusé l'offre", Audience.School,
            "{{candidat.nomComplet}} a refusé l'offre « {{offre.titre}} »",
            """
            <p>{{candidat.nomComplet}} a refusé l'offre <strong>{{offre.titre}}</strong> ({{entreprise.nom}}).{{#if actionEffectueePar}} Action effectuée par {{actionEffectueePar}}.{{/if}}</p>
            {{#if commentaire}}<p>Commentaire : « {{commentaire}} »</p>{{/if}}
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, .. SchoolLinks]),

        Define(TemplateKeys.SchoolCompanyProposedAppointment, "École : l'entreprise propose un rendez-vous", Audience.School,
            "{{entreprise.nom}} propose un rendez-vous à {{candidat.nomComplet}}",
            """
            <p>{{contact.nomComplet}} ({{entreprise.nom}}) a accepté {{candidat.nomComplet}} pour l'offre <strong>{{offre.titre}}</strong> et propose un rendez-vous le <strong>{{rdv.date}} à {{rdv.heure}}</strong>{{#if rdv.lieu}}, {{rdv.lieu}}{{/if}}.{{#if actionEffectueePar}} Action effectuée par {{actionEffectueePar}}.{{/if}}</p>
            {{#if commentaire}}<p>Commentaire : « {{commentaire}} »</p>{{/if}}
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, .. Appointment, .. SchoolLinks]),

        Define(TemplateKeys.SchoolCompanyRefusedCandidate, "École : l'entreprise a refusé le candidat", Audience.School,
            "{{entreprise.nom}} a refusé {{candidat.nomComplet}}",
            """
            <p>{{contact.nomComplet}} ({{entreprise.nom}}) a refusé {{candidat.nomComplet}} pour l'offre <strong>{{offre.titre}}</strong>.{{#if actionEffectueePar}} Action effectuée par {{actionEffectueePar}}.{{/if}}</p>
            {{#if motif}}<p>Motif : {{motif}}</p>{{/if}}
            {{#if commentaire}}<p>Commentaire : « {{commentaire}} »</p>{{/if}}
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, .. SchoolLinks]),

        Define(TemplateKeys.SchoolCandidateAcceptedAppointment, "École : le candidat a confirmé le rendez-vous", Audience.School,
            "{{candidat.nomComplet}} a confirmé le rendez-vous avec {{entreprise.nom}}",
            """
            <p>{{candidat.nomComplet}} a confirmé sa présence au rendez-vous du <strong>{{rdv.date}} à {{rdv.heure}}</strong> avec {{entreprise.nom}} ({{offre.titre}}).{{#if actionEffectueePar}} Action effectuée par {{actionEffectueePar}}.{{/if}}</p>
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, .. Appointment, .. SchoolLinks]),

        Define(TemplateKeys.SchoolCandidateDeclinedAppointment, "École : le candidat a décliné le rendez-vous", Audience.School,
            "{{candidat.nomComplet}} ne pourra pas venir au rendez-vous avec {{entreprise.nom}}",
            """
            <p>{{candidat.nomComplet}} a décliné le rendez-vous du <strong>{{rdv.date}} à {{rdv.heure}}</strong> avec {{entreprise.nom}} ({{offre.titre}}).{{#if actionEffectueePar}} Action effectuée par {{actionEffectueePar}}.{{/if}}</p>
            {{#if commentaire}}<p>Commentaire : « {{commentaire}} »</p>{{/if}}
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, .. Appointment, .. SchoolLinks]),

        Define(TemplateKeys.SchoolOutcomeRecorded, "École : l'entreprise a indiqué le résultat", Audience.School,
            "Résultat pour {{candidat.nomComplet}} : {{resultat}}",
            """
            <p>{{contact.nomComplet}} ({{entreprise.nom}}) a indiqué le résultat pour {{candidat.nomComplet}} ({{offre.titre}}) : <strong>{{resultat}}</strong>.</p>
            {{#if commentaire}}<p>Commentaire : « {{commentaire}} »</p>{{/if}}
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, "resultat", .. SchoolLinks]),

        Define(TemplateKeys.CompanyRefusedToCandidate, "Candidat : l'entreprise n'a pas retenu la candidature", Audience.Candidate,
            "Votre candidature pour « {{offre.titre}} »",
            """
            <p>Bonjour {{candidat.prenom}},</p>
            <p>{{entreprise.nom}} n'a pas retenu votre candidature pour l'offre <strong>{{offre.titre}}</strong>.</p>
            {{#if commentaire}}<p>Message de l'entreprise : « {{commentaire}} »</p>{{/if}}
            <p>{{ecole.nom}} reste à vos côtés pour la suite de votre recherche.</p>
            """,
            Common),

        Define(TemplateKeys.AppointmentAnswerToCompany, "Entreprise : réponse du candidat au rendez-vous", Audience.Company,
            "{{candidat.nomComplet}} {{#if rdvConfirme}}confirme{{else}}décline{{/if}} le rendez-vous du {{rdv.date}}",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            {{#if rdvConfirme}}
            <p>{{candidat.nomComplet}} confirme sa présence au rendez-vous du <strong>{{rdv.date}} à {{rdv.heure}}</strong>{{#if rdv.lieu}}, {{rdv.lieu}}{{/if}} ({{offre.titre}}).</p>
            {{else}}
            <p>{{candidat.nomComplet}} ne pourra pas venir au rendez-vous du <strong>{{rdv.date}} à {{rdv.heure}}</strong> ({{offre.titre}}).</p>
            {{/if}}
            {{#if commentaire}}<p>Commentaire du candidat : « {{commentaire}} »</p>{{/if}}
            <p>Le suivi complet est dans votre espace <a href="{{liens.portail}}">Passerelle Entreprises</a>.</p>
            """,
            [.. Common, .. Appointment, "rdvConfirme", "liens.portail"]),

        Define(TemplateKeys.WithdrawnCandidateToCompany, "Entreprise : le candidat a retiré sa candidature", Audience.Company,
            "{{candidat.nomComplet}} n'est plus candidat pour « {{offre.titre}} »",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{candidat.nomComplet}} a finalement refusé l'offre <strong>{{offre.titre}}</strong>. Vous n'avez plus de réponse à donner pour cette candidature ; les liens de l'e-mail de proposition ne fonctionnent plus.</p>
            <p>Le suivi complet est dans votre espace <a href="{{liens.portail}}">Passerelle Entreprises</a>.</p>
            """,
            [.. Common, "liens.portail"]),

        Define(TemplateKeys.WithdrawnAppointmentToCandidate, "Candidat : le rendez-vous est annulé", Audience.Candidate,
            "Rendez-vous du {{rdv.date}} annulé : {{offre.titre}}",
            """
            <p>Bonjour {{candidat.prenom}},</p>
            <p>{{entreprise.nom}} a annulé le rendez-vous du <strong>{{rdv.date}} à {{rdv.heure}}</strong> et ne donne pas suite à votre candidature pour l'offre <strong>{{offre.titre}}</strong>.</p>
            {{#if commentaire}}<p>Message de l'entreprise : « {{commentaire}} »</p>{{/if}}
            <p>L'annulation jointe retire le rendez-vous de votre agenda. {{ecole.nom}} reste à vos côtés pour la suite de votre recherche.</p>
            """,
            [.. Common, .. Appointment]),

        Define(TemplateKeys.WithdrawnBySchoolToCandidate, "Candidat : l'école annule la mise en relation", Audience.Candidate,
            "Offre « {{offre.titre}} » : mise en relation annulée",
            """
            <p>Bonjour {{candidat.prenom}},</p>
            <p>{{ecole.nom}} a annulé votre mise en relation pour l'offre <strong>{{offre.titre}}</strong> ({{entreprise.nom}}){{#if motif}} : {{motif}}{{/if}}.</p>
            {{#if rdv.date}}<p>Le rendez-vous du {{rdv.date}} à {{rdv.heure}} est annulé ; l'annulation jointe le retire de votre agenda.</p>{{/if}}
            <p>Pour toute question, contactez {{chargeRelation.nomComplet}}.</p>
            """,
            [.. Common, .. Appointment]),

        Define(TemplateKeys.WithdrawnBySchoolToCompany, "Entreprise : l'école annule la mise en relation", Audience.Company,
            "Mise en relation annulée : {{candidat.nomComplet}} pour « {{offre.titre}} »",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{ecole.nom}} a annulé la mise en relation de {{candidat.nomComplet}} pour votre offre <strong>{{offre.titre}}</strong>{{#if motif}} : {{motif}}{{/if}}. Vous n'avez plus de réponse à donner ; les liens reçus pour cette candidature ne fonctionnent plus.</p>
            <p>Le suivi complet est dans votre espace <a href="{{liens.portail}}">Passerelle Entreprises</a>.</p>
            """,
            [.. Common, "liens.portail"]),

        Define(TemplateKeys.ReminderToCompany, "Entreprise : rappel avant expiration des liens", Audience.Company,
            "Rappel : {{candidat.nomComplet}} attend votre réponse pour « {{offre.titre}} »",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{ecole.nom}} vous a proposé le {{miseEnRelation.date}} la candidature de <strong>{{candidat.nomComplet}}</strong> pour votre offre <strong>{{offre.titre}}</strong>, qui attend votre réponse.</p>
            <ol>
            <li><a href="{{liens.profil}}">Voir le profil du candidat</a></li>
            <li><a href="{{liens.offre}}">Voir le détail de l'offre</a></li>
            </ol>
            <p>{{bouton liens.accepter "Accepter le candidat et proposer un rendez-vous"}}</p>
            <p>{{bouton liens.refuser "Refuser le candidat" "secondaire"}}</p>
            <p>Passé cette date, vous pourrez toujours répondre depuis votre espace <a href="{{liens.portail}}">Passerelle Entreprises</a>.</p>
            """,
            [.. Common, .. CompanyLinks]),

        Define(TemplateKeys.PushToCompany, "Push CV : profils proposés à l'entreprise", Audience.Company,
            "{{ecole.nom}} vous propose {{#if profils.[1]}}des profils{{else}}un profil{{/if}} de candidat",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{chargeRelation.nomComplet}}, de {{ecole.nom}}, pense que {{#if profils.[1]}}ces candidats en recherche d'alternance peuvent{{else}}ce candidat en recherche d'alternance peut{{/if}} intéresser {{entreprise.nom}}. {{#if profils.[1]}}Chacun a accepté{{else}}Il ou elle a accepté{{/if}} que son profil vous soit proposé.</p>
            {{#if message}}<p>Son message : « {{message}} »</p>{{/if}}
            {{#each profils}}
            <h2>{{nomComplet}}</h2>
            {{#if documents}}<p>Document(s) joint(s) : {{documents}}</p>{{/if}}
            <p><a href="{{liens.voirProfil}}">Voir le profil du candidat</a> (et les documents joints)</p>
            <p>{{bouton liens.rencontrer "Je souhaite rencontrer ce candidat"}} {{bouton liens.nePasDonnerSuite "Ne pas donner suite" "secondaire"}}</p>
            {{/each}}
            <p>Pour rencontrer un candidat, vous proposez un rendez-vous ; l'école et le candidat en sont informés. Vous retrouvez ces profils dans votre espace <a href="{{liens.portail}}">Passerelle Entreprises</a>, rubrique « Profils proposés ».</p>
            """,
            ["ecole.nom", "contact.prenom", "contact.nom", "contact.nomComplet", "entreprise.nom", "chargeRelation.nomComplet", "message",
             "liens.portail", "liens.expireLe"],
            new TemplateList("profils", "profil", ["nomComplet", "documents", "liens.voirProfil", "liens.rencontrer", "liens.nePasDonnerSuite"])),

        Define(TemplateKeys.SchoolCompanyAskedToMeet, "École : une entreprise souhaite rencontrer un profil proposé", Audience.School,
            "{{entreprise.nom}} souhaite rencontrer {{candidat.nomComplet}}",
            """
            <p>{{contact.nomComplet}} ({{entreprise.nom}}) souhaite rencontrer {{candidat.nomComplet}}, dont le profil lui a été proposé, pour « <strong>{{offre.titre}}</strong> », et propose un rendez-vous le <strong>{{rdv.date}} à {{rdv.heure}}</strong>{{#if rdv.lieu}}, {{rdv.lieu}}{{/if}}.{{#if actionEffectueePar}} Action effectuée par {{actionEffectueePar}}.{{/if}}</p>
            {{#if commentaire}}<p>Commentaire : « {{commentaire}} »</p>{{/if}}
            <p>Une mise en relation est créée ; le candidat a reçu la proposition de rendez-vous.</p>
            <p><a href="{{liens.suivi}}">Voir le suivi de la mise en relation</a></p>
            """,
            [.. Common, .. Appointment, .. SchoolLinks]),

        Define(TemplateKeys.ContactCredentials, "Identifiants du contact entreprise", Audience.Company,
            "Votre accès à Passerelle Entreprises pour {{ecole.nom}}",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{ecole.nom}} vous a ouvert un accès à Passerelle Entreprises pour suivre les candidats qui vous sont proposés.</p>
            <p>Votre identifiant : <strong>{{identifiant}}</strong></p>
            <p>{{bouton liens.motDePasse "Choisir mon mot de passe"}}</p>
            <p>Ce lien est valable jusqu'au {{liens.motDePasseExpireLe}} et ne sert qu'une fois. Ensuite, connectez-vous sur <a href="{{liens.portail}}">Passerelle Entreprises</a>.</p>
            """,
            ["ecole.nom", "contact.prenom", "contact.nom", "contact.nomComplet", "identifiant", "liens.motDePasse", "liens.motDePasseExpireLe", "liens.portail"]),

        Define(TemplateKeys.ContactPasswordReset, "Réinitialisation du mot de passe", Audience.Company,
            "Réinitialiser votre mot de passe Passerelle Entreprises",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>Vous avez demandé à réinitialiser votre mot de passe. Ce lien est valable jusqu'au {{liens.motDePasseExpireLe}} et ne sert qu'une fois :</p>
            <p>{{bouton liens.motDePasse "Choisir un nouveau mot de passe"}}</p>
            <p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.</p>
            """,
            ["contact.prenom", "contact.nom", "contact.nomComplet", "identifiant", "liens.motDePasse", "liens.motDePasseExpireLe", "liens.portail"]),

        Define(TemplateKeys.ContactInvitation, "Invitation d'une école à un contact déjà inscrit", Audience.Company,
            "{{ecole.nom}} vous invite sur Passerelle Entreprises",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{ecole.nom}} souhaite vous proposer des candidats sur Passerelle Entreprises, où vous avez déjà un compte.</p>
            <p>Connectez-vous pour accepter ou refuser cette invitation : tant que vous ne l'avez pas acceptée, l'école ne voit de vous que l'adresse qu'elle a saisie.</p>
            <p>{{bouton liens.portail "Répondre à l'invitation"}}</p>
            """,
            ["ecole.nom", "contact.prenom", "contact.nom", "contact.nomComplet", "liens.portail"]),

        Define(TemplateKeys.ContactEmailConfirmation, "Confirmation de la nouvelle adresse d'un contact", Audience.Company,
            "Confirmez votre nouvelle adresse sur Passerelle Entreprises",
            """
            <p>Bonjour {{contact.prenom}} {{contact.nom}},</p>
            <p>{{ecole.nom}} a indiqué cette adresse comme votre nouvelle adresse e-mail sur Passerelle Entreprises. Elle ne sera utilisée qu'une fois confirmée :</p>
            <p>{{bouton liens.confirmation "Confirmer cette adresse"}}</p>
            <p>Ce lien est valable jusqu'au {{liens.confirmationExpireLe}} et ne sert qu'une fois. Si cette adresse n'est pas la vôtre, ignorez ce message : rien ne change.</p>
            """,
            ["ecole.nom", "contact.prenom", "contact.nom", "contact.nomComplet", "liens.confirmation", "liens.confirmationExpireLe", "liens.portail"]),

        Define(TemplateKeys.CandidateRetentionWarning, "Avertissement au candidat avant l'effacement de ses données", Audience.Candidate,
            "{{ecole.nom}} : vos données seront effacées le {{effacementLe}}",
            """
            <p>Bonjour {{destinataire.prenom}},</p>
            <p>{{ecole.nom}} conserve votre profil et vos documents pour vous mettre en relation avec des entreprises. Faute d'activité depuis
            longtemps, ils seront effacés le {{effacementLe}}, comme le prévoit sa politique de conservation des données.</p>
            <p>Si vous souhaitez qu'ils soient conservés, contactez {{ecole.nom}} avant cette date. Sinon, vous n'avez rien à faire.</p>
            """,
            ["ecole.nom", "destinataire.prenom", "destinataire.nomComplet", "effacementLe"]),

        Define(TemplateKeys.StaffCredentials, "Identifiants d'un membre de l'équipe de l'école", Audience.School,
            "Votre accès à Passerelle École pour {{ecole.nom}}",
            """
            <p>Bonjour {{destinataire.prenom}},</p>
            <p>Un accès à Passerelle École vous a été ouvert pour {{ecole.nom}}.</p>
            <p>Votre identifiant : <strong>{{identifiant}}</strong></p>
            <p>{{bouton liens.motDePasse "Choisir mon mot de passe"}}</p>
            <p>Ce lien est valable jusqu'au {{liens.motDePasseExpireLe}} et ne sert qu'une fois. Ensuite, connectez-vous sur <a href="{{liens.portail}}">Passerelle École</a>.</p>
            """,
            ["ecole.nom", "destinataire.prenom", "destinataire.nomComplet", "identifiant", "liens.motDePasse", "liens.motDePasseExpireLe", "liens.portail"]),

        Define(TemplateKeys.StaffPasswordReset, "Réinitialisation du mot de passe d'un membre de l'équipe", Audience.School,
            "Réinitialiser votre mot de passe Passerelle École",
            """
            <p>Bonjour {{destinataire.prenom}},</p>
            <p>Vous avez demandé à réinitialiser votre mot de passe. Ce lien est valable jusqu'au {{liens.motDePasseExpireLe}} et ne sert qu'une fois :</p>
            <p>{{bouton liens.motDePasse "Choisir un nouveau mot de passe"}}</p>
            <p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.</p>
            """,
            ["ecole.nom", "destinataire.prenom", "destinataire.nomComplet", "identifiant", "liens.motDePasse", "liens.motDePasseExpireLe", "liens.portail"]),
    ];

    private static readonly Dictionary<string, TemplateDefinition> ByKey = All.ToDictionary(t => t.Key);

    public static TemplateDefinition For(string key) =>
        ByKey.TryGetValue(key, out var definition) ? definition : throw new KeyNotFoundException($"No template '{key}'.");

    public static bool Exists(string key) => ByKey.ContainsKey(key);

    /// <summary>Mails a school may rewrite: not the account mails, which carry password links.</summary>
    public static bool SchoolMayEdit(string key) => Exists(key) && !key.StartsWith("contact.", StringComparison.Ordinal) && !key.StartsWith("staff.", StringComparison.Ordinal);

    private static TemplateDefinition Define(
        string key, string name, Audience audience, string subject, string body, string[] placeholders, TemplateList? repeated = null) =>
        new(key, name, audience, subject, body.Trim(), placeholders.Distinct().ToArray(), repeated);
}
