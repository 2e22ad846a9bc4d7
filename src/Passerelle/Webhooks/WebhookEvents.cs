using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Passerelle.Api;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Webhooks;

/// <summary>What a referral event's webhook says: the event, and where the referral stands after it.</summary>
public sealed record ReferralEventData(
    Guid ReferralId, int Sequence, ReferralEventKind Kind, DateTimeOffset OccurredAt, ReferralStage? Stage, Guid? CandidateId, Guid? OfferId, Guid? ContactId,
    ActorKind ActorKind, string ActorName, Channel Channel, Party? OnBehalfOf, string Text, DateTimeOffset? AppointmentStartsAt, string? AppointmentLocation,
    string? Comment, string? Reason);

/// <summary>What a mail failure's webhook says.</summary>
public sealed record MailFailedData(Guid MailId, string TemplateKey, Guid? ReferralId, Recipient Recipient, int Attempts, string? Error, DateTimeOffset FailedAt);

/// <summary>What a push answer's webhook says: the pushed profile as the company's answer left it.</summary>
public sealed record PushAnsweredData(
    Guid PushId, Guid PushedProfileId, Guid CandidateId, Guid ContactId, CvPushes.PushedProfileState State, DateTimeOffset AnsweredAt,
    string ActorName, Channel Channel, string? DeclineReason,
    [property: System.ComponentModel.Description("La mise en relation créée quand l'entreprise demande à rencontrer le candidat : ses événements (referral.*) sont envoyés aussi, sans ordre par rapport à celui-ci.")] Guid? ReferralId);

/// <summary>A webhook's body, as Standard Webhooks shapes it: the type, when, and the data.</summary>
public sealed record WebhookPayload<T>(string Type, DateTimeOffset Timestamp, T Data);

/// <summary>
/// The events a school's endpoints may receive, and their deliveries, added to the very save that adds the events
/// (<see cref="PasserelleDb"/> calls <see cref="AddDeliveries"/> on every save): whatever path a referral event takes — an
/// e-mail link, a portal, the back-office, the API, a push — its webhooks are written in its transaction, or not at all.
/// </summary>
public static class WebhookEvents
{
    public const string MailFailed = "mail.failed";
    public const string PushAnswered = "push.profile_answered";

    /// <summary>"referral.offer_accepted" for <see cref="ReferralEventKind.OfferAccepted"/>.</summary>
    public static string TypeOf(ReferralEventKind kind) => "referral." + JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    /// <summary>Every event type, with what it means in French (the Intégrations page's choices).</summary>
    public static IReadOnlyList<(string Type, string Label)> Types { get; } =
    [
        .. Enum.GetValues<ReferralEventKind>().Select(kind => (TypeOf(kind), TimelineText.Answer(kind, null, null))),
        (PushAnswered, "Réponse d'une entreprise à un profil proposé (push CV)"),
        (MailFailed, "E-mail en échec définitif"),
    ];

    /// <summary>Adds the deliveries of the referral events this save adds, for the endpoints of their school that want them.</summary>
    internal static async Task AddDeliveriesAsync(PasserelleDb db, CancellationToken ct)
    {
        if (AddedEvents(db) is not { } events)
            return;
        var endpoints = new List<WebhookEndpoint>();
        foreach (var schoolId in events.Select(e => e.SchoolId).Distinct().Where(id => id != db.SchoolWithoutWebhookEndpoints))
            endpoints.AddRange(await SchoolEndpoints.For(db)(db, schoolId).ToListAsync(ct));
        AddDeliveries(db, events, endpoints);
    }

    /// <summary>A school's endpoints that are on: read by every save that adds events (every answer), so translated once.</summary>
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, IAsyncEnumerable<WebhookEndpoint>>> SchoolEndpoints = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid schoolId) => db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().Where(e => e.SchoolId == schoolId && e.DisabledAt == null)));

    /// <summary>The same for a save without await (<c>SaveChanges()</c>).</summary>
    internal static void AddDeliveries(PasserelleDb db)
    {
        if (AddedEvents(db) is { } events)
            AddDeliveries(db, events, [.. EndpointsOf(db, events)]);
    }

    private static List<ReferralEvent>? AddedEvents(PasserelleDb db) =>
        db.ChangeTracker.Entries<ReferralEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList() is { Count: > 0 } events
            ? events
            : null;

    private static IQueryable<WebhookEndpoint> EndpointsOf(PasserelleDb db, List<ReferralEvent> events)
    {
        var schools = events.Select(e => e.SchoolId).Distinct().ToList();
        return db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().Where(e => schools.Contains(e.SchoolId) && e.DisabledAt == null);
    }

    private static void AddDeliveries(PasserelleDb db, List<ReferralEvent> events, List<WebhookEndpoint> endpoints)
    {
        if (endpoints.Count == 0)
            return;
        var referrals = db.ChangeTracker.Entries<Referral>().Select(r => r.Entity).ToDictionary(r => r.Id);
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            var type = TypeOf(e.Kind);
            var wanting = endpoints.Where(endpoint => endpoint.SchoolId == e.SchoolId && endpoint.Wants(type)).ToList();
            if (wanting.Count == 0)
                continue;
            var referral = referrals.GetValueOrDefault(e.ReferralId);
            var payload = JsonSerializer.Serialize(Payload(e, referral?.Stage, referral?.CandidateId, referral?.JobOfferId, referral?.ContactId), ApiJson.Options);
            foreach (var endpoint in wanting)
                db.WebhookDeliveries.Add(New(endpoint, type, e.ReferralId, e.Sequence, payload, e.OccurredAt));
        }
    }

    /// <summary>What an endpoint receives for a referral event: the event, and where its referral stands after the save.</summary>
    internal static WebhookPayload<ReferralEventData> Payload(ReferralEvent e, ReferralStage? stage, Guid? candidateId, Guid? offerId, Guid? contactId) =>
        new(TypeOf(e.Kind), e.OccurredAt, new ReferralEventData(
            e.ReferralId, e.Sequence, e.Kind, e.OccurredAt, stage, candidateId, offerId, contactId,
            e.ActorKind, e.ActorName, e.Channel, e.OnBehalfOf, TimelineText.Answer(e.Kind, e.AppointmentStartsAt, e.AppointmentLocation),
            e.AppointmentStartsAt, e.AppointmentLocation, e.Comment, e.Reason));

    /// <summary>What an endpoint receives for a mail given up.</summary>
    internal static WebhookPayload<MailFailedData> Payload(OutboxMessage message, string error, DateTimeOffset failedAt) =>
        new(MailFailed, failedAt, new MailFailedData(message.Id, message.TemplateKey, message.ReferralId, message.Recipient, message.Attempts, error, failedAt));

    /// <summary>The deliveries telling the school's endpoints that a mail failed for good (added to the context, not saved).</summary>
    internal static Task AddMailFailedAsync(PasserelleDb db, OutboxMessage message, string error, DateTimeOffset now, CancellationToken ct) =>
        message.SchoolId is { } schoolId ? AddAsync(db, schoolId, MailFailed, () => Payload(message, error, now), now, ct) : Task.CompletedTask;

    /// <summary>What an endpoint receives when a company answers a pushed profile.</summary>
    internal static WebhookPayload<PushAnsweredData> Payload(CvPushes.PushedProfile profile, Actor actor) =>
        new(PushAnswered, profile.AnsweredAt!.Value, new PushAnsweredData(profile.CvPushId, profile.Id, profile.CandidateId, profile.ContactId, profile.State,
            profile.AnsweredAt.Value, actor.DisplayName, actor.Channel, profile.DeclineReason, profile.ReferralId));

    /// <summary>The deliveries telling the school's endpoints that a company answered a pushed profile (added to the answer's save).</summary>
    internal static Task AddPushAnsweredAsync(PasserelleDb db, CvPushes.PushedProfile profile, Actor actor, CancellationToken ct) =>
        AddAsync(db, profile.SchoolId, PushAnswered, () => Payload(profile, actor), profile.AnsweredAt!.Value, ct);

    /// <summary>
    /// A stored body without the free text the candidate's erasure forgets, as it forgets it in the rows: a referral event's
    /// comment and reason, a push answer's reason.
    /// </summary>
    internal static string WithoutFreeText(string payload)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(payload)!;
        if (body["data"] is System.Text.Json.Nodes.JsonObject data)
            foreach (var field in (string[])["comment", "reason", "declineReason"])
                if (data.ContainsKey(field))
                    data[field] = null;
        return body.ToJsonString(ApiJson.Options);
    }

    /// <summary>An event outside a referral's timeline, for the school's endpoints that want its type: in no referral's order.</summary>
    private static async Task AddAsync<T>(PasserelleDb db, Guid schoolId, string type, Func<WebhookPayload<T>> payload, DateTimeOffset at, CancellationToken ct)
    {
        var endpoints = await SchoolEndpoints.For(db)(db, schoolId).ToListAsync(ct);
        if (endpoints.Count == 0)
            db.SchoolWithoutWebhookEndpoints = schoolId; // the save's referral events (a meeting's) need not look again
        var wanting = endpoints.Where(e => e.Wants(type)).ToList();
        if (wanting.Count == 0)
            return;
        var body = JsonSerializer.Serialize(payload(), ApiJson.Options);
        foreach (var endpoint in wanting)
            db.WebhookDeliveries.Add(New(endpoint, type, null, 0, body, at));
    }

    private static WebhookDelivery New(WebhookEndpoint endpoint, string type, Guid? referralId, int sequence, string payload, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at), SchoolId = endpoint.SchoolId, EndpointId = endpoint.Id, EventType = type, ReferralId = referralId,
        EventSequence = sequence, Payload = payload, CreatedAt = at, State = WebhookDeliveryState.Pending, NextAttemptAt = at,
    };
}
