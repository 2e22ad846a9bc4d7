using System.Diagnostics;
using Passerelle.Email.DevMailbox;

namespace Passerelle.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for the tests: Debian's python3-aiosmtpd running Email/smtp_sink.py on a loopback port,
/// storing each message as a file. It can be stopped and started again on the same port (an SMTP outage).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private Process? _process;

    private SmtpSink(int port, string folder)
    {
        Port = port;
        Folder = folder;
    }

    public int Port { get; }
    public string Folder { get; }

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink(AppProcess.FreePort(), Directory.CreateTempSubdirectory("passerelle-smtp-").FullName);
        await sink.StartAgainAsync();
        return sink;
    }

    public async Task StartAgainAsync()
    {
        Category.Needs(Category.Smtp);
        if (!File.Exists(Python))
            throw new InvalidOperationException("The SMTP tests need Debian's python3 with python3-aiosmtpd (scripts/test.sh installs them).");
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Email", "smtp_sink.py"), "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", Folder })
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

    public IReadOnlyList<EmlMessage> Messages() =>
        Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(f => EmlReader.Read(File.ReadAllText(f))).ToList();

    /// <summary>Waits until at least <paramref name="count"/> messages arrived.</summary>
    public async Task<IReadOnlyList<EmlMessage>> WaitForAsync(int count, TimeSpan? timeout = null)
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
