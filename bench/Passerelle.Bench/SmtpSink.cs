using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Passerelle.Bench;

/// <summary>
/// A local SMTP server that accepts every mail and keeps only the time it arrived: the sink of figure (e). It speaks
/// enough of RFC 5321 for an SMTP client (EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT) over real TCP
/// connections, as an MTA does: a connection carries mail after mail, and commands may come pipelined (RFC 2920: the
/// answers go back in order, written once the client has nothing more waiting). It runs in the driver's process so that
/// it costs the server's cores as little as can be. The report compares it once with Debian's postfix.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private readonly Lock gate = new();
    private readonly List<long> arrivals = [];
    private int connections;

    public SmtpSink()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public int Received
    {
        get { lock (gate) return arrivals.Count; }
    }

    /// <summary>The connections clients opened.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>The arrival times (Stopwatch timestamps) of the mails received since <paramref name="from"/>.</summary>
    public long[] ArrivalsSince(int from)
    {
        lock (gate)
            return arrivals.Skip(from).ToArray();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Increment(ref connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        // Answers leave at once (no Nagle delay): an MTA writes a pipelined group's answers together, then waits.
        client.NoDelay = true;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n" };
            await writer.WriteLineAsync("220 bench-sink ESMTP");
            await writer.FlushAsync();
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-bench-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        await writer.FlushAsync();
                        while (await reader.ReadLineAsync(stop.Token) is { } data && data != ".")
                        {
                        }
                        lock (gate)
                            arrivals.Add(Stopwatch.GetTimestamp());
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        await writer.FlushAsync();
                        return;
                    default: // HELO, MAIL, RCPT, RSET, NOOP
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
                // Pipelined commands (MAIL, RCPT, DATA sent together): their answers leave together, once nothing more waits
                // at the socket. Never held while the client waits: with nothing more to read, the answer goes at once.
                if (client.Available == 0)
                    await writer.FlushAsync();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The client went away or the sink stops.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
