using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Passerelle.Bench;

/// <summary>
/// Passerelle as it runs in production (the published Release build, environment "Benchmark", PostgreSQL, SMTP),
/// in its own process, with its resident memory sampled from /proc every 100 ms and its peak (VmHWM) read last.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;
    private readonly StreamWriter log;

    private ServerProcess(Process process, Uri address, StreamWriter log)
    {
        this.process = process;
        this.log = log;
        Address = address;
        sampling = SampleAsync();
    }

    public Uri Address { get; }

    /// <summary>The process id, for its processor time (<see cref="ProcessorMeter"/>).</summary>
    public int Id => process.Id;

    /// <summary>The highest resident memory seen, in bytes (the kernel's own high-water mark once stopped).</summary>
    public long PeakResidentBytes { get; private set; }

    public static Task<ServerProcess> StartAsync(string dll, string connectionString, int smtpPort, string logPath)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", address.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        var settings = new Dictionary<string, string>
        {
            // Everything as in production: Release build, PostgreSQL, SMTP, Secure cookies (the driver acts as a TLS
            // load balancer). "Benchmark" rather than "Production" because Production refuses links in mails that
            // are not https, and the benchmark's server answers on plain loopback http.
            ["ASPNETCORE_ENVIRONMENT"] = "Benchmark",
            ["Database__Provider"] = "PostgreSQL",
            ["Database__ConnectionString"] = connectionString,
            ["Email__Delivery"] = "Smtp",
            ["Email__SmtpHost"] = "127.0.0.1",
            ["Email__SmtpPort"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email__PublicBaseUrl"] = address.ToString(),
            ["Documents__Folder"] = Path.Combine(Path.GetTempPath(), "passerelle-bench-documents"),
            // One key makes every API request of (f) and (g): its per-key budget would stop the measure, not the server.
            ["Api__RequestsPerMinute"] = "100000000",
            // The generated data is up to three years old: the retention job would warn (and later erase) its candidates
            // while the figures are taken. It is not what the benchmark measures.
            ["PersonalData__RetentionJobEnabled"] = "false",
        };
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        return LaunchAsync(start, address, "Passerelle", logPath);
    }

    /// <summary>
    /// The baseline's own small host (<see cref="BaselineList"/>), this very assembly run with "baseline", on the
    /// terms Passerelle runs on: the server garbage collector of a web app, the connection string (from the
    /// environment, never on a command line) given Passerelle's Npgsql settings by <see cref="BaselineList"/>.
    /// </summary>
    public static Task<ServerProcess> StartBaselineAsync(string connectionString, string logPath)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var dll = typeof(ServerProcess).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "baseline", address.ToString().TrimEnd('/') },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment[BaselineList.ConnectionVariable] = connectionString;
        return LaunchAsync(start, address, "The baseline host", logPath);
    }

    private static async Task<ServerProcess> LaunchAsync(ProcessStartInfo start, Uri address, string name, string logPath)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, address, log);

        using var probe = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                var exitCode = process.ExitCode;
                await server.DisposeAsync();
                throw new InvalidOperationException($"{name} exited with code {exitCode} at start: see {logPath}");
            }
            try
            {
                if ((await probe.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"{name} was not ready after 60 s: see {logPath}");
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.WriteLine(line);
    }

    private async Task SampleAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            ReadMemory();
            try
            {
                await Task.Delay(100, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void ReadMemory()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal) || line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    PeakResidentBytes = Math.Max(PeakResidentBytes, kb * 1024);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process has exited.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        ReadMemory();
        await stop.CancelAsync();
        await sampling;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        stop.Dispose();
        lock (log)
            log.Dispose();
    }
}
