using Passerelle.Storage;

namespace Passerelle.Webhooks;

/// <summary>Section "Webhooks": how events are delivered to the schools' endpoints.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Runs the webhook dispatcher on this instance (each instance may: deliveries are claimed through the database).</summary>
    public bool DispatcherEnabled { get; init; } = true;

    /// <summary>
    /// Endpoints may be http://127.0.0.1 or localhost, and receive from loopback and private addresses: for a receiver on the
    /// same machine in Development and in the tests. Ignored in Production, where endpoints are https and public.
    /// </summary>
    public bool AllowLoopback { get; init; }

    public int TimeoutSeconds { get; init; } = 10;
    public int PollSeconds { get; init; } = 2;
    public int BatchSize { get; init; } = 50;

    /// <summary>How many requests go out at once: a slow endpoint holds one of them, never the mail or the pages.</summary>
    public int Parallelism { get; init; } = 8;

    public int MaxAttempts { get; init; } = 10;

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="RetryMaxSeconds"/>.</summary>
    public int RetryBaseSeconds { get; init; } = 30;

    public int RetryMaxSeconds { get; init; } = 6 * 3600;

    public int LeaseSeconds { get; init; } = 60;

    public static WebhookOptions FromConfiguration(IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(Section).Get<WebhookOptions>() ?? new WebhookOptions();
        if (options.TimeoutSeconds is < 1 or > 60 || options.PollSeconds < 1 || options.MaxAttempts < 1 || options.Parallelism < 1 || options.BatchSize < 1)
            throw new StartupException("Webhooks: TimeoutSeconds is 1 to 60; PollSeconds, MaxAttempts, Parallelism and BatchSize are at least 1.");
        var allowLoopback = configuration.GetValue<bool?>($"{Section}:{nameof(AllowLoopback)}") ?? environment.IsDevelopment();
        return new WebhookOptions
        {
            DispatcherEnabled = options.DispatcherEnabled, AllowLoopback = allowLoopback && !environment.IsProduction(),
            TimeoutSeconds = options.TimeoutSeconds, PollSeconds = options.PollSeconds, BatchSize = options.BatchSize, Parallelism = options.Parallelism,
            MaxAttempts = options.MaxAttempts, RetryBaseSeconds = options.RetryBaseSeconds, RetryMaxSeconds = options.RetryMaxSeconds,
            // A claimed batch goes out in waves of Parallelism requests, each waiting TimeoutSeconds at most: the lease outlasts
            // them, or another instance would take the batch's last deliveries while they are still being sent.
            LeaseSeconds = Math.Max(options.LeaseSeconds, ((options.BatchSize + options.Parallelism - 1) / options.Parallelism + 1) * options.TimeoutSeconds),
        };
    }

    /// <summary>From the first attempt to the last, when every one fails: the delays between them, added up.</summary>
    public TimeSpan RetryWindow => TimeSpan.FromSeconds(Enumerable.Range(0, Math.Max(0, MaxAttempts - 1))
        .Sum(k => Math.Min(RetryMaxSeconds, RetryBaseSeconds * Math.Pow(2, Math.Min(k, 30)))));
}
