using System.Diagnostics;
using System.Net;

namespace Passerelle.Bench;

/// <summary>One measured load: how many requests, how fast, and the latency percentiles (milliseconds).</summary>
public sealed record LoadResult(string Name, int Connections, int Requests, int Failures, double Seconds, double P50, double P95, double P99, double Mean)
{
    /// <summary>Processor time per request in the window, when measured (<see cref="ProcessorMeter"/>).</summary>
    public ProcessorUse Processor { get; init; } = ProcessorUse.None;

    public double Throughput => Requests / Seconds;
}

/// <summary>
/// A closed-loop load: <c>connections</c> workers, each with its own HTTP/1.1 connection, send one request, wait
/// for the whole answer, and send the next. Requests that start during the warm-up are not counted; every request
/// started in the measured window is (no sampling), and its latency is kept exactly.
/// </summary>
public static class LoadDriver
{
    /// <summary>Sends one request on the worker's client; true when the answer is the one expected.</summary>
    public delegate Task<bool> Request(HttpClient client, CancellationToken ct);

    /// <summary>A worker's client: as behind a TLS-terminating load balancer (see <see cref="BehindTls"/>).</summary>
    public static HttpClient NewClient(Uri baseAddress)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return client;
    }

    /// <param name="request">What one worker sends; null from <paramref name="next"/> ends a worker early (no more work).</param>
    public static async Task<LoadResult> RunAsync(
        string name, Uri baseAddress, int connections, TimeSpan warmup, TimeSpan duration, Func<Request?> next)
    {
        var clients = Enumerable.Range(0, connections).Select(_ => NewClient(baseAddress)).ToArray();
        try
        {
            var start = Stopwatch.GetTimestamp();
            var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var perWorker = await Task.WhenAll(clients.Select(client => Task.Run(() => WorkAsync(client, next, measureFrom, measureTo))));

            var latencies = perWorker.SelectMany(w => w.Latencies).Order().ToArray();
            var failures = perWorker.Sum(w => w.Failures);
            // A finite source may end before the window does: the window is then up to the last answer.
            var end = Math.Min(measureTo, perWorker.Max(w => w.LastEnd));
            var seconds = Math.Max(0.001, (end - measureFrom) / (double)Stopwatch.Frequency);
            return new LoadResult(name, connections, latencies.Length, failures, seconds,
                Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), latencies.Length == 0 ? 0 : latencies.Average());
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    private sealed record WorkerResult(List<double> Latencies, int Failures, long LastEnd);

    private static async Task<WorkerResult> WorkAsync(HttpClient client, Func<Request?> next, long measureFrom, long measureTo)
    {
        var latencies = new List<double>(100_000);
        var failures = 0;
        var lastEnd = measureFrom;
        while (Stopwatch.GetTimestamp() < measureTo && next() is { } request)
        {
            var begin = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                ok = await request(client, CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                ok = false;
            }
            var end = Stopwatch.GetTimestamp();
            if (begin < measureFrom)
                continue;
            lastEnd = end;
            if (ok)
                latencies.Add((end - begin) * 1000.0 / Stopwatch.Frequency);
            else
                failures++;
        }
        return new WorkerResult(latencies, failures, lastEnd);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double fraction)
    {
        if (sorted.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
