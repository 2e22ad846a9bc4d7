using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Hosting;

/// <summary>
/// What Passerelle tells an observability backend (OpenTelemetry): traces of the requests (ASP.NET Core), of the PostgreSQL
/// commands (Npgsql), of each mail delivery and each webhook delivery; metrics of the requests (ASP.NET Core's meters), of the
/// outbox (backlog, age of the oldest waiting mail), of the mails sent / failed / retried per template, of the referral's
/// transitions per kind and of the answers per party and channel. Exported with OTLP to <c>OpenTelemetry:Endpoint</c>; with
/// no endpoint nothing is collected (<c>OpenTelemetry:Enabled=true</c> collects for an exporter added in code, as the tests do).
/// </summary>
public static class Telemetry
{
    public const string Name = "Passerelle";

    /// <summary>The spans Passerelle makes itself: <c>mail.deliver</c>, <c>webhook.deliver</c>.</summary>
    public static readonly ActivitySource Source = new(Name);

    public static void AddPasserelleTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PasserelleMetrics>();
        services.AddSingleton<OutboxBacklog>();
        var endpoint = configuration["OpenTelemetry:Endpoint"];
        if (string.IsNullOrWhiteSpace(endpoint) && !configuration.GetValue("OpenTelemetry:Enabled", false))
            return;
        if (!string.IsNullOrWhiteSpace(endpoint) && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new StartupException($"OpenTelemetry:Endpoint '{endpoint}' is not an address (http://collector:4317 for OTLP over gRPC, :4318 over HTTP).");

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OpenTelemetry:ServiceName"] ?? "passerelle"))
            .WithTracing(tracing => tracing
                .AddSource(Name)
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = context => !context.Request.Path.StartsWithSegments("/health");
                    // A link's token travels in its path: the span keeps the path without it.
                    o.EnrichWithHttpRequest = (activity, request) => activity.SetTag("url.path", WithoutTokens(request.Path.Value ?? ""));
                })
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(Name)
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation());
        if (!string.IsNullOrWhiteSpace(endpoint))
            telemetry.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(endpoint));
    }

    /// <summary>The paths whose next segment is a secret: mail links, push links, password and address-confirmation links.</summary>
    private static readonly string[] TokenPaths = ["/l/p/", "/l/", "/ecole/mot-de-passe/", "/entreprise/mot-de-passe/", "/entreprise/confirmer-adresse/"];

    /// <summary>"/l/AbC…xyz/accepter" → "/l/{token}/accepter".</summary>
    public static string WithoutTokens(string path)
    {
        foreach (var prefix in TokenPaths)
        {
            if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                continue;
            var end = path.IndexOf('/', prefix.Length);
            return prefix + "{token}" + (end < 0 ? "" : path[end..]);
        }
        return path;
    }
}

/// <summary>Passerelle's own instruments, on a meter of the application's <see cref="IMeterFactory"/>.</summary>
public sealed class PasserelleMetrics
{
    private readonly Counter<long> _mailsSent;
    private readonly Counter<long> _mailsFailed;
    private readonly Counter<long> _mailsRetried;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _answers;

    public PasserelleMetrics(IMeterFactory meters, OutboxBacklog backlog)
    {
        var meter = meters.Create(Telemetry.Name);
        _mailsSent = meter.CreateCounter<long>("passerelle.mails.sent", "{mail}", "Mails handed to the SMTP server or the mail folder");
        _mailsFailed = meter.CreateCounter<long>("passerelle.mails.failed", "{mail}", "Mails given up: rejected for good or out of attempts");
        _mailsRetried = meter.CreateCounter<long>("passerelle.mails.retried", "{mail}", "Attempts that failed and were scheduled again");
        _transitions = meter.CreateCounter<long>("passerelle.referral.transitions", "{event}", "Events added to referrals' timelines, by kind");
        _answers = meter.CreateCounter<long>("passerelle.referral.answers", "{answer}", "Answers of candidates and companies, by channel");
        meter.CreateObservableGauge("passerelle.outbox.backlog", () => backlog.Last?.Waiting ?? 0, "{mail}", "Mails waiting to be sent");
        meter.CreateObservableGauge("passerelle.outbox.oldest_age", () => backlog.Last?.OldestAge.TotalSeconds ?? 0, "s",
            "Age of the oldest mail waiting to be sent");
    }

    public void MailSent(string templateKey) => _mailsSent.Add(1, new KeyValuePair<string, object?>("template", templateKey));

    public void MailFailed(string templateKey) => _mailsFailed.Add(1, new KeyValuePair<string, object?>("template", templateKey));

    public void MailRetried(string templateKey) => _mailsRetried.Add(1, new KeyValuePair<string, object?>("template", templateKey));

    /// <summary>The events a save added to the timelines: each a transition, and the answers of the parties by channel.</summary>
    public void Recorded(IEnumerable<ReferralEvent> events)
    {
        foreach (var e in events)
        {
            _transitions.Add(1, new KeyValuePair<string, object?>("kind", e.Kind.ToString()));
            if (e.ActorKind is ActorKind.Candidate or ActorKind.CompanyContact || e.OnBehalfOf is not null)
            {
                _answers.Add(1, new KeyValuePair<string, object?>("party", (e.OnBehalfOf ?? (e.ActorKind == ActorKind.Candidate ? Party.Candidate : Party.Company)).ToString()),
                    new KeyValuePair<string, object?>("channel", e.Channel.ToString()));
            }
        }
    }
}

/// <summary>
/// The outbox's backlog as the database has it: how many mails wait, and since when the oldest. Read at most every 10 seconds
/// (the gauges show the last reading; the readiness check reads again when it is older).
/// </summary>
public sealed class OutboxBacklog(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);

    public sealed record Reading(int Waiting, TimeSpan OldestAge, DateTimeOffset ReadAt);

    public Reading? Last { get; private set; }

    public async Task<Reading> ReadAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (Last is { } last && now - last.ReadAt < Fresh && now >= last.ReadAt)
            return last;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        var pending = db.OutboxMessages.Where(m => m.State == OutboxState.Pending);
        var waiting = await pending.CountAsync(ct);
        // The oldest by its row, not by MIN() over a date: the same on both providers.
        var oldest = waiting == 0 ? (DateTimeOffset?)null
            : await pending.OrderBy(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct);
        var reading = new Reading(waiting, oldest is { } at && at < now ? now - at : TimeSpan.Zero, now);
        Last = reading;
        return reading;
    }
}

/// <summary>
/// Readiness says "Degraded" (still 200: the instance serves pages) when the oldest waiting mail has waited longer than
/// <see cref="EmailOptions.MaxMailWaitMinutes"/>: mail is not flowing (the SMTP server down, the dispatchers stopped).
/// </summary>
public sealed class OutboxHealthCheck(OutboxBacklog backlog, EmailOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reading = await backlog.ReadAsync(cancellationToken);
        var limit = TimeSpan.FromMinutes(options.MaxMailWaitMinutes);
        return reading.OldestAge > limit
            ? HealthCheckResult.Degraded($"{reading.Waiting} mail(s) waiting; the oldest for {(int)reading.OldestAge.TotalMinutes} min (limit {(int)limit.TotalMinutes} min)")
            : HealthCheckResult.Healthy($"{reading.Waiting} mail(s) waiting");
    }
}

/// <summary>Counts the events each save adds to the referrals' timelines (<see cref="PasserelleMetrics.Recorded"/>), once saved.</summary>
internal sealed class TransitionsMeter(PasserelleMetrics metrics) : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
{
    public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> SavingChanges(
        Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result)
    {
        Capture(eventData.Context);
        return result;
    }

    public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> SavingChangesAsync(
        Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Capture(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesCompletedEventData eventData, int result)
    {
        Count(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesCompletedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Count(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Capture(DbContext? context)
    {
        if (context is PasserelleDb db)
            db.EventsBeingSaved = [.. db.ChangeTracker.Entries<ReferralEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)];
    }

    private void Count(DbContext? context)
    {
        if (context is PasserelleDb { EventsBeingSaved: { } events } db)
        {
            db.EventsBeingSaved = null;
            metrics.Recorded(events);
        }
    }
}
