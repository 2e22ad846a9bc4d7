using System.Text;
using Passerelle.Email.Templates;

namespace Passerelle.Tests.Email;

/// <summary>
/// docs/email-templates.md lists every mail and its placeholders; it is kept equal to the code. The test only ever
/// compares: with PASSERELLE_WRITE_DOCS=1 it also rewrites a differing doc, and then fails all the same, so a rewrite is
/// looked at and committed, never counted as a pass (and under CI nothing is rewritten).
/// </summary>
public class TemplateDocumentationTests
{
    [Fact]
    public void The_template_documentation_matches_the_templates()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "email-templates.md");
        var expected = Render();
        var actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;

        if (actual != expected && Environment.GetEnvironmentVariable("PASSERELLE_WRITE_DOCS") == "1")
        {
            Environment.GetEnvironmentVariable("CI").ShouldNotBeOneOf(["true", "1"], "under CI the doc is compared, never written");
            File.WriteAllText(path, expected);
            Assert.Fail("docs/email-templates.md was rewritten from the templates: review the difference, commit it, and run the test again.");
        }
        actual.ShouldNotBeNull("docs/email-templates.md is missing: run this test with PASSERELLE_WRITE_DOCS=1 to write it");
        actual.ShouldBe(expected, "templates changed: run this test with PASSERELLE_WRITE_DOCS=1, review and commit the doc");
    }

    private static string Render()
    {
        var doc = new StringBuilder();
        doc.Append("""
            # E-mail templates

            Every mail Passerelle sends, in process order, with the placeholders its subject and body may use.
            A school admin may replace the subject and the body of any of them (Activé/Désactivé); values are
            always HTML-escaped (`{{{ }}}` and `{{& }}` are refused), and a template that does not render falls back
            to the default below. The layout around the body adds the school's name and, for mails with action
            links, the date until which the links work.

            Helpers: `{{#if x}}…{{else}}…{{/if}}`, and `{{bouton liens.accepter "Texte du bouton"}}` for a button
            (a third argument, `"secondaire"`, gives the lighter style).

            This file is checked against the code by `TemplateDocumentationTests`; regenerate it with
            `PASSERELLE_WRITE_DOCS=1 dotnet test --filter TemplateDocumentationTests`.

            """.ReplaceLineEndings("\n"));
        foreach (var template in DefaultTemplates.All)
        {
            doc.Append('\n').Append("## `").Append(template.Key).Append("` — ").Append(template.Name).Append('\n');
            doc.Append('\n').Append("For: ").Append(template.Audience switch
            {
                Audience.Candidate => "the candidate",
                Audience.Company => "the company contact",
                _ => "the staff member who created the referral",
            }).Append(".\n");
            doc.Append('\n').Append("Default subject: `").Append(template.Subject).Append("`\n");
            doc.Append('\n').Append("Placeholders: ").Append(string.Join(", ", template.Placeholders.Select(p => $"`{{{{{p}}}}}`"))).Append('\n');
            if (template.Repeated is { } repeated)
            {
                doc.Append('\n').Append($"Repeated for each item of `{repeated.List}`, inside `{{{{#each {repeated.List}}}}}` … `{{{{/each}}}}`: ")
                    .Append(string.Join(", ", repeated.ItemPlaceholders.Select(p => $"`{{{{{p}}}}}`"))).Append('\n');
            }
        }
        return doc.ToString();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Passerelle.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Passerelle.slnx not found above the test binaries");
    }
}
