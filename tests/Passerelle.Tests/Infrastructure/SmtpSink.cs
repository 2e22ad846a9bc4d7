using System.Diagnostics;

namespace Passerelle.Tests.Infrastructure;

/// <summary>What the sink plays besides accepting mail: TLS ("starttls" or "implicit", with a certificate and its key),
/// AUTH with one login, a 550 for some recipients, the server hanging up after some mails on a connection.</summary>
public sealed record SmtpSinkOptions(
    string? Tls = null, string? CertificatePath = null, string? KeyPath = null, string? Auth = null, IReadOnlyList<string>? Reject = null, int CloseAfter = 0);

/// <summary>
/// A real SMTP server for the tests: Debian's python3-aiosmtpd running Email/smtp_sink.py on a loopback port,
/// storing each message as a file and counting the connections it accepted. It can be stopped and started again on the
/// same port (an SMTP outage).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly SmtpSinkOptions _options;
    private Process? _process;

    private SmtpSink(int port, string folder, SmtpSinkOptions options)
    {
        Port = port;
        Folder = folder;
        _options = options;
    }

    public int Port { get; }
    public string Folder { get; }

    /// <summary>From its next start, refuses every recipient as a relay that does not relay for Passerelle (554 5.7.1).</summary>
    public bool DenyRelay { get; set; }

    public static async Task<SmtpSink> StartAsync(SmtpSinkOptions? options = null)
    {
        var sink = new SmtpSink(AppProcess.FreePort(), Directory.CreateTempSubdirectory("passerelle-smtp-").FullName, options ?? new SmtpSinkOptions());
        await sink.StartAgainAsync();
        return sink;
    }

    /// <summary>The connections clients opened so far.</summary>
    public int Connections()
    {
        var log = Path.Combine(Folder, "connections.log");
        return File.Exists(log) ? File.ReadAllLines(log).Length : 0;
    }

    public async Task StartAgainAsync()
    {
        Category.Needs(Category.Smtp);
        if (!File.Exists(Python))
            throw new InvalidOperationException("The SMTP tests need Debian's python3 with python3-aiosmtpd (scripts/test.sh installs them).");
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var arguments = new List<string> { Path.Combine(AppContext.BaseDirectory, "Email", "smtp_sink.py"), "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", Folder };
        if (_options.Tls is { } tls)
            arguments.AddRange(["--tls", tls, "--cert", _options.CertificatePath!, "--key", _options.KeyPath!]);
        if (_options.Auth is { } auth)
            arguments.AddRange(["--auth", auth]);
        foreach (var address in _options.Reject ?? [])
            arguments.AddRange(["--reject", address]);
        if (DenyRelay)
            arguments.Add("--deny-relay");
        if (_options.CloseAfter > 0)
            arguments.AddRange(["--close-after", _options.CloseAfter.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        _process = Process.Start(info)!;
        var ready = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (ready != "READY")
            throw new InvalidOperationException($"The SMTP sink did not start: {await _process.StandardError.ReadToEndAsync()} (needs python3-aiosmtpd; scripts/test.sh installs it)");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public IReadOnlyList<SentMail> Messages() =>
        Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(SentMail.Load).ToList();

    /// <summary>Waits until at least <paramref name="count"/> messages arrived.</summary>
    public async Task<IReadOnlyList<SentMail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Directory.GetFiles(Folder, "*.eml").Length < count && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return Messages();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
