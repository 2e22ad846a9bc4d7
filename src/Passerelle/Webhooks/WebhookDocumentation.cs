using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Passerelle.Api;
using Passerelle.Email;
using Passerelle.Referrals;

namespace Passerelle.Webhooks;

/// <summary>
/// The webhooks in the API's OpenAPI document (its <c>webhooks</c>, OpenAPI 3.1): every event type a school's endpoint may
/// be sent, with its body and an example, the Standard Webhooks headers that sign it, and what the endpoint's answer
/// means. A platform reads there what it will receive, as it reads the API's operations.
/// </summary>
internal static class WebhookDocumentation
{
    private const string Tag = "Webhooks";
    private const string ReferralEventSchema = "ReferralEventWebhook";
    private const string MailFailedSchema = "MailFailedWebhook";
    private const string PushAnsweredSchema = "PushAnsweredWebhook";

    public static async Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        var options = context.ApplicationServices.GetRequiredService<WebhookOptions>();
        var window = options.RetryWindow;
        var retries = $"{options.MaxAttempts} tentatives sur {(window.TotalHours >= 1 ? $"{(int)window.TotalHours} h {window.Minutes:00}" : $"{Math.Max(1, (int)window.TotalMinutes)} min")} en tout";
        document.AddComponent<IOpenApiSchema>(ReferralEventSchema, await context.GetOrCreateSchemaAsync(typeof(WebhookPayload<ReferralEventData>), null, ct));
        document.AddComponent<IOpenApiSchema>(MailFailedSchema, await context.GetOrCreateSchemaAsync(typeof(WebhookPayload<MailFailedData>), null, ct));
        document.AddComponent<IOpenApiSchema>(PushAnsweredSchema, await context.GetOrCreateSchemaAsync(typeof(WebhookPayload<PushAnsweredData>), null, ct));
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag
        {
            Name = Tag,
            Description = "Ce que Passerelle envoie aux points d'accès de l'école (Passerelle École, Intégrations → Webhooks) : un POST JSON " +
                "par événement choisi, signé selon Standard Webhooks, dans l'ordre pour chaque mise en relation, renvoyé avec un délai " +
                $"croissant ({retries}) tant que la réponse n'est pas 2xx.",
        });
        document.Webhooks = new Dictionary<string, IOpenApiPathItem>();
        foreach (var (type, label) in WebhookEvents.Types)
        {
            var (schema, example) = type switch
            {
                WebhookEvents.MailFailed => (MailFailedSchema, MailFailedExample()),
                WebhookEvents.PushAnswered => (PushAnsweredSchema, PushAnsweredExample()),
                _ => (ReferralEventSchema, ReferralEventExample(type)),
            };
            var operation = new OpenApiOperation
            {
                OperationId = "Webhook_" + type.Replace('.', '_'),
                Summary = label,
                Description = $"Envoyé pour l'événement « {type} ». Vérifiez la signature avant de lire le corps, et refusez un webhook-timestamp " +
                    "vieux de plus de quelques minutes. Le même webhook-id revient à chaque nouvelle tentative : il sert à ignorer un doublon." +
                    (type == WebhookEvents.PushAnswered
                        ? " L'entreprise peut changer d'avis (ne pas donner suite, puis demander à rencontrer) : hors de toute mise en relation, " +
                          "ces envois ne suivent pas d'ordre ; answeredAt dit lequel est le dernier."
                        : ""),
                Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
                Parameters =
                [
                    Header("webhook-id", "L'identifiant de l'envoi (msg_…), le même à chaque tentative."),
                    Header("webhook-timestamp", "L'instant de la tentative, en secondes depuis le 01/01/1970 (UTC)."),
                    Header("webhook-signature", "« v1,<base64 du HMAC-SHA256 de « webhook-id.webhook-timestamp.corps »> » avec le secret whsec_… " +
                        "(décodé de base64 après « whsec_ ») ; une signature de plus (séparée d'une espace) pour chaque secret remplacé depuis moins de 24 heures, après un renouvellement du secret."),
                ],
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new OpenApiMediaType
                        {
                            Schema = new OpenApiSchemaReference(schema, document),
                            Example = example,
                        },
                    },
                },
                Responses = new OpenApiResponses
                {
                    ["2XX"] = new OpenApiResponse { Description = "Reçu : l'envoi est marqué réussi (le corps de la réponse est ignoré)." },
                    ["4XX"] = new OpenApiResponse { Description = "Refusé : l'envoi est retenté plus tard, puis marqué en échec après la dernière tentative." },
                    ["5XX"] = new OpenApiResponse { Description = $"En erreur (ou pas de réponse en {options.TimeoutSeconds} secondes) : retenté de même." },
                },
            };
            var item = new OpenApiPathItem();
            item.AddOperation(HttpMethod.Post, operation);
            document.Webhooks[type] = item;
        }
    }

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name, In = ParameterLocation.Header, Required = true, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    /// <summary>
    /// What an endpoint receives for this event type: the workflow itself (<see cref="Referral"/>) played in memory up to an event
    /// of that kind, then the sender's own mapping. The example's stage, sequence, actor and answer are those a real referral
    /// carries; a path the workflow refuses, or that ends on another kind of event, fails the document's generation.
    /// </summary>
    private static JsonNode ReferralEventExample(string type)
    {
        var kind = Enum.GetValues<ReferralEventKind>().Single(k => WebhookEvents.TypeOf(k) == type);
        var (referral, @event) = Play(kind);
        if (@event.Kind != kind)
            throw new InvalidOperationException($"The webhook example of {kind} ends on {@event.Kind}.");
        @event.ReferralId = ReferralId; // the same in every example and in every generation of the document
        return JsonSerializer.SerializeToNode(WebhookEvents.Payload(@event, referral.Stage, referral.CandidateId, referral.JobOfferId, referral.ContactId), ApiJson.Options)!;
    }

    private static readonly Guid SchoolId = new("0193a1ee-0000-7000-8000-00000000000e");
    private static readonly Guid StaffId = new("0193a1ef-0000-7000-8000-00000000000f");
    private static readonly Guid CandidateId = new("0193a1f0-5c1e-7b6a-9d2e-3f4a5b6c7d8e");
    private static readonly Guid OfferId = new("0193a1f1-0000-7000-8000-000000000001");
    private static readonly Guid ContactId = new("0193a1f2-0000-7000-8000-000000000002");
    private static readonly Guid OtherContactId = new("0193a1f3-0000-7000-8000-000000000003");
    private static readonly Guid ReferralId = new("0193a1f4-0000-7000-8000-000000000004");
    private static readonly DateTimeOffset At = new(2027, 1, 5, 9, 30, 0, TimeSpan.Zero);

    /// <summary>A referral proposed by the school, then answered a day apart by each party in turn, up to an event of <paramref name="kind"/>.</summary>
    private static (Referral Referral, ReferralEvent Event) Play(ReferralEventKind kind)
    {
        var school = Actor.Staff(StaffId, "MARTIN Benoît");
        var candidate = Actor.Candidate(CandidateId, "TECHER Margaud");
        var company = Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.Portal);
        var appointment = new Appointment(new DateTimeOffset(2027, 1, 12, 13, 30, 0, TimeSpan.Zero), "12 rue des Écoles, Bordeaux", null);
        var now = At;
        if (kind == ReferralEventKind.ProposedFromPush)
        {
            var (pushed, result) = Referral.FromPush(SchoolId, CandidateId, OfferId, ContactId, [], StaffId, "MARTIN Benoît",
                At.AddDays(-3), At.AddDays(-2), appointment, company, At);
            return (pushed ?? throw Refused(result), result.Events[0]);
        }

        Func<Referral, TransitionResult> acceptOffer = r => r.AnswerOffer(OfferAnswer.Accepted, candidate, now);
        Func<Referral, TransitionResult> acceptCandidate = r => r.AnswerCandidate(CompanyAnswer.Accepted, appointment, company, now);
        Func<Referral, TransitionResult> acceptAppointment = r => r.AnswerAppointment(AppointmentAnswer.Accepted, candidate, now);
        Func<Referral, TransitionResult>[] path = kind switch
        {
            ReferralEventKind.Proposed => [],
            ReferralEventKind.OfferAccepted => [acceptOffer],
            ReferralEventKind.OfferDeclined => [r => r.AnswerOffer(OfferAnswer.Declined, candidate, now, "J'ai trouvé une autre alternance.")],
            ReferralEventKind.ContactChanged => [acceptOffer, r => r.Reassign(OtherContactId, "GARCIA Paul", school, now)],
            ReferralEventKind.CandidateRefused => [acceptOffer, r => r.AnswerCandidate(CompanyAnswer.Refused, null, company, now, refusalReason: "Poste pourvu")],
            ReferralEventKind.CandidateAccepted => [acceptOffer, acceptCandidate],
            ReferralEventKind.AppointmentChanged =>
                [acceptOffer, acceptCandidate, r => r.AnswerCandidate(CompanyAnswer.Accepted, appointment with { StartsAt = appointment.StartsAt.AddDays(1) }, company, now)],
            ReferralEventKind.AppointmentAccepted => [acceptOffer, acceptCandidate, acceptAppointment],
            ReferralEventKind.AppointmentDeclined => [acceptOffer, acceptCandidate, r => r.AnswerAppointment(AppointmentAnswer.Declined, candidate, now)],
            ReferralEventKind.Recruited or ReferralEventKind.NotRetained =>
                [acceptOffer, acceptCandidate, acceptAppointment,
                    r => r.RecordOutcome(kind == ReferralEventKind.Recruited ? Outcome.Recruited : Outcome.NotRetained, company, r.AppointmentStartsAt!.Value.AddHours(2))],
            _ => [r => r.Cancel("Offre pourvue", school, now)],
        };
        var (referral, last) = Referral.Propose(SchoolId, CandidateId, OfferId, offerIsActive: true, ContactId, [], school, StaffId, now);
        foreach (var step in path)
        {
            now = now.AddDays(1);
            last = step(referral ?? throw Refused(last));
        }
        return (referral ?? throw Refused(last), last.Event ?? throw Refused(last));

        InvalidOperationException Refused(TransitionResult result) =>
            new($"The workflow refuses the webhook example of {kind}: {result.Refusal?.Message}");
    }

    /// <summary>A company that does not follow up on a pushed profile, in the portal (the pushed profile's own rule, in memory).</summary>
    private static JsonNode PushAnsweredExample()
    {
        var push = new CvPushes.CvPush { Id = new Guid("0193a1f6-0000-7000-8000-000000000006"), SchoolId = SchoolId, ContactId = ContactId, CreatedAt = At };
        var profile = CvPushes.PushedProfile.Create(push, CandidateId, []);
        profile.Id = new Guid("0193a1f7-0000-7000-8000-000000000007");
        var company = Actor.Contact(ContactId, "LEFEBVRE Sophie", Channel.Portal);
        if (profile.Decline(company, "Profil trop junior pour ce poste", At.AddDays(2)) is { } refused)
            throw new InvalidOperationException($"The pushed profile refuses the webhook example: {refused.Message}");
        return JsonSerializer.SerializeToNode(WebhookEvents.Payload(profile, company), ApiJson.Options)!;
    }

    private static JsonNode MailFailedExample()
    {
        var mail = new OutboxMessage
        {
            Id = new Guid("0193a1f5-0000-7000-8000-000000000005"), TemplateKey = TemplateKeys.OfferToCandidate, ReferralId = ReferralId,
            Recipient = Recipient.Candidate, Attempts = 10,
        };
        return JsonSerializer.SerializeToNode(WebhookEvents.Payload(mail, "550 5.1.1 <margaud.techer@example.org>: adresse inconnue", At), ApiJson.Options)!;
    }
}
