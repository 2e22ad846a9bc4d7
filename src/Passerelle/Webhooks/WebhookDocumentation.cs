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

    public static async Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.AddComponent<IOpenApiSchema>(ReferralEventSchema, await context.GetOrCreateSchemaAsync(typeof(WebhookPayload<ReferralEventData>), null, ct));
        document.AddComponent<IOpenApiSchema>(MailFailedSchema, await context.GetOrCreateSchemaAsync(typeof(WebhookPayload<MailFailedData>), null, ct));
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag
        {
            Name = Tag,
            Description = "Ce que Passerelle envoie aux points d'accès de l'école (Passerelle École, Intégrations → Webhooks) : un POST JSON " +
                "par événement choisi, signé selon Standard Webhooks, dans l'ordre pour chaque mise en relation, renvoyé avec un délai " +
                "croissant (30 s, 1 min, 2 min… jusqu'à 6 h, 10 tentatives) tant que la réponse n'est pas 2xx.",
        });
        document.Webhooks = new Dictionary<string, IOpenApiPathItem>();
        foreach (var (type, label) in WebhookEvents.Types)
        {
            var mailFailed = type == WebhookEvents.MailFailed;
            var operation = new OpenApiOperation
            {
                OperationId = "Webhook_" + type.Replace('.', '_'),
                Summary = label,
                Description = $"Envoyé pour l'événement « {type} ». Vérifiez la signature avant de lire le corps, et refusez un webhook-timestamp " +
                    "vieux de plus de quelques minutes. Le même webhook-id revient à chaque nouvelle tentative : il sert à ignorer un doublon.",
                Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
                Parameters =
                [
                    Header("webhook-id", "L'identifiant de l'envoi (msg_…), le même à chaque tentative."),
                    Header("webhook-timestamp", "L'instant de la tentative, en secondes depuis le 01/01/1970 (UTC)."),
                    Header("webhook-signature", "« v1,<base64 du HMAC-SHA256 de « webhook-id.webhook-timestamp.corps »> » avec le secret whsec_… " +
                        "(décodé de base64 après « whsec_ ») ; deux signatures séparées d'une espace pendant les 24 heures qui suivent un renouvellement du secret."),
                ],
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new OpenApiMediaType
                        {
                            Schema = new OpenApiSchemaReference(mailFailed ? MailFailedSchema : ReferralEventSchema, document),
                            Example = mailFailed ? MailFailedExample() : ReferralEventExample(type),
                        },
                    },
                },
                Responses = new OpenApiResponses
                {
                    ["2XX"] = new OpenApiResponse { Description = "Reçu : l'envoi est marqué réussi (le corps de la réponse est ignoré)." },
                    ["4XX"] = new OpenApiResponse { Description = "Refusé : l'envoi est retenté plus tard, puis marqué en échec après la dernière tentative." },
                    ["5XX"] = new OpenApiResponse { Description = "En erreur (ou pas de réponse en 10 secondes) : retenté de même." },
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

    private static readonly Guid ReferralId = new("0193a1f4-0000-7000-8000-000000000004");
    private static readonly DateTimeOffset At = new(2027, 1, 5, 9, 30, 0, TimeSpan.Zero);

    /// <summary>What an endpoint receives for this event type: the event, and where the referral stands after it.</summary>
    private static JsonNode ReferralEventExample(string type)
    {
        var kind = Enum.GetValues<ReferralEventKind>().Single(k => WebhookEvents.TypeOf(k) == type);
        var appointment = kind is ReferralEventKind.CandidateAccepted or ReferralEventKind.AppointmentChanged;
        DateTimeOffset? startsAt = appointment ? new DateTimeOffset(2027, 1, 12, 13, 30, 0, TimeSpan.Zero) : null;
        var location = appointment ? "12 rue des Écoles, Bordeaux" : null;
        var (actor, actorName, channel) = kind switch
        {
            ReferralEventKind.OfferAccepted or ReferralEventKind.OfferDeclined or ReferralEventKind.AppointmentAccepted or ReferralEventKind.AppointmentDeclined =>
                (ActorKind.Candidate, "TECHER Margaud", Channel.EmailLink),
            ReferralEventKind.CandidateAccepted or ReferralEventKind.AppointmentChanged or ReferralEventKind.CandidateRefused
                or ReferralEventKind.Recruited or ReferralEventKind.NotRetained => (ActorKind.CompanyContact, "LEFEBVRE Sophie", Channel.Portal),
            _ => (ActorKind.Staff, "MARTIN Benoît", Channel.SchoolBackOffice),
        };
        var stage = kind switch
        {
            ReferralEventKind.Proposed => ReferralStage.AwaitingCandidate,
            ReferralEventKind.OfferAccepted or ReferralEventKind.ContactChanged => ReferralStage.AwaitingCompany,
            ReferralEventKind.OfferDeclined => ReferralStage.OfferDeclined,
            ReferralEventKind.CandidateAccepted or ReferralEventKind.AppointmentChanged or ReferralEventKind.ProposedFromPush => ReferralStage.AwaitingAppointmentAnswer,
            ReferralEventKind.CandidateRefused => ReferralStage.CompanyRefused,
            ReferralEventKind.AppointmentAccepted => ReferralStage.AwaitingOutcome,
            ReferralEventKind.AppointmentDeclined => ReferralStage.AppointmentDeclined,
            ReferralEventKind.Recruited => ReferralStage.Recruited,
            ReferralEventKind.NotRetained => ReferralStage.NotRetained,
            _ => ReferralStage.Cancelled,
        };
        // The sender's own mapping, on an event made up for the example.
        var example = new ReferralEvent
        {
            ReferralId = ReferralId, Sequence = 2, Kind = kind, OccurredAt = At, ActorKind = actor, ActorName = actorName, Channel = channel,
            AppointmentStartsAt = startsAt, AppointmentLocation = location, Reason = kind == ReferralEventKind.Cancelled ? "Offre pourvue" : null,
        };
        var payload = WebhookEvents.Payload(example, stage, new Guid("0193a1f2-0000-7000-8000-000000000002"),
            new Guid("0193a1f0-5c1e-7b6a-9d2e-3f4a5b6c7d8e"), new Guid("0193a1f1-0000-7000-8000-000000000001"));
        return JsonSerializer.SerializeToNode(payload, ApiJson.Options)!;
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
