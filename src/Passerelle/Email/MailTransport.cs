using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Cryptography;

namespace Passerelle.Email;

/// <summary>Hands a composed mail to the outside world: an SMTP server, or a folder of .eml files.</summary>
public interface IMailTransport
{
    /// <summary>
    /// Sends the mail, or throws: <see cref="MailRejectedException"/> when the server refused it for good (5xx for the
    /// recipient or the message), a <see cref="FormatException"/> for a malformed address; anything else may pass later.
    /// </summary>
    Task SendAsync(ComposedMail mail, CancellationToken ct);
}

/// <summary>The SMTP server refused this mail for good (a 5xx reply to its recipient or its content): retrying would not help.</summary>
public sealed class MailRejectedException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The mail as MimeKit builds it: multipart/alternative with text and HTML (and the text/calendar part of an invitation),
/// plus the .ics as an attachment; DKIM-signed when <see cref="EmailOptions.Dkim"/> is set.
/// </summary>
public sealed class MimeMails
{
    private readonly EmailOptions _options;
    private readonly TimeProvider _clock;
    private readonly DkimSigner? _signer;

    private static readonly HeaderId[] SignedHeaders = [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId];

    public MimeMails(EmailOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        if (options.Dkim is { Domain.Length: > 0 } dkim)
        {
            _signer = new DkimSigner(dkim.PrivateKeyPath, dkim.Domain, dkim.Selector, DkimSignatureAlgorithm.RsaSha256)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
        }
    }

    public MimeMessage Build(ComposedMail mail)
    {
        var message = new MimeMessage { Subject = mail.Subject, MessageId = mail.MessageId.Trim('<', '>'), Date = _clock.GetUtcNow() };
        message.From.Add(new MailboxAddress(mail.FromName, _options.FromAddress));
        message.To.Add(new MailboxAddress(mail.ToName, mail.ToAddress));
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var alternative = new MultipartAlternative
        {
            new TextPart("plain") { Text = mail.Text, ContentTransferEncoding = ContentEncoding.QuotedPrintable },
            new TextPart("html") { Text = mail.Html, ContentTransferEncoding = ContentEncoding.QuotedPrintable },
        };
        if (mail.Calendar is null)
        {
            message.Body = alternative;
        }
        else
        {
            var calendar = new TextPart("calendar") { Text = mail.Calendar, ContentTransferEncoding = ContentEncoding.Base64 };
            calendar.ContentType.Charset = "utf-8";
            calendar.ContentType.Parameters.Add("method", mail.CalendarMethod == Referrals.CalendarInvite.Cancel ? "CANCEL" : "REQUEST");
            alternative.Add(calendar);
            var attachment = new MimePart("application", "ics")
            {
                Content = new MimeContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(mail.Calendar))),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = "invitation.ics",
            };
            message.Body = new Multipart("mixed") { alternative, attachment };
        }

        if (_signer is not null)
        {
            // Signed as it will travel: 7-bit, so no relay re-encodes it and breaks the body hash.
            message.Prepare(EncodingConstraint.SevenBit);
            _signer.Sign(message, SignedHeaders);
        }
        return message;
    }
}

/// <summary>
/// The embedded default: each mail is an .eml file of <see cref="EmailOptions.Folder"/>, named after its Message-ID (one
/// file per outbox row: a retry replaces it). The development mailbox reads them; an erasure deletes the copies of the
/// mails it made anonymous (<see cref="Forget"/>).
/// </summary>
public sealed class FolderMailTransport(EmailOptions options, MimeMails mails) : IMailTransport
{
    private readonly string _folder = Path.GetFullPath(options.Folder);

    public async Task SendAsync(ComposedMail mail, CancellationToken ct)
    {
        var message = mails.Build(mail);
        Directory.CreateDirectory(_folder);
        var path = PathOf(_folder, mail.MessageId);
        var partial = path + ".part";
        await message.WriteToAsync(partial, ct);
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>Deletes the folder's copies of these mails (by their Message-ID), if the mail goes to a folder.</summary>
    public static void Forget(EmailOptions options, IEnumerable<string> messageIds)
    {
        if (options.Delivery != MailDelivery.Folder)
            return;
        var folder = Path.GetFullPath(options.Folder);
        // No folder yet: no mail was ever written there, nothing to forget (an erasure must not fail for it).
        if (!Directory.Exists(folder))
            return;
        foreach (var id in messageIds)
            File.Delete(PathOf(folder, id));
    }

    private static string PathOf(string folder, string messageId)
    {
        var name = new string([.. messageId.Trim('<', '>').Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        return Path.Combine(folder, name + ".eml");
    }
}

/// <summary>
/// SMTP through MailKit, on kept connections: a pool of at most <see cref="EmailOptions.Parallelism"/> connections, each
/// opened (TLS per <see cref="EmailOptions.SmtpSecurity"/>, AUTH when credentials are set) on first use and then carrying
/// mail after mail. A connection idle for longer than <see cref="EmailOptions.SmtpIdleSeconds"/> is checked with NOOP
/// first; one the server closed meanwhile is replaced, and the mail goes on a new one. Each mail has
/// <see cref="EmailOptions.SmtpTimeoutSeconds"/> to go. The server's reply is the error of a failed attempt.
/// </summary>
public sealed class SmtpMailTransport : IMailTransport, IAsyncDisposable
{
    private readonly EmailOptions _options;
    private readonly MimeMails _mails;
    private readonly TimeProvider _clock;
    private readonly ILogger<SmtpMailTransport> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<Connection> _idle = new();
    private readonly X509Certificate2? _trusted;

    private sealed class Connection(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;
        public long LastUsed { get; set; }
    }

    public SmtpMailTransport(EmailOptions options, MimeMails mails, TimeProvider clock, ILogger<SmtpMailTransport> logger)
    {
        _options = options;
        _mails = mails;
        _clock = clock;
        _logger = logger;
        _slots = new SemaphoreSlim(options.Parallelism);
        if (!string.IsNullOrEmpty(options.SmtpTrustedCertificatePath))
            _trusted = X509CertificateLoader.LoadCertificateFromFile(options.SmtpTrustedCertificatePath);
    }

    public async Task SendAsync(ComposedMail mail, CancellationToken ct)
    {
        var message = _mails.Build(mail);
        await _slots.WaitAsync(ct);
        try
        {
            while (true)
            {
                var connection = Take(out var kept);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(_options.SmtpTimeoutSeconds));
                try
                {
                    await ReadyAsync(connection, timeout.Token);
                    await connection.Client.SendAsync(message, timeout.Token);
                    Return(connection);
                    return;
                }
                catch (SmtpCommandException e) when (kept && e.StatusCode == SmtpStatusCode.ServiceNotAvailable && !ct.IsCancellationRequested)
                {
                    // 421: the server closes this kept connection (its limit of mails per connection, a restart): a new one.
                    await DiscardAsync(connection);
                    _logger.LogDebug("The SMTP server closed a kept connection ({Reply}); opening a new one", OutboxDelivery.WithoutAddresses(e.Message));
                }
                catch (SmtpCommandException e)
                {
                    // The server answered: the connection is sound (MailKit reset the transaction), the mail is not.
                    Return(connection);
                    var reply = $"{(int)e.StatusCode} {e.Message}";
                    if ((int)e.StatusCode >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted
                        && !IsRelayPolicy(e.Message))
                        throw new MailRejectedException(reply, e);
                    throw new IOException(reply, e);
                }
                catch (Exception e) when (kept && !ct.IsCancellationRequested && e is IOException or SmtpProtocolException or ServiceNotConnectedException)
                {
                    // A kept connection the server closed (idle timeout, restart): the mail goes on a new one.
                    await DiscardAsync(connection);
                    _logger.LogDebug("A kept SMTP connection was closed by the server ({Error}); opening a new one", OutboxDelivery.WithoutAddresses(e.Message));
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await DiscardAsync(connection);
                    throw new TimeoutException($"Timed out: the SMTP server did not take the mail within {_options.SmtpTimeoutSeconds} s.");
                }
                catch
                {
                    await DiscardAsync(connection);
                    throw;
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// A 5.7.x reply (security or policy: "5.7.1 Relay access denied", "5.7.0 Authentication required") comes from the relay's
    /// configuration, not from this recipient or this message: every mail would get it. Such a mail waits for the setting to be
    /// put right (readiness turns "Degraded") instead of failing for good with all the others.
    /// </summary>
    internal static bool IsRelayPolicy(string reply) => System.Text.RegularExpressions.Regex.IsMatch(reply, @"^\s*5\.7\.\d{1,3}\b");

    /// <summary>A kept connection if one is idle, else a new one (connected in <see cref="ReadyAsync"/>).</summary>
    private Connection Take(out bool kept)
    {
        while (_idle.TryPop(out var connection))
        {
            if (connection.Client.IsConnected)
            {
                kept = true;
                return connection;
            }
            connection.Client.Dispose();
        }
        kept = false;
        var client = new SmtpClient { Timeout = _options.SmtpTimeoutSeconds * 1000, ServerCertificateValidationCallback = ValidateCertificate };
        return new Connection(client);
    }

    private async Task ReadyAsync(Connection connection, CancellationToken ct)
    {
        var client = connection.Client;
        if (!client.IsConnected)
        {
            // Our own socket, without Nagle's delay: a message's last small write would otherwise wait for the server's
            // delayed acknowledgement (up to 40 ms a mail on a kept connection).
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(_options.SmtpHost, _options.SmtpPort, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await client.ConnectAsync(socket, _options.SmtpHost, _options.SmtpPort, _options.SmtpSecurity switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            }, ct);
            if (!string.IsNullOrEmpty(_options.SmtpUserName))
                await client.AuthenticateAsync(_options.SmtpUserName, _options.SmtpPassword ?? "", ct);
        }
        else if (_clock.GetElapsedTime(connection.LastUsed) > TimeSpan.FromSeconds(_options.SmtpIdleSeconds))
        {
            await client.NoOpAsync(ct);
        }
    }

    private void Return(Connection connection)
    {
        connection.LastUsed = _clock.GetTimestamp();
        if (connection.Client.IsConnected)
            _idle.Push(connection);
        else
            connection.Client.Dispose();
    }

    private static async Task DiscardAsync(Connection connection)
    {
        try
        {
            if (connection.Client.IsConnected)
                await connection.Client.DisconnectAsync(quit: false);
        }
        catch (Exception)
        {
            // Closing a broken connection: nothing more to do.
        }
        connection.Client.Dispose();
    }

    /// <summary>The usual checks; or exactly the certificate configured (a relay's self-signed one: pinned, not trusted by chain).</summary>
    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None
        || (_trusted is not null && certificate is not null && certificate.GetCertHashString() == _trusted.GetCertHashString());

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryPop(out var connection))
        {
            try
            {
                if (connection.Client.IsConnected)
                    await connection.Client.DisconnectAsync(quit: true);
            }
            catch (Exception)
            {
                // Shutting down: the server will notice.
            }
            connection.Client.Dispose();
        }
    }
}
