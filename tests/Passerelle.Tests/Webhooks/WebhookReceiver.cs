using System.Diagnostics;
using System.Text.Json.Nodes;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Webhooks;

/// <summary>
/// Webhooks/webhook_receiver.py on a loopback port: checks each signature with Python's hmac (independently of Passerelle's
/// sender) and logs what it received; <see cref="Down"/> makes it answer 503 for a while (a receiver down, then back).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly string _log = Path.Combine(Directory.CreateTempSubdirectory("passerelle-webhooks-").FullName, "received.jsonl");
    private Process? _process;

    private WebhookReceiver(int port) => Port = port;

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/passerelle";

    public static WebhookReceiver OnFreePort() => new(AppProcess.FreePort());

    /// <summary>While down, the receiver answers 503 and logs nothing (it keeps its port, which no other test can take).</summary>
    public bool Down
    {
        get => File.Exists(DownFile);
        set
        {
            if (value)
                File.WriteAllText(DownFile, "down");
            else
                File.Delete(DownFile);
        }
    }

    private string DownFile => Path.Combine(Path.GetDirectoryName(_log)!, "down");

    /// <summary>Starts (again) with these secrets; <paramref name="slowSeconds"/> makes it wait before answering.</summary>
    public async Task StartAsync(IReadOnlyList<string> secrets, double slowSeconds = 0)
    {
        Category.Needs(Category.Process);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Webhooks", "webhook_receiver.py"), Port.ToString(System.Globalization.CultureInfo.InvariantCulture), _log, string.Join(',', secrets) })
            info.ArgumentList.Add(argument);
        info.ArgumentList.Add("--down-while");
        info.ArgumentList.Add(DownFile);
        if (slowSeconds > 0)
        {
            info.ArgumentList.Add("--slow");
            info.ArgumentList.Add(slowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        _process = Process.Start(info)!;
        var ready = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (ready != "listening")
            throw new InvalidOperationException($"The webhook receiver did not start: {await _process.StandardError.ReadToEndAsync()}");
    }

    public async Task StopAsync()
    {
        if (_process is null)
            return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>What was received, in order of arrival.</summary>
    public IReadOnlyList<JsonObject> Received() => File.Exists(_log)
        ? [.. File.ReadAllLines(_log).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject())]
        : [];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(Path.GetDirectoryName(_log)!, recursive: true);
    }
}
