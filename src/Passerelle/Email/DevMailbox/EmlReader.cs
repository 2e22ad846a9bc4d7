using System.Text;
using System.Text.RegularExpressions;

namespace Passerelle.Email.DevMailbox;

/// <summary>One MIME part: its headers and its decoded content.</summary>
public sealed record EmlPart(string ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Content, string? FileName)
{
    public string Text => Encoding.UTF8.GetString(Content);
}

/// <summary>A mail read back from an .eml file (the folder delivery, the test SMTP sink).</summary>
public sealed record EmlMessage(IReadOnlyDictionary<string, string> Headers, IReadOnlyList<EmlPart> Parts)
{
    public string Subject => Header("Subject");
    public string From => Header("From");
    public string To => Header("To");
    public string MessageId => Header("Message-ID");
    public string Date => Header("Date");
    public string? Html => Parts.FirstOrDefault(p => p.ContentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))?.Text;
    public string? Text => Parts.FirstOrDefault(p => p.ContentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))?.Text;
    public EmlPart? Calendar => Parts.FirstOrDefault(p => p.ContentType.StartsWith("text/calendar", StringComparison.OrdinalIgnoreCase));
    public IEnumerable<EmlPart> Attachments => Parts.Where(p => p.FileName is not null);

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// A small MIME reader, enough for the mails Passerelle writes (multipart, base64 and quoted-printable, UTF-8,
/// RFC 2047 encoded words). MimeKit is not obtainable here.
/// </summary>
public static partial class EmlReader
{
    public static EmlMessage Read(string raw)
    {
        var (headers, body) = Split(raw);
        var parts = new List<EmlPart>();
        CollectParts(headers, body, parts);
        return new EmlMessage(headers, parts);
    }

    private static void CollectParts(Dictionary<string, string> headers, string body, List<EmlPart> parts)
    {
        var contentType = headers.TryGetValue("Content-Type", out var type) ? type : "text/plain";
        if (contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = Parameter(contentType, "boundary") ?? throw new FormatException("multipart without boundary");
            var delimiter = "--" + boundary;
            var sections = body.Split(delimiter);
            // sections[0] is the preamble; the last one starts with "--" (the closing delimiter).
            foreach (var section in sections.Skip(1))
            {
                if (section.StartsWith("--", StringComparison.Ordinal))
                    break;
                var (partHeaders, partBody) = Split(section.TrimStart('\r', '\n'));
                CollectParts(partHeaders, partBody, parts);
            }
            return;
        }

        var encoding = headers.TryGetValue("Content-Transfer-Encoding", out var cte) ? cte.Trim().ToLowerInvariant() : "7bit";
        var content = encoding switch
        {
            "base64" => Convert.FromBase64String(Regex.Replace(body, @"\s", "")),
            "quoted-printable" => QuotedPrintable(body),
            _ => Encoding.UTF8.GetBytes(body),
        };
        var disposition = headers.TryGetValue("Content-Disposition", out var d) ? d : "";
        var fileName = Parameter(disposition, "filename") ?? (disposition.StartsWith("attachment", StringComparison.OrdinalIgnoreCase) ? Parameter(contentType, "name") : null);
        parts.Add(new EmlPart(contentType, headers, content, fileName));
    }

    private static (Dictionary<string, string> Headers, string Body) Split(string raw)
    {
        var normalized = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var end = normalized.IndexOf("\n\n", StringComparison.Ordinal);
        var headerText = end < 0 ? normalized : normalized[..end];
        var body = end < 0 ? "" : normalized[(end + 2)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in headerText.Split('\n'))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && last is not null)
            {
                headers[last] += " " + line.Trim();
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                continue;
            last = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[last] = headers.TryGetValue(last, out var existing) ? existing + ", " + value : value;
        }
        foreach (var key in headers.Keys.ToList())
            headers[key] = DecodeWords(headers[key]);
        return (headers, body);
    }

    private static string? Parameter(string header, string name)
    {
        var match = Regex.Match(header, $@"(?:^|;)\s*{name}\s*=\s*(?:""([^""]*)""|([^;\s]+))", RegexOptions.IgnoreCase);
        return match.Success ? (match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value) : null;
    }

    private static byte[] QuotedPrintable(string text)
    {
        var bytes = new List<byte>(text.Length);
        var lines = text.Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            var line = lines[l].TrimEnd('\r');
            var soft = line.EndsWith('=');
            if (soft)
                line = line[..^1];
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == '=' && i + 2 < line.Length + 0 && Uri.IsHexDigit(line[i + 1]) && Uri.IsHexDigit(line[i + 2]))
                {
                    bytes.Add(Convert.ToByte(line.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(line[i].ToString()));
                }
            }
            if (!soft && l < lines.Length - 1)
                bytes.Add((byte)'\n');
        }
        return bytes.ToArray();
    }

    /// <summary>RFC 2047: =?utf-8?B?…?= and =?utf-8?Q?…?=, adjacent words joined.</summary>
    private static string DecodeWords(string value)
    {
        var joined = AdjacentWords().Replace(value, "$1$2");
        return EncodedWord().Replace(joined, m =>
        {
            var charset = Encoding.GetEncoding(m.Groups[1].Value);
            var data = m.Groups[3].Value;
            var bytes = m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(data)
                : QuotedPrintable(data.Replace('_', ' '));
            return charset.GetString(bytes);
        });
    }

    [GeneratedRegex(@"(\?=)\s+(=\?)")]
    private static partial Regex AdjacentWords();

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}
