using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Email;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Hosting;

/// <summary>
/// OpenTelemetry (issue 17): an in-memory exporter sees the spans and metrics of one referral's whole loop. Alone: the meters
/// are listened to process-wide, so another test's referrals would add to the counts.
/// </summary>
[Trait(Category.Name, Category.Smtp)]
[Collection(Alone.Name)]
public partial class TelemetryTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task One_referrals_loop_shows_in_spans_and_metrics_without_its_link_tokens(DatabaseProvider provider)
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var world = await EmailWorld.CreateAsync(provider, new SmtpSinkOptions(), services => services
            .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans))
            .ConfigureOpenTelemetryMeterProvider(meters => meters.AddInMemoryExporter(metrics)), ("OpenTelemetry:Enabled", "true"));

        // The whole loop: proposed, the candidate accepts by the mail's link (over HTTP), the company proposes an interview,
        // the candidate confirms (by phone, the school types it); each step's mails sent.
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        var offer = world.Sink.Messages().Single(m => m.To.Contains("margaud@example.org"));
        var token = LinkToken().Match(offer.Text!).Groups[1].Value;
        token.ShouldNotBeEmpty();
        using var client = world.App.CreateClient();
        var (status, page) = await Browserless.GetAsync(client, $"/l/{token}");
        status.ShouldBe(HttpStatusCode.OK);
        await Browserless.SubmitAsync(client, page, "Accepter l'offre");
        await world.DispatchAllAsync();
        var slot = new Appointment(Seed.Now.AddDays(5), "Sur place", null);
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Accepted, slot, world.School.ContactActor(Channel.EmailLink), now));
        await world.ActAsync(referralId, (r, now) => r.AnswerAppointment(AppointmentAnswer.Accepted, world.School.StaffActor(Party.Candidate), now));
        await world.DispatchAllAsync();
        world.App.Services.GetRequiredService<TracerProvider>().ForceFlush().ShouldBeTrue();
        world.App.Services.GetRequiredService<MeterProvider>().ForceFlush().ShouldBeTrue();

        // Spans: each mail's delivery, the requests (the token replaced in the path), and on PostgreSQL its commands.
        List<Activity> mine;
        lock (spans)
            mine = [.. spans];
        var deliveries = mine.Where(s => s.Source.Name == "Passerelle" && s.DisplayName == "mail.deliver" && (string?)s.GetTagItem("passerelle.referral.id") == referralId.ToString()).ToList();
        var sent = await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId && m.State == OutboxState.Sent));
        deliveries.Count.ShouldBe(sent.Count);
        deliveries.ShouldAllBe(s => (string?)s.GetTagItem("passerelle.mail.outcome") == "sent");
        var requests = mine.Where(s => s.Source.Name == "Microsoft.AspNetCore" && ((string?)s.GetTagItem("url.path") ?? "").StartsWith("/l/", StringComparison.Ordinal)).ToList();
        requests.Select(s => (string?)s.GetTagItem("url.path")).ShouldContain("/l/{token}");
        requests.Select(s => s.GetTagItem("http.request.method")).ShouldContain("POST");
        mine.ShouldAllBe(s => !s.TagObjects.Any(t => (t.Value as string ?? "").Contains(token)), "no span carries the link's token");
        if (provider == DatabaseProvider.PostgreSQL)
            mine.ShouldContain(s => s.Source.Name == "Npgsql", "the database commands");

        // Metrics: mails per template, transitions per kind, answers per party and channel, the backlog.
        Sum(metrics, "passerelle.mails.sent", ("template", TemplateKeys.OfferToCandidate)).ShouldBe(1);
        Sum(metrics, "passerelle.mails.sent").ShouldBe(sent.Count);
        Sum(metrics, "passerelle.referral.transitions", ("kind", nameof(ReferralEventKind.Proposed))).ShouldBe(1);
        Sum(metrics, "passerelle.referral.transitions", ("kind", nameof(ReferralEventKind.OfferAccepted))).ShouldBe(1);
        Sum(metrics, "passerelle.referral.transitions").ShouldBe(4);
        Sum(metrics, "passerelle.referral.answers", ("party", nameof(Party.Candidate)), ("channel", nameof(Channel.EmailLink))).ShouldBe(1);
        Sum(metrics, "passerelle.referral.answers", ("party", nameof(Party.Company)), ("channel", nameof(Channel.EmailLink))).ShouldBe(1);
        Sum(metrics, "passerelle.referral.answers", ("party", nameof(Party.Candidate)), ("channel", nameof(Channel.SchoolBackOffice))).ShouldBe(1, "by phone, typed by the school");
        metrics.ShouldContain(m => m.Name == "passerelle.outbox.backlog");
        metrics.ShouldContain(m => m.Name == "http.server.request.duration", "ASP.NET Core's own meters");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Readiness_says_degraded_while_a_mail_waits_longer_than_the_limit(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:MaxMailWaitMinutes", "15"));
        using var client = world.App.CreateClient();
        await world.ProposeAsync();
        world.Clock.Now = Seed.Now.AddMinutes(14);
        (await client.GetStringAsync("/health/ready")).ShouldBe("Healthy", "waiting, not for long");

        world.Clock.Now = Seed.Now.AddMinutes(16);
        var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, "the instance still serves pages");
        (await ready.Content.ReadAsStringAsync()).ShouldBe("Degraded");

        await world.DispatchAllAsync();
        world.Clock.Now = Seed.Now.AddMinutes(17);
        (await client.GetStringAsync("/health/ready")).ShouldBe("Healthy", "the mail went");
    }

    /// <summary>The sum of a counter over the points whose tags include these.</summary>
    private static long Sum(List<Metric> metrics, string name, params (string Key, string Value)[] tags)
    {
        long total = 0;
        // Cumulative: the last export of each metric holds the totals.
        foreach (var metric in metrics.Where(m => m.Name == name).TakeLast(1))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var pointTags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                    pointTags[tag.Key] = tag.Value;
                if (tags.All(t => Equals(pointTags.GetValueOrDefault(t.Key), t.Value)))
                    total += point.GetSumLong();
            }
        }
        return total;
    }

    [GeneratedRegex(@"/l/([A-Za-z0-9_-]{20,})")]
    private static partial Regex LinkToken();
}
