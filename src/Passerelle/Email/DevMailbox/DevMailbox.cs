using System.Text.RegularExpressions;
using MimeKit;

namespace Passerelle.Email.DevMailbox;

/// <summary>
/// The development mailbox: the .eml files of the folder delivery, so a new user can follow the whole workflow
/// from the browser. Only in Development, and only when mail goes to the folder.
/// </summary>
public sealed partial class DevMailbox(EmailOptions options, IHostEnvironment environment)
{
    private readonly string _folder = Path.GetFullPath(options.Folder);

    public bool IsOpen => environment.IsDevelopment() && options.Delivery == MailDelivery.Folder;

    public sealed record Entry(string File, MimeMessage Message, DateTime ReceivedAt)
    {
        public string To => string.Join(", ", Message.To.Mailboxes.Select(m => string.IsNullOrEmpty(m.Name) ? m.Address : $"{m.Name} <{m.Address}>"));
        public string From => string.Join(", ", Message.From.Mailboxes.Select(m => string.IsNullOrEmpty(m.Name) ? m.Address : $"{m.Name} <{m.Address}>"));
        public IEnumerable<MimePart> Attachments => Message.Attachments.OfType<MimePart>();
    }

    /// <summary>The newest mails first.</summary>
    public IReadOnlyList<Entry> List(int max = 200)
    {
        if (!Directory.Exists(_folder))
            return [];
        return new DirectoryInfo(_folder).GetFiles("*.eml")
            .OrderByDescending(f => f.LastWriteTimeUtc).ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(f => new Entry(f.Name, MimeMessage.Load(f.FullName), f.LastWriteTimeUtc))
            .ToList();
    }

    /// <summary>One mail by file name; null for anything that is not a plain file name of the folder.</summary>
    public Entry? Find(string file)
    {
        if (!SafeName().IsMatch(file))
            return null;
        var path = Path.Combine(_folder, file);
        return File.Exists(path) ? new Entry(file, MimeMessage.Load(path), File.GetLastWriteTimeUtc(path)) : null;
    }

    /// <summary>The HTML part, with links opening in the whole window rather than in the preview frame.</summary>
    public static string Preview(MimeMessage message)
    {
        var html = message.HtmlBody ?? $"<pre>{System.Net.WebUtility.HtmlEncode(message.TextBody ?? "")}</pre>";
        return html.Contains("<head>", StringComparison.OrdinalIgnoreCase)
            ? HeadTag().Replace(html, "$0<base target=\"_top\">", 1)
            : "<base target=\"_top\">" + html;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+\.eml$")]
    private static partial Regex SafeName();

    [GeneratedRegex("<head[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex HeadTag();
}
