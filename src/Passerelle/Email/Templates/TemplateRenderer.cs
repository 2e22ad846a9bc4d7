using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using Microsoft.Extensions.Caching.Memory;

namespace Passerelle.Email.Templates;

public sealed record RenderedMail(string Subject, string Html, string Text, bool UsedSchoolTemplate, IReadOnlyList<string>? Removed = null);

/// <summary>
/// Renders a mail from the school's template when it has an enabled one, else from the French default,
/// with Handlebars. Values are HTML-escaped in the body; a school's template is held to <see cref="TemplateSafety"/>'s
/// limits and allow-list; one that fails to render (or that tries to print a value unescaped) falls back to the
/// default with a warning, so a mail is never blocked.
/// </summary>
public sealed partial class TemplateRenderer(ILogger<TemplateRenderer> logger, TemplateSafety safety) : IDisposable
{
    private readonly IHandlebars _html = CreateEngine(escape: true);
    private readonly IHandlebars _plain = CreateEngine(escape: false);

    // The defaults are a fixed set; schools' saved templates are many and change, so their cache is bounded. Drafts
    // (preview, check, test mail) are compiled each time and never kept.
    private readonly ConcurrentDictionary<(bool Html, string Source), HandlebarsTemplate<object, object>> _defaults = new();
    // Keyed by (subject, body): a school's template, checked and compiled.
    private readonly MemoryCache _schools = new(new MemoryCacheOptions { SizeLimit = 512 });

    public void Dispose() => _schools.Dispose();

    private enum Origin
    {
        Default,
        School,
        Draft,
    }

    public RenderedMail Render(string key, EmailTemplate? schoolTemplate, object model, string schoolName, DateTimeOffset? linksExpireAt)
    {
        var definition = DefaultTemplates.For(key);
        if (schoolTemplate is { Enabled: true })
        {
            try
            {
                return Render(schoolTemplate.Subject, schoolTemplate.Body, model, schoolName, linksExpireAt, Origin.School);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning("The template {Key} of school {SchoolId} does not render ({Error}); the default was used instead.",
                    key, schoolTemplate.SchoolId, e.Message);
            }
        }
        return Render(definition.Subject, definition.Body, model, schoolName, linksExpireAt, Origin.Default);
    }

    /// <summary>Checks a template a school admin wrote; returns the problem in French, or null when it renders.</summary>
    public string? Check(string subject, string body, object sampleModel) => RenderDraft(subject, body, sampleModel, "École", null).Problem;

    /// <summary>
    /// A draft as it would be mailed (for the preview and the test mail), or the problem in French: over the limits,
    /// a syntax error, an unescaped value. Nothing of it is kept.
    /// </summary>
    public (RenderedMail? Mail, string? Problem) RenderDraft(string subject, string body, object model, string schoolName, DateTimeOffset? linksExpireAt)
    {
        try
        {
            return (Render(subject, body, model, schoolName, linksExpireAt, Origin.Draft), null);
        }
        catch (TemplateRejectedException e)
        {
            return (null, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Handlebars.Net explains in English, and with several exception types: the admin gets one French answer.
            logger.LogInformation("A template draft does not compile: {Error}", e.Message);
            return (null, SyntaxError);
        }
    }

    public const string SyntaxError = "Le modèle contient une erreur de syntaxe : vérifiez que chaque bloc {{#…}} a un seul {{else}} et se ferme " +
        "par {{/…}}, et n'utilisez que les valeurs listées (pas d'inclusion {{> …}}).";

    private RenderedMail Render(string subjectSource, string bodySource, object model, string schoolName, DateTimeOffset? linksExpireAt, Origin origin)
    {
        var (subjectTemplate, bodyTemplate) = Compile(subjectSource, bodySource, origin);
        var subject = OneLine(subjectTemplate(model));
        var body = bodyTemplate(model);
        IReadOnlyList<string>? removed = null;
        if (origin != Origin.Default)
            (body, removed) = safety.Sanitize(body);
        var html = Layout(subject, body, schoolName, linksExpireAt);
        return new RenderedMail(subject, html, HtmlToText(html), origin != Origin.Default, removed);
    }

    /// <summary>
    /// A mail's subject and body, compiled. A school's template or a draft is checked first (limits, no unescaped value);
    /// a school's saved template is checked and compiled once, then kept: each mail only runs it.
    /// </summary>
    private (HandlebarsTemplate<object, object> Subject, HandlebarsTemplate<object, object> Body) Compile(string subjectSource, string bodySource, Origin origin)
    {
        switch (origin)
        {
            case Origin.Default:
                return (_defaults.GetOrAdd((false, subjectSource), key => _plain.Compile(key.Source)),
                    _defaults.GetOrAdd((true, bodySource), key => _html.Compile(key.Source)));
            case Origin.School:
                return _schools.GetOrCreate((subjectSource, bodySource), entry =>
                {
                    entry.Size = 1;
                    entry.SlidingExpiration = TimeSpan.FromHours(1);
                    return CheckedCompile(subjectSource, bodySource);
                });
            default:
                return CheckedCompile(subjectSource, bodySource);
        }
    }

    private (HandlebarsTemplate<object, object>, HandlebarsTemplate<object, object>) CheckedCompile(string subjectSource, string bodySource)
    {
        if (TemplateSafety.LimitProblem(subjectSource, bodySource) is { } tooMuch)
            throw new TemplateRejectedException(tooMuch);
        if (Unescaped().IsMatch(bodySource) || Unescaped().IsMatch(subjectSource))
            throw new TemplateRejectedException("Les balises {{{ }}} et {{& }} sont interdites : les valeurs sont toujours échappées.");
        return (_plain.Compile(subjectSource), _html.Compile(bodySource));
    }

    private static string Layout(string subject, string body, string schoolName, DateTimeOffset? linksExpireAt)
    {
        var school = WebUtility.HtmlEncode(schoolName);
        var expiry = linksExpireAt is { } at
            ? $"""<p style="font-size:13px;color:#374151;margin:16px 0 0">Les boutons et liens de ce message fonctionnent jusqu'au {ParisTime.Date(at)} à {ParisTime.Time(at)}.</p>"""
            : "";
        return $"""
            <!doctype html>
            <html lang="fr">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{WebUtility.HtmlEncode(subject)}</title></head>
            <body style="margin:0;padding:0;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;color:#111827">
            <div style="max-width:600px;margin:0 auto;padding:24px">
            <p style="font-size:13px;font-weight:bold;color:#374151;text-transform:uppercase;letter-spacing:.04em;margin:0 0 12px">{school}</p>
            <div style="background:#ffffff;border-radius:8px;padding:24px;line-height:1.5;font-size:15px">
            {body}
            {expiry}
            </div>
            <p style="font-size:12px;color:#4b5563;margin:16px 0 0">Message envoyé par {school} avec Passerelle.</p>
            </div>
            </body>
            </html>
            """;
    }

    /// <summary>The plain-text part: paragraphs and list items on their own lines, each link as "text : address".</summary>
    public static string HtmlToText(string html)
    {
        var body = BodyContent().Match(html) is { Success: true } m ? m.Groups[1].Value : html;
        body = Title().Replace(body, "");
        body = Anchor().Replace(body, a =>
        {
            var href = WebUtility.HtmlDecode(a.Groups[1].Value);
            var text = Tags().Replace(a.Groups[2].Value, "").Trim();
            return href.Length == 0 ? text : $"{text} : {href}";
        });
        body = LineBreakTags().Replace(body, "\n");
        body = ListItem().Replace(body, "\n- ");
        body = WebUtility.HtmlDecode(Tags().Replace(body, ""));
        var lines = body.Split('\n').Select(l => Spaces().Replace(l, " ").Trim());
        var text = new StringBuilder();
        var blank = false;
        var previous = "";
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                blank = text.Length > 0;
                continue;
            }
            // Items of one list stay together; paragraphs are separated by one blank line.
            if (blank && !(line.StartsWith("- ", StringComparison.Ordinal) && previous.StartsWith("- ", StringComparison.Ordinal)))
                text.Append('\n');
            text.Append(line).Append('\n');
            blank = false;
            previous = line;
        }
        return text.ToString();
    }

    private static string OneLine(string text) => Spaces().Replace(text.Replace('\r', ' ').Replace('\n', ' '), " ").Trim();

    private static IHandlebars CreateEngine(bool escape)
    {
        var configuration = new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = false, NoEscape = !escape };
        var engine = Handlebars.Create(configuration);
        // {{bouton liens.accepter "Accepter le candidat"}}, with "secondaire" as a third argument for the lighter style.
        engine.RegisterHelper("bouton", (writer, _, arguments) =>
        {
            var url = arguments.Length > 0 ? arguments[0]?.ToString() : null;
            if (string.IsNullOrEmpty(url))
                return;
            var label = arguments.Length > 1 ? arguments[1]?.ToString() ?? url : url;
            var secondary = arguments.Length > 2;
            var style = secondary
                ? "display:inline-block;padding:10px 18px;margin:4px 0;border:2px solid #1d4ed8;border-radius:6px;color:#1d4ed8;background:#ffffff;text-decoration:none;font-weight:bold"
                : "display:inline-block;padding:10px 18px;margin:4px 0;border:2px solid #1d4ed8;border-radius:6px;color:#ffffff;background:#1d4ed8;text-decoration:none;font-weight:bold";
            writer.WriteSafeString($"""<a href="{WebUtility.HtmlEncode(url)}" style="{style}">{WebUtility.HtmlEncode(label)}</a>""");
        });
        return engine;
    }

    [GeneratedRegex(@"\{\{\{|\{\{~?\s*&", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Unescaped();

    [GeneratedRegex(@"<body[^>]*>(.*)</body>", RegexOptions.Singleline | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BodyContent();

    [GeneratedRegex(@"<title>.*?</title>", RegexOptions.Singleline | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Title();

    [GeneratedRegex("""<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>""", RegexOptions.Singleline | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Anchor();

    [GeneratedRegex(@"<br\s*/?>|</p>|</div>|</h\d>|</ol>|</ul>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LineBreakTags();

    [GeneratedRegex(@"<li[^>]*>", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ListItem();

    [GeneratedRegex("<[^>]+>", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Tags();

    [GeneratedRegex(@"[ \t\u00A0]+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Spaces();

    private sealed class TemplateRejectedException(string message) : Exception(message);
}
