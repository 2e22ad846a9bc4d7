using System.Text.RegularExpressions;
using Ganss.Xss;

namespace Passerelle.Email.Templates;

/// <summary>
/// What a school admin's template may be. Limits are checked on the source before Handlebars compiles it (its
/// compiler recurses per nested block: tens of thousands of nested <c>{{#if}}</c> overflow the stack and end the
/// process). The rendered HTML is reduced to an allow-list of tags and attributes, and every address in it must
/// lead to Passerelle: a link or image elsewhere could carry a token of <c>{{liens.…}}</c> off-site.
/// </summary>
public sealed partial class TemplateSafety
{
    public const int MaxSubjectLength = 300;
    public const int MaxBodyLength = 20_000;
    public const int MaxNesting = 8;
    public const int MaxTags = 400;
    public const string TooLong = "Le modèle est trop long (objet : 300 caractères, corps : 20 000 au plus).";

    private readonly HtmlSanitizerOptions _allowed;
    private readonly string _publicBase;

    public TemplateSafety(EmailOptions options)
    {
        _publicBase = options.PublicBaseUrl.TrimEnd('/') + "/";
        _allowed = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(
                ["p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h1", "h2", "h3", "h4", "blockquote", "span", "div", "a",
                 "table", "thead", "tbody", "tr", "td", "th", "hr", "small"], StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(["href", "style", "title", "colspan", "rowspan", "align"], StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["https", "http"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(["href"], StringComparer.OrdinalIgnoreCase),
            // The library's list of plain CSS properties; any url() in them is held to the same rule as links.
            AllowedCssProperties = HtmlSanitizerDefaults.AllowedCssProperties.ToHashSet(StringComparer.OrdinalIgnoreCase),
        };
    }

    /// <summary>The first limit the template breaks, in French; null when it is within them all.</summary>
    public static string? LimitProblem(string subject, string body)
    {
        if (subject.Length > MaxSubjectLength || body.Length > MaxBodyLength)
            return TooLong;
        var tags = 0;
        foreach (var source in new[] { subject, body })
        {
            // Each open block pushes a level; an {{else if}} nests one more inside the same block; its close pops them all.
            var open = new Stack<int>();
            foreach (Match tag in Tag().Matches(source))
            {
                if (++tags > MaxTags)
                    return $"Le modèle contient trop de balises {{{{ }}}} ({MaxTags} au plus).";
                var inner = tag.Groups[1].Value.TrimStart('~', ' ');
                if (inner.StartsWith('#') || (inner.StartsWith('^') && inner.TrimEnd('~', ' ').Length > 1))
                    open.Push(1);
                else if (inner.StartsWith("else ", StringComparison.Ordinal) && open.Count > 0)
                    open.Push(open.Pop() + 1);
                else if (inner.StartsWith('/') && open.Count > 0)
                    open.Pop();
                if (open.Sum() > MaxNesting || ParenthesesDepth(inner) > MaxNesting)
                    return $"Le modèle imbrique trop de blocs {{{{#…}}}} ({MaxNesting} niveaux au plus).";
            }
        }
        return null;
    }

    private static int ParenthesesDepth(string tag)
    {
        int depth = 0, deepest = 0;
        foreach (var c in tag)
        {
            if (c == '(')
                deepest = Math.Max(deepest, ++depth);
            else if (c == ')')
                depth--;
        }
        return deepest;
    }

    /// <summary>The body's HTML reduced to the allow-list, and what was taken out (for the editor to say so).</summary>
    public (string Html, IReadOnlyList<string> Removed) Sanitize(string html)
    {
        var removed = new List<string>();
        // A sanitizer per call (it only references the shared allow-lists): its events report this call's removals.
        var sanitizer = new HtmlSanitizer(_allowed);
        sanitizer.FilterUrl += (_, e) =>
        {
            // Only Passerelle's own pages; relative and off-site addresses go.
            if (e.SanitizedUrl is not { } url || !url.StartsWith(_publicBase, StringComparison.OrdinalIgnoreCase))
                e.SanitizedUrl = null;
        };
        sanitizer.RemovingTag += (_, e) => removed.Add($"<{e.Tag.TagName.ToLowerInvariant()}>");
        sanitizer.RemovingAttribute += (_, e) => removed.Add($"l'attribut {e.Attribute.Name}");
        sanitizer.RemovingStyle += (_, e) => removed.Add($"style {e.Style.Name}");
        return (sanitizer.Sanitize(html), removed.Distinct().ToList());
    }

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Tag();
}
