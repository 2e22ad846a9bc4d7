using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;

namespace Passerelle.Email;

/// <summary>Hands a composed mail to the outside world: an SMTP server, or a folder of .eml files.</summary>
public interface IMailTransport
{
    Task SendAsync(ComposedMail mail, CancellationToken ct);
}

/// <summary>Delivery with System.Net.Mail (MailKit is not obtainable here): SMTP, or .eml files in a folder.</summary>
public sealed class SystemNetMailTransport(EmailOptions options) : IMailTransport
{
    private readonly string _folder = Path.GetFullPath(options.Folder);

    public async Task SendAsync(ComposedMail mail, CancellationToken ct)
    {
        using var message = Build(mail, options);
        using var client = CreateClient();
        if (options.Delivery == MailDelivery.Folder)
        {
            await client.SendMailAsync(message, ct);
            return;
        }
        // System.Net.Mail's asynchronous send still blocks a thread-pool thread for most of the SMTP conversation:
        // many at once would starve the web requests of threads (bench/findings.md, 2). The conversation gets a
        // thread of its own.
        await Task.Factory.StartNew(() => client.Send(message), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private SmtpClient CreateClient()
    {
        if (options.Delivery == MailDelivery.Folder)
        {
            Directory.CreateDirectory(_folder);
            return new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = _folder };
        }

        var client = new SmtpClient(options.SmtpHost, options.SmtpPort)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            EnableSsl = options.SmtpSecurity == SmtpSecurity.StartTls,
            Timeout = options.SmtpTimeoutSeconds * 1000,
        };
        if (!string.IsNullOrEmpty(options.SmtpUserName))
            client.Credentials = new NetworkCredential(options.SmtpUserName, options.SmtpPassword);
        return client;
    }

    /// <summary>multipart/alternative with text and HTML (and the text/calendar part), plus the .ics as an attachment.</summary>
    public static MailMessage Build(ComposedMail mail, EmailOptions options)
    {
        var message = new MailMessage
        {
            From = new MailAddress(options.FromAddress, mail.FromName, Encoding.UTF8),
            Subject = mail.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
        };
        message.To.Add(new MailAddress(mail.ToAddress, mail.ToName, Encoding.UTF8));
        message.Headers.Add("Message-ID", mail.MessageId);
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var text = AlternateView.CreateAlternateViewFromString(mail.Text, Encoding.UTF8, MediaTypeNames.Text.Plain);
        text.TransferEncoding = TransferEncoding.QuotedPrintable;
        var html = AlternateView.CreateAlternateViewFromString(mail.Html, Encoding.UTF8, MediaTypeNames.Text.Html);
        html.TransferEncoding = TransferEncoding.QuotedPrintable;
        message.AlternateViews.Add(text);
        message.AlternateViews.Add(html);

        if (mail.Calendar is not null)
        {
            var method = mail.CalendarMethod == Referrals.CalendarInvite.Cancel ? "CANCEL" : "REQUEST";
            var calendarType = new ContentType("text/calendar") { CharSet = "utf-8" };
            calendarType.Parameters.Add("method", method);
            var calendar = AlternateView.CreateAlternateViewFromString(mail.Calendar, calendarType);
            calendar.TransferEncoding = TransferEncoding.Base64;
            message.AlternateViews.Add(calendar);

            var attachment = new Attachment(new MemoryStream(Encoding.UTF8.GetBytes(mail.Calendar)), "invitation.ics", "application/ics");
            message.Attachments.Add(attachment);
        }
        return message;
    }
}
