using Passerelle.Storage;

namespace Passerelle.Email;

public enum MailDelivery
{
    /// <summary>Writes each mail as an .eml file (the embedded default; readable at /dev/mails in Development).</summary>
    Folder,
    Smtp,
}

public enum SmtpSecurity
{
    None,

    /// <summary>STARTTLS, usually on the submission port 587.</summary>
    StartTls,

    /// <summary>Implicit TLS from the first byte, usually on port 465.</summary>
    SslOnConnect,
}

/// <summary>Section "Email:Dkim": sign each mail for the sender's domain (the public key published at selector._domainkey.domain).</summary>
public sealed class DkimOptions
{
    public string Domain { get; init; } = "";
    public string Selector { get; init; } = "";

    /// <summary>The RSA private key, PEM.</summary>
    public string PrivateKeyPath { get; init; } = "";
}

/// <summary>Section "Email": how mails leave, who sends them, where their links point, and the dispatcher's pace.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public MailDelivery Delivery { get; init; } = MailDelivery.Folder;
    public string Folder { get; init; } = "data/mail";
    public string SmtpHost { get; init; } = "";
    public int SmtpPort { get; init; } = 25;
    public SmtpSecurity SmtpSecurity { get; init; } = SmtpSecurity.None;
    public string? SmtpUserName { get; init; }
    public string? SmtpPassword { get; init; }
    public int SmtpTimeoutSeconds { get; init; } = 30;

    /// <summary>A kept connection idle for longer is checked with NOOP before it carries a mail.</summary>
    public int SmtpIdleSeconds { get; init; } = 30;

    /// <summary>A PEM certificate accepted as the SMTP server's even when no authority vouches for it (a relay's self-signed one).</summary>
    public string? SmtpTrustedCertificatePath { get; init; }

    /// <summary>DKIM signing; off while <see cref="DkimOptions.Domain"/> is empty.</summary>
    public DkimOptions? Dkim { get; init; }
    public string FromAddress { get; init; } = "passerelle@localhost";
    public string FromName { get; init; } = "Passerelle";

    /// <summary>The address people reach Passerelle at; links in mails start with it.</summary>
    public string PublicBaseUrl { get; init; } = "http://127.0.0.1:5080";

    public bool DispatcherEnabled { get; init; } = true;
    /// <summary>
    /// How long a mail that cannot go (the server down or refusing for now, a broken connection) is retried, from its first
    /// failure, before it is marked failed: five days, as mail servers keep their queues (Postfix's maximal_queue_lifetime). A
    /// server down for an hour or a weekend delays mail; it does not fail it. 0: failed at its first failure.
    /// </summary>
    public double RetryHours { get; init; } = 120;

    /// <summary>The first retry delay, doubled after each failed attempt up to <see cref="RetryMaxSeconds"/>.</summary>
    public double RetryBaseSeconds { get; init; } = 30;
    public double RetryMaxSeconds { get; init; } = 3600;
    public int LeaseSeconds { get; init; } = 120;
    /// <summary>
    /// Mails a dispatcher round claims at once: one claim and one read for that many mails. While the queue stays full the next
    /// round is claimed as the last mails of the one before go (bench/findings.md, issue 17).
    /// </summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Mails sent at once, and the SMTP connections kept open for them: sending waits on the server's replies, so several
    /// conversations at once keep the processor busy (bench/findings.md).
    /// </summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>
    /// Mails sent at once while web requests are being served: mail can wait a little, people clicking cannot
    /// (composing and sending compete with the pages for the processor: bench/findings.md, 10; ADR 0005). The backlog
    /// goes at full speed as soon as the requests stop. 4 since the kept connections (issue 17): ~200 mails/s while (d)
    /// runs on 2 cores, with no measurable cost to (d); 2 sent ~22 mails/s, 8 raised (d)'s p95 by a quarter.
    /// </summary>
    public int ParallelismUnderLoad { get; init; } = 4;
    public double PollSeconds { get; init; } = 1;

    /// <summary>Readiness reports "Degraded" when the oldest mail waiting to be sent is older than this (OutboxHealthCheck).</summary>
    public int MaxMailWaitMinutes { get; init; } = 15;
    public int ReminderDaysBeforeExpiry { get; init; } = 2;
    public double ReminderCheckMinutes { get; init; } = 15;

    public static EmailOptions FromConfiguration(IConfiguration configuration)
    {
        EmailOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<EmailOptions>() ?? new EmailOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new StartupException($"The Email section has a value of the wrong kind: {e.InnerException?.Message ?? e.Message}");
        }

        if (options.Delivery == MailDelivery.Smtp && string.IsNullOrWhiteSpace(options.SmtpHost))
            throw new StartupException("Email:Delivery is Smtp but Email:SmtpHost is empty: give the SMTP server's host name.");
        if (options.SmtpPort is < 1 or > 65535)
            throw new StartupException($"Email:SmtpPort {options.SmtpPort} is not a port number (1–65535).");
        if (!EmailAddress.IsValid(options.FromAddress))
            throw new StartupException($"Email:FromAddress '{options.FromAddress}' is not a plain e-mail address (name@domain, no display name: the name shown comes from Email:FromName).");
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            throw new StartupException($"Email:PublicBaseUrl '{options.PublicBaseUrl}' is not an http(s) address; links in mails start with it.");
        if (options.SmtpTimeoutSeconds < 1 || options.SmtpIdleSeconds < 1)
            throw new StartupException("Email:SmtpTimeoutSeconds and SmtpIdleSeconds must be at least 1.");
        if (!string.IsNullOrEmpty(options.SmtpTrustedCertificatePath) && !File.Exists(options.SmtpTrustedCertificatePath))
            throw new StartupException($"Email:SmtpTrustedCertificatePath '{options.SmtpTrustedCertificatePath}' is not a file (a PEM certificate).");
        if (options.Dkim is { Domain.Length: > 0 } dkim)
        {
            if (string.IsNullOrWhiteSpace(dkim.Selector))
                throw new StartupException("Email:Dkim:Domain is set but Email:Dkim:Selector is empty: give the selector whose public key is published in DNS.");
            if (!File.Exists(dkim.PrivateKeyPath))
                throw new StartupException($"Email:Dkim:PrivateKeyPath '{dkim.PrivateKeyPath}' is not a file (the RSA private key, PEM).");
        }
        if (configuration.GetSection(Section)["MaxAttempts"] is not null)
            throw new StartupException("Email:MaxAttempts is gone: a mail is retried for Email:RetryHours (120 by default) from its first failure.");
        if (options.RetryHours < 0 || options.RetryBaseSeconds <= 0 || options.RetryMaxSeconds < options.RetryBaseSeconds)
            throw new StartupException("Email:RetryHours must be 0 or more, RetryBaseSeconds more than 0, and RetryMaxSeconds at least RetryBaseSeconds.");
        if (options.BatchSize < 1 || options.Parallelism < 1 || options.ParallelismUnderLoad < 1 || options.LeaseSeconds < 5)
            throw new StartupException("Email:BatchSize, Parallelism and ParallelismUnderLoad must be at least 1, and LeaseSeconds at least 5.");
        return options;
    }

    public string Link(string path) => $"{PublicBaseUrl.TrimEnd('/')}/{path.TrimStart('/')}";
}
