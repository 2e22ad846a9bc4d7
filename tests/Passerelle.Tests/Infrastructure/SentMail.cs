using MimeKit;

namespace Passerelle.Tests.Infrastructure;

/// <summary>A mail as it arrived (the SMTP sink, the mail folder), read with MimeKit; the views the tests assert on.</summary>
public sealed class SentMail(MimeMessage message)
{
    public static SentMail Load(string path) => new(MimeMessage.Load(path));

    public MimeMessage Message => message;
    public string Subject => message.Subject ?? "";
    public string From => Addresses(message.From);
    public string To => Addresses(message.To);

    /// <summary>As the outbox stores it: with its angle brackets.</summary>
    public string MessageId => $"<{message.MessageId}>";

    public string? Text => message.TextBody;
    public string? Html => message.HtmlBody;

    /// <summary>The text/calendar part of an invitation, with the method its Content-Type gives.</summary>
    public CalendarPart? Calendar => message.BodyParts.OfType<TextPart>().FirstOrDefault(p => p.ContentType.IsMimeType("text", "calendar")) is { } part
        ? new CalendarPart(part.ContentType.Parameters["method"] ?? "", part.Text)
        : null;

    public IEnumerable<MimePart> Attachments => message.Attachments.OfType<MimePart>();

    public string Header(string name) => message.Headers[name] ?? "";

    private static string Addresses(InternetAddressList list) =>
        string.Join(", ", list.Mailboxes.Select(m => string.IsNullOrEmpty(m.Name) ? m.Address : $"{m.Name} <{m.Address}>"));
}

public sealed record CalendarPart(string Method, string Text);
