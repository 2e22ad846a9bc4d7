using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Email;
using Passerelle.Storage;
using Passerelle.Tests.Api;
using Passerelle.Tests.Infrastructure;
using Passerelle.Webhooks;

namespace Passerelle.Tests.Webhooks;

/// <summary>
/// Webhooks through a real receiver (Python, checking the Standard Webhooks signature with its own hmac): every referral
/// event, in order per referral, nothing lost while the receiver is down, mail failures, rotation, a slow receiver.
/// </summary>
[Trait(Category.Name, Category.Process)]
public sealed class WebhookTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    private static Task<ApiWorld> WorldAsync(DatabaseProvider provider, params (string, string)[] more) =>
        ApiWorld.CreateAsync(provider, [("Webhooks:AllowLoopback", "true"), ("Webhooks:RetryBaseSeconds", "60"), .. more]);

    private static async Task<(Guid Id, string Secret)> EndpointAsync(ApiWorld world, string url, params string[] events)
    {
        using var scope = world.App.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(world.School.School.Id);
        var (endpoint, secret, problem) = await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>()
            .AddAsync(url, events.Length == 0 ? [WebhookEndpoint.AllEvents] : events, "DURAND Claire", CancellationToken.None);
        problem.ShouldBeNull();
        return (endpoint!.Id, secret!);
    }

    private static async Task<int> PendingAsync(ApiWorld world)
    {
        await using var db = world.Db();
        return await db.WebhookDeliveries.CountAsync(d => d.State == WebhookDeliveryState.Pending);
    }

    private static Task<int> DispatchAsync(ApiWorld world) => world.App.Services.GetRequiredService<WebhookSender>().DispatchAllDueAsync();

    private static async Task<Guid> ReferralAsync(HttpClient client, ApiWorld world, Guid candidate) =>
        (await ApiWorld.PostAsync(client, "/api/v1/referrals",
            new { offerId = world.School.Offer.Id, contactId = world.School.Contact.Id, candidates = new[] { new { candidateId = candidate } } }))["referrals"]![0]!["id"]!.GetValue<Guid>();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_referral_event_reaches_the_endpoint_signed_and_in_order(DatabaseProvider provider)
    {
        await using var world = await WorldAsync(provider);
        await using var receiver = WebhookReceiver.OnFreePort();
        var (_, secret) = await EndpointAsync(world, receiver.Url);
        secret.ShouldStartWith(WebhookSigner.SecretPrefix);
        await receiver.StartAsync([secret]);
        using var client = world.Client();
        var id = await ReferralAsync(client, world, world.School.Candidate.Id);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "acceptOffer" }, 200);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new
        {
            party = "company", answer = "acceptCandidate", appointment = new { startsAt = Seed.Now.AddDays(7), location = "Bordeaux" },
        }, 200);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "declineAppointment", comment = "Indisponible" }, 200);
        await using (var db = world.Db())
            (await db.WebhookDeliveries.CountAsync()).ShouldBe(4, "each event's delivery was written with the event");

        (await DispatchAsync(world)).ShouldBe(4);
        var received = receiver.Received();
        received.Select(r => r["payload"]!["type"]!.GetValue<string>())
            .ShouldBe(["referral.proposed", "referral.offer_accepted", "referral.candidate_accepted", "referral.appointment_declined"]);
        received.ShouldAllBe(r => r["matched"]!.AsArray().Count == 1, "Python's hmac finds Passerelle's signature");
        received.ShouldAllBe(r => r["contentType"]!.GetValue<string>() == "application/json; charset=utf-8");
        received.ShouldAllBe(r => r["id"]!.GetValue<string>().StartsWith("msg_", StringComparison.Ordinal));
        var accepted = received[2]["payload"]!["data"]!;
        accepted["referralId"]!.GetValue<Guid>().ShouldBe(id);
        accepted["sequence"]!.GetValue<int>().ShouldBe(3);
        accepted["kind"]!.GetValue<string>().ShouldBe("candidateAccepted");
        accepted["actorName"]!.GetValue<string>().ShouldBe("ERP (API)");
        accepted["onBehalfOf"]!.GetValue<string>().ShouldBe("company");
        accepted["appointmentLocation"]!.GetValue<string>().ShouldBe("Bordeaux");
        received[3]["payload"]!["data"]!["comment"]!.GetValue<string>().ShouldBe("Indisponible");
        received[3]["payload"]!["data"]!["stage"]!.GetValue<string>().ShouldBe("appointmentDeclined");
        // What was sent is what the OpenAPI document describes: its type is one of the document's webhooks, its fields the schema's.
        using var anonymous = world.App.CreateClient();
        var document = await ApiWorld.GetAsync(anonymous, "/openapi/v1.json");
        foreach (var payload in received.Select(r => r["payload"]!))
        {
            var type = payload["type"]!.GetValue<string>();
            var schema = document["webhooks"]![type]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1];
            payload.AsObject().Select(f => f.Key).ShouldBe(["type", "timestamp", "data"], type);
            payload["data"]!.AsObject().Select(f => f.Key).ShouldBe(
                document["components"]!["schemas"]![schema]!["properties"]!["data"]!["properties"]!.AsObject().Select(f => f.Key), ignoreOrder: true, type);
            // Its example stands where the referral stood: the same stage after the event, the same place in the timeline.
            var example = document["webhooks"]![type]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!["data"]!;
            (example["stage"]!.GetValue<string>(), example["sequence"]!.GetValue<int>(), example["kind"]!.GetValue<string>())
                .ShouldBe((payload["data"]!["stage"]!.GetValue<string>(), payload["data"]!["sequence"]!.GetValue<int>(), payload["data"]!["kind"]!.GetValue<string>()), type);
        }
        await using (var db = world.Db())
        {
            var deliveries = await db.WebhookDeliveries.ToListAsync();
            deliveries.ShouldAllBe(d => d.State == WebhookDeliveryState.Sent && d.LastStatus == 204 && d.LastDurationMs != null && d.Attempts == 1);
        }
        (await DispatchAsync(world)).ShouldBe(0, "nothing is sent twice");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_company_answering_a_pushed_profile_reaches_the_endpoint_with_the_referral_it_opens(DatabaseProvider provider)
    {
        await using var world = await WorldAsync(provider);
        await using var receiver = WebhookReceiver.OnFreePort();
        var (_, secret) = await EndpointAsync(world, receiver.Url);
        await receiver.StartAsync([secret]);
        var s = world.School;
        await using (var db = world.Db())
        {
            await db.Schools.Where(x => x.Id == s.School.Id).ExecuteUpdateAsync(set => set.SetProperty(x => x.PushCvEnabled, true));
            await db.Candidates.Where(c => c.Id == s.Candidate.Id).ExecuteUpdateAsync(set => set.SetProperty(c => c.PushConsentAt, Seed.Now.AddDays(-1)));
            await db.Schools.Where(x => x.Id == s.School.Id).ExecuteUpdateAsync(set => set.SetProperty(x => x.RefusalReasons, "Profil trop junior"));
        }
        using var client = world.Client();
        var pushed = (await ApiWorld.PostAsync(client, "/api/v1/pushes", new { profiles = new[] { new { candidateId = s.Candidate.Id } }, contactIds = new[] { s.Contact.Id } }))
            ["pushes"]![0]!["profiles"]![0]!["id"]!.GetValue<Guid>();
        var company = Passerelle.Referrals.Actor.Contact(s.Contact.Id, "LEFEBVRE Sophie", Passerelle.Referrals.Channel.Portal);
        async Task AnswerAsync(Passerelle.Referrals.Answer answer)
        {
            using var scope = world.App.Services.CreateScope();
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(s.School.Id);
            (await scope.ServiceProvider.GetRequiredService<Passerelle.CvPushes.CvPushActions>().AnswerAsync(pushed, company, answer, null)).Refusal.ShouldBeNull();
        }

        // "Ne pas donner suite", then a change of mind: "Je souhaite rencontrer ce candidat", which opens a referral.
        await AnswerAsync(new Passerelle.Referrals.Answer.RefuseCandidate(Reason: "Profil trop junior"));
        (await DispatchAsync(world)).ShouldBe(1);
        world.Clock.Now = Seed.Now.AddHours(1);
        await AnswerAsync(new Passerelle.Referrals.Answer.MeetCandidate(new Passerelle.Referrals.Appointment(Seed.Now.AddDays(4), "Bordeaux", "Venez avec votre book"), s.Offer.Id));
        (await DispatchAsync(world)).ShouldBe(3);

        var received = receiver.Received();
        received.Select(r => r["payload"]!["type"]!.GetValue<string>())
            .ShouldBe(["push.profile_answered", "push.profile_answered", "referral.proposed_from_push", "referral.candidate_accepted"], ignoreOrder: true);
        received.ShouldAllBe(r => r["matched"]!.AsArray().Count == 1, "Python's hmac finds Passerelle's signature");
        var answers = received.Select(r => r["payload"]!).Where(p => p["type"]!.GetValue<string>() == "push.profile_answered")
            .OrderBy(p => p["data"]!["answeredAt"]!.GetValue<DateTimeOffset>()).ToList();
        (answers[0]["data"]!["state"]!.GetValue<string>(), answers[0]["data"]!["referralId"], answers[0]["data"]!["actorName"]!.GetValue<string>(), answers[0]["data"]!["channel"]!.GetValue<string>())
            .ShouldBe(("notFollowedUp", (JsonNode?)null, "LEFEBVRE Sophie", "portal"));
        answers[1]["data"]!["state"]!.GetValue<string>().ShouldBe("meetingAsked");
        var referralId = answers[1]["data"]!["referralId"]!.GetValue<Guid>();
        received.Where(r => r["payload"]!["type"]!.GetValue<string>().StartsWith("referral.", StringComparison.Ordinal))
            .ShouldAllBe(r => r["payload"]!["data"]!["referralId"]!.GetValue<Guid>() == referralId);
        answers.ShouldAllBe(a => a["data"]!["pushedProfileId"]!.GetValue<Guid>() == pushed && a["data"]!["candidateId"]!.GetValue<Guid>() == s.Candidate.Id);

        // What was sent is what the document describes, example included.
        using var anonymous = world.App.CreateClient();
        var document = await ApiWorld.GetAsync(anonymous, "/openapi/v1.json");
        var body = document["webhooks"]!["push.profile_answered"]!["post"]!["requestBody"]!["content"]!["application/json"]!;
        var schema = body["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1];
        var fields = document["components"]!["schemas"]![schema]!["properties"]!["data"]!["properties"]!.AsObject().Select(f => f.Key).ToList();
        answers[0]["data"]!.AsObject().Select(f => f.Key).ShouldBe(fields, ignoreOrder: true);
        body["example"]!["data"]!.AsObject().Select(f => f.Key).ShouldBe(fields, ignoreOrder: true);
        body["example"]!["data"]!["state"]!.GetValue<string>().ShouldBe("notFollowedUp");
        answers[0]["data"]!["declineReason"]!.GetValue<string>().ShouldBe("Profil trop junior");
        received.Single(r => r["payload"]!["type"]!.GetValue<string>() == "referral.candidate_accepted")["payload"]!["data"]!["comment"]!.GetValue<string>()
            .ShouldBe("Venez avec votre book");

        // Erasures reach what is sent outside any referral too: the candidate's takes the company's reason, the contact's their name.
        using (var scope = world.App.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(s.School.Id);
            (await scope.ServiceProvider.GetRequiredService<Passerelle.PersonalData.Erasure>()
                .EraseCandidateAsync(s.Candidate.Id, s.StaffActor(), s.Staff.Id, CancellationToken.None)).ShouldNotBeNull();
        }
        await using (var db = world.Db())
            await db.SchoolContacts.Where(l => l.ContactId == s.Contact.Id).ExecuteUpdateAsync(set => set.SetProperty(l => l.DeactivatedAt, Seed.Now));
        using (var scope = world.App.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(s.School.Id);
            (await scope.ServiceProvider.GetRequiredService<Passerelle.PersonalData.AccountErasure>().EraseContactAsync(s.Contact.Id, CancellationToken.None)).ShouldBeTrue();
        }
        await using (var db = world.Db())
        {
            var stored = await db.WebhookDeliveries.Where(d => d.EventType == WebhookEvents.PushAnswered).Select(d => d.Payload).ToListAsync();
            stored.Count.ShouldBe(2);
            stored.ShouldAllBe(p => !p.Contains("Profil trop junior") && !p.Contains("LEFEBVRE", StringComparison.OrdinalIgnoreCase) && !p.Contains("Sophie"));
            stored.ShouldAllBe(p => JsonNode.Parse(p, null, default)!["data"]!["pushedProfileId"]!.GetValue<Guid>() == pushed, "the rest stays");
            // The referral's events lose their free text in the payloads as in the timeline; the appointment stays.
            var events = await db.WebhookDeliveries.Where(d => d.EventType.StartsWith("referral.")).Select(d => d.Payload).ToListAsync();
            events.Count.ShouldBeGreaterThan(2, "the two above, and the erasure's cancellation");
            events.ShouldAllBe(p => !p.Contains("Venez avec votre book"));
            events.ShouldContain(p => p.Contains("Bordeaux"));
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_receiver_down_then_back_loses_nothing_and_gets_each_referrals_events_in_order(DatabaseProvider provider)
    {
        await using var world = await WorldAsync(provider);
        await using var receiver = WebhookReceiver.OnFreePort();
        var (_, secret) = await EndpointAsync(world, receiver.Url);
        using var client = world.Client();
        var other = (await ApiWorld.PostAsync(client, "/api/v1/candidates", new { lastName = "Autre", firstName = "A", email = "a@example.org" }))["id"]!.GetValue<Guid>();
        receiver.Down = true;
        await receiver.StartAsync([secret]);
        var first = await ReferralAsync(client, world, world.School.Candidate.Id);
        var second = await ReferralAsync(client, world, other);

        // Down: every attempt fails and is scheduled again; the later events of a referral wait behind its first.
        (await DispatchAsync(world)).ShouldBe(2);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{first}/answers", new { party = "candidate", answer = "acceptOffer" }, 200);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{first}/answers", new { party = "candidate", answer = "declineOffer" }, 200);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{second}/answers", new { party = "candidate", answer = "declineOffer" }, 200);
        world.Clock.Now = Seed.Now.AddMinutes(5);
        (await DispatchAsync(world)).ShouldBe(2, "only the first event of each referral is tried: the others wait behind it");
        await using (var db = world.Db())
        {
            var waiting = await db.WebhookDeliveries.Where(d => d.Attempts > 0).ToListAsync();
            waiting.Count.ShouldBe(2);
            waiting.ShouldAllBe(d => d.State == WebhookDeliveryState.Pending && d.Attempts == 2 && d.LastStatus == 503 && d.LastError == "Réponse HTTP 503.");
        }

        // Back: what waited goes, each referral's events in order (a connection that fails on the way is simply tried again).
        receiver.Down = false;
        for (var hour = 1; hour <= 5 && await PendingAsync(world) > 0; hour++)
        {
            world.Clock.Now = Seed.Now.AddHours(hour);
            await DispatchAsync(world);
        }
        var received = receiver.Received();
        await using (var db = world.Db())
        {
            var states = await db.WebhookDeliveries.Select(d => $"{d.EventSequence} {d.State} {d.Attempts} {d.LastStatus} {d.LastError}").ToListAsync();
            received.Count.ShouldBe(5, "nothing lost: " + string.Join(" | ", states));
        }
        received.ShouldAllBe(r => r["matched"]!.AsArray().Count == 1);
        foreach (var referral in new[] { first, second })
        {
            var sequences = received.Select(r => r["payload"]!["data"]!).Where(d => d["referralId"]!.GetValue<Guid>() == referral).Select(d => d["sequence"]!.GetValue<int>()).ToList();
            sequences.ShouldBe(sequences.Order().ToList(), "in order per referral");
        }
        received.Count(r => r["payload"]!["data"]!["referralId"]!.GetValue<Guid>() == first).ShouldBe(3);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_mail_that_fails_for_good_is_told_and_the_log_can_send_again(DatabaseProvider provider)
    {
        await using var world = await WorldAsync(provider, ("Email:Delivery", "Smtp"), ("Email:SmtpHost", "127.0.0.1"),
            ("Email:SmtpPort", AppProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Email:RetryHours", "0"),
            ("Email:SmtpTimeoutSeconds", "2"), ("Email:PublicBaseUrl", "https://passerelle.test"));
        await using var receiver = WebhookReceiver.OnFreePort();
        var (_, secret) = await EndpointAsync(world, receiver.Url, WebhookEvents.MailFailed);
        await receiver.StartAsync([secret]);
        using var client = world.Client();
        var id = await ReferralAsync(client, world, world.School.Candidate.Id);
        await world.App.Services.GetRequiredService<OutboxDelivery>().DispatchOnceAsync(CancellationToken.None);

        (await DispatchAsync(world)).ShouldBe(1, "the endpoint wants mail failures only");
        var failed = receiver.Received().ShouldHaveSingleItem()["payload"]!;
        failed["type"]!.GetValue<string>().ShouldBe("mail.failed");
        failed["data"]!["templateKey"]!.GetValue<string>().ShouldBe(Passerelle.Referrals.TemplateKeys.OfferToCandidate);
        failed["data"]!["referralId"]!.GetValue<Guid>().ShouldBe(id);
        failed["data"]!["recipient"]!.GetValue<string>().ShouldBe("candidate");

        // "Renvoyer" from the log: the same message again.
        Guid deliveryId;
        await using (var db = world.Db())
            deliveryId = (await db.WebhookDeliveries.SingleAsync()).Id;
        using (var scope = world.App.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(world.School.School.Id);
            (await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().ResendAsync(deliveryId, CancellationToken.None)).ShouldBeTrue();
        }
        (await DispatchAsync(world)).ShouldBe(1);
        var both = receiver.Received();
        both.Count.ShouldBe(2, "the first delivery and the resent one");
        both.Select(r => r["id"]!.GetValue<string>()).Distinct().ShouldHaveSingleItem("the same webhook-id, for the receiver to recognise it");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_secret_that_can_no_longer_be_read_fails_an_attempt_instead_of_holding_the_delivery(DatabaseProvider provider)
    {
        await using var world = await WorldAsync(provider);
        await using var receiver = WebhookReceiver.OnFreePort();
        var (endpointId, secret) = await EndpointAsync(world, receiver.Url);
        await receiver.StartAsync([secret]);
        await using (var db = world.Db())
        {
            // As after a loss of the data-protection keys: the stored secret no longer unprotects.
            await db.WebhookEndpoints.IgnoreQueryFilters().Where(e => e.Id == endpointId)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.Secret, "CfDJ8illisible"));
        }
        using var client = world.Client();
        await ReferralAsync(client, world, world.School.Candidate.Id);

        (await DispatchAsync(world)).ShouldBe(1);
        receiver.Received().ShouldBeEmpty("nothing unsigned is sent");
        await using var check = world.Db();
        var delivery = await check.WebhookDeliveries.IgnoreQueryFilters().SingleAsync();
        (delivery.State, delivery.LastError, delivery.LockedBy).ShouldBe(
            (WebhookDeliveryState.Pending, "Le secret de signature ne peut plus être lu : renouvelez-le dans Intégrations.", (string?)null));
        delivery.NextAttemptAt.ShouldBeGreaterThan(world.Clock.GetUtcNow(), "tried again later, counted towards the last attempt");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task After_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one(DatabaseProvider provider)
    {
        await using var world = await WorldAsync(provider);
        await using var receiver = WebhookReceiver.OnFreePort();
        var (endpointId, old) = await EndpointAsync(world, receiver.Url);
        string rotated;
        using (var scope = world.App.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(world.School.School.Id);
            rotated = (await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().RotateAsync(endpointId, CancellationToken.None))!;
        }
        rotated.ShouldNotBe(old);
        await receiver.StartAsync([old, rotated]);
        using var client = world.Client();
        var id = await ReferralAsync(client, world, world.School.Candidate.Id);
        await DispatchAsync(world);
        var during = receiver.Received().ShouldHaveSingleItem();
        during["signatures"]!.GetValue<int>().ShouldBe(2);
        during["matched"]!.AsArray().Select(m => m!.GetValue<int>()).ShouldBe([0, 1], "either secret verifies it");

        world.Clock.Now = Seed.Now.AddHours(25);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "acceptOffer" }, 200);
        await DispatchAsync(world);
        var after = receiver.Received()[1];
        after["signatures"]!.GetValue<int>().ShouldBe(1);
        after["matched"]!.AsArray().Select(m => m!.GetValue<int>()).ShouldBe([1], "only the new secret after 24 hours");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rotated_twice_in_a_day_every_secret_of_the_day_signs_until_a_day_after_the_last(DatabaseProvider provider)
    {
        // The admin rotates, loses the new secret before setting it up, rotates again: the receiver still holds the first one.
        await using var world = await WorldAsync(provider);
        await using var receiver = WebhookReceiver.OnFreePort();
        var (endpointId, original) = await EndpointAsync(world, receiver.Url);
        async Task<string> RotateAsync()
        {
            using var scope = world.App.Services.CreateScope();
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(world.School.School.Id);
            return (await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().RotateAsync(endpointId, CancellationToken.None))!;
        }
        var lost = await RotateAsync();
        world.Clock.Now = Seed.Now.AddHours(20);
        var latest = await RotateAsync();
        await receiver.StartAsync([original, lost, latest]);
        using var client = world.Client();
        var id = await ReferralAsync(client, world, world.School.Candidate.Id);
        world.Clock.Now = Seed.Now.AddHours(30);
        await DispatchAsync(world);
        receiver.Received().ShouldHaveSingleItem()["matched"]!.AsArray().Select(m => m!.GetValue<int>())
            .ShouldBe([0, 1, 2], "30 hours after the first rotation, the original secret still verifies");

        world.Clock.Now = Seed.Now.AddHours(45);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "acceptOffer" }, 200);
        await DispatchAsync(world);
        receiver.Received()[1]["matched"]!.AsArray().Select(m => m!.GetValue<int>()).ShouldBe([2], "only the latest, a day after it");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_slow_endpoint_holds_neither_the_api_nor_the_mail(DatabaseProvider provider)
    {
        // The API call and the mail below must both be done before the 10 s timeout ends the webhook's wait.
        await using var world = await WorldAsync(provider, ("Webhooks:TimeoutSeconds", "10"));
        await using var receiver = WebhookReceiver.OnFreePort();
        var (_, secret) = await EndpointAsync(world, receiver.Url);
        await receiver.StartAsync([secret], slowSeconds: 30);
        using var client = world.Client();
        var id = await ReferralAsync(client, world, world.School.Candidate.Id);

        var webhooks = DispatchAsync(world);
        await Task.Delay(300);
        webhooks.IsCompleted.ShouldBeFalse("the receiver is still thinking");
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "acceptOffer" }, 200);
        (await world.App.Services.GetRequiredService<OutboxDelivery>().DispatchOnceAsync(CancellationToken.None)).ShouldBeGreaterThan(0);
        webhooks.IsCompleted.ShouldBeFalse("the API answered and the mail went while the webhook waited");
        await webhooks;
        await using var db = world.Db();
        var first = await db.WebhookDeliveries.OrderBy(d => d.EventSequence).FirstAsync();
        (first.State, first.LastError).ShouldBe((WebhookDeliveryState.Pending, "Pas de réponse en 10 s."));
        first.LastDurationMs.ShouldNotBeNull("the time waited is logged for the admins");
        (await db.OutboxMessages.CountAsync(m => m.State == OutboxState.Sent)).ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("https://erp.ecole.example/passerelle", false, null)]
    [InlineData("http://erp.ecole.example/passerelle", false, "L'adresse doit commencer par https:// : les événements contiennent des données personnelles.")]
    [InlineData("https://127.0.0.1/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://localhost:8443/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://10.1.2.3/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://169.254.169.254/latest/meta-data", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://[fd00::1]/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://198.18.0.1/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://[64:ff9b::a00:1]/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://[2002:a00:1::]/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://[64:ff9b:1::a00:1]/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://[2001:0:a00:1::]/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://[::a00:1]/hooks", false, "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.")]
    [InlineData("https://[2a01:e0a::1]/hooks", false, null)]
    [InlineData("https://user:motdepasse@erp.example/hooks", false, "L'adresse ne peut contenir ni identifiants (utilisateur:mot de passe@) ni fragment (#…).")]
    [InlineData("ftp://erp.example/hooks", false, "L'adresse doit commencer par https:// : les événements contiennent des données personnelles.")]
    [InlineData("erp.example/hooks", false, "Indiquez l'adresse complète du point d'accès (https://…, 500 caractères au plus).")]
    [InlineData("http://127.0.0.1:8080/hooks", false, "L'adresse doit commencer par https:// : les événements contiennent des données personnelles.")]
    [InlineData("http://127.0.0.1:8080/hooks", true, null)]
    [InlineData("http://192.168.1.10/hooks", true, "L'adresse doit commencer par https:// : les événements contiennent des données personnelles.")]
    public void An_endpoint_is_https_and_public_loopback_http_only_where_allowed(string url, bool allowLoopback, string? problem) =>
        WebhookAddresses.UrlProblem(url, allowLoopback).ShouldBe(problem);

    [Fact]
    public void The_signature_follows_the_standard_webhooks_test_vector()
    {
        // The example of the Standard Webhooks specification (its reference libraries' tests use the same values).
        WebhookSigner.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
            """{"test": 2432232314}""").ShouldBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}

/// <summary>The webhooks part of the Intégrations page, through HTTP on both providers.</summary>
[Trait(Category.Name, Category.Smtp)]
public sealed class WebhookPageTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_adds_an_endpoint_sees_its_secret_once_rotates_it_follows_the_log_and_disables_it(DatabaseProvider provider)
    {
        await using var world = await Passerelle.Tests.CompanyPortal.PortalWorld.CreateAsync(provider);
        using var recruiter = await world.StaffClientAsync("demo.ecole");
        (await recruiter.GetAsync("/ecole/integrations")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var admin = await world.StaffClientAsync("demo.admin");
        var (_, page) = await Browserless.GetAsync(admin, "/ecole/integrations");
        page.Text().ShouldContain("Aucun point d'accès pour le moment.");
        var refused = await Browserless.SubmitAsync(admin, page, "Ajouter le point d'accès", new Dictionary<string, string>
        {
            ["EndpointUrl"] = "http://erp.passerelle-school.example/webhooks", ["Events"] = WebhookEndpoint.AllEvents,
        });
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(refused)).Text().ShouldContain("L'adresse doit commencer par https://");

        var added = await Browserless.SubmitAsync(admin, page, "Ajouter le point d'accès", new Dictionary<string, string>
        {
            ["EndpointUrl"] = "https://erp.passerelle-school.example/webhooks", ["Events"] = "referral.offer_accepted",
        });
        added.StatusCode.ShouldBe(HttpStatusCode.OK);
        added.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var shown = await Browserless.ReadAsync(added);
        var secret = shown.QuerySelector("input#valeur")!.GetAttribute("value")!;
        secret.ShouldStartWith("whsec_");
        shown.QuerySelector("table.webhook-endpoints")!.TextContent.ShouldContain("referral.offer_accepted");
        await using (var db = world.Database.NewContext())
        {
            var stored = await db.WebhookEndpoints.IgnoreQueryFilters().SingleAsync();
            stored.Secret.ShouldNotContain(secret["whsec_".Length..], Case.Sensitive, "the secret is stored protected");
            stored.Events.ShouldBe("referral.offer_accepted");
        }
        // The same form again a moment later (a double click: the browser shows the second answer) adds nothing, and shows
        // the secret of the endpoint it added.
        var twice = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, page, "Ajouter le point d'accès", new Dictionary<string, string>
        {
            ["EndpointUrl"] = "https://erp.passerelle-school.example/webhooks", ["Events"] = "referral.offer_accepted",
        }));
        twice.QuerySelector("input#valeur")!.GetAttribute("value").ShouldBe(secret);
        await using (var db = world.Database.NewContext())
            (await db.WebhookEndpoints.IgnoreQueryFilters().CountAsync()).ShouldBe(1);
        var (_, reloaded) = await Browserless.GetAsync(admin, "/ecole/integrations");
        reloaded.QuerySelector("input#valeur").ShouldBeNull("shown once");

        var rotated = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, reloaded, "Renouveler le secret de https://erp.passerelle-school.example/webhooks"));
        rotated.QuerySelector("input#valeur")!.GetAttribute("value")!.ShouldNotBe(secret);
        rotated.Text().ShouldContain("L'ancien secret signe encore pendant 24 heures");

        // An event the endpoint wants shows in the log (waiting: the dispatcher is off here); one it does not want, not.
        var referral = await world.ReferralOfAsync("JOURDAN");
        using (var scope = world.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(Passerelle.Demo.DemoData.SchoolId);
            var result = await scope.ServiceProvider.GetRequiredService<Passerelle.Referrals.ReferralActions>().AnswerAsync(referral,
                Passerelle.Referrals.Actor.Staff(Guid.NewGuid(), "MARTIN Benoît", Passerelle.Referrals.Party.Candidate),
                new Passerelle.Referrals.Answer.ToOffer(Passerelle.Referrals.OfferAnswer.Accepted), null);
            result.Refusal.ShouldBeNull();
        }
        var (_, log) = await Browserless.GetAsync(admin, "/ecole/integrations");
        var row = log.QuerySelectorAll("table.webhook-deliveries tbody tr").ShouldHaveSingleItem();
        row.TextContent.ShouldContain("referral.offer_accepted");
        row.TextContent.ShouldContain("En attente");
        row.QuerySelector("button").ShouldBeNull("a waiting delivery is not sent again by hand");

        var disabled = await Browserless.SubmitAsync(admin, log, "Désactiver https://erp.passerelle-school.example/webhooks");
        (await Browserless.ReadAsync(disabled)).Text().ShouldContain("Le point d'accès est désactivé");
        await using (var db = world.Database.NewContext())
            (await db.WebhookEndpoints.IgnoreQueryFilters().SingleAsync()).DisabledAt.ShouldNotBeNull();
    }
}
