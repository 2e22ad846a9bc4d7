using Microsoft.Extensions.Logging.Abstractions;
using Passerelle.Email;
using Passerelle.Email.Templates;
using Passerelle.Referrals;

namespace Passerelle.Tests.Email;

public class TemplateTests
{
    private static readonly TemplateRenderer Renderer =
        new(NullLogger<TemplateRenderer>.Instance, new TemplateSafety(new EmailOptions { PublicBaseUrl = "https://passerelle.example" }));
    private static readonly DateTimeOffset Expiry = new(2020, 5, 22, 13, 41, 0, TimeSpan.Zero);

    public static TheoryData<string> Keys() => new(DefaultTemplates.All.Select(t => t.Key));

    [Fact]
    public void Every_template_key_of_the_product_has_a_default()
    {
        var workflowKeys = typeof(TemplateKeys).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetValue(null)!).ToList();

        DefaultTemplates.All.Select(t => t.Key).ShouldBe(workflowKeys, ignoreOrder: true);
        TemplateKeys.SchoolMayMute.ShouldBeSubsetOf(workflowKeys);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Every_key_renders_with_sample_data_into_html_and_text(string key)
    {
        var mail = Renderer.Render(key, null, RenderModel.Sample(), "Passerelle School", Expiry);

        // The built-in mails are not checked at each render as a school's are: they must hold to the same rule.
        foreach (var source in new[] { DefaultTemplates.For(key).Subject, DefaultTemplates.For(key).Body })
        {
            source.ShouldNotContain("{{{");
            source.ShouldNotContain("{{&");
        }
        mail.Subject.ShouldNotBeNullOrWhiteSpace();
        mail.Subject.ShouldNotContain("{{");
        mail.Html.ShouldNotContain("{{");
        mail.Html.ShouldContain("<html lang=\"fr\">");
        mail.Html.ShouldContain("PASSERELLE SCHOOL".ToLowerInvariant(), Case.Insensitive);
        mail.Text.ShouldNotContain("<");
        mail.Text.ShouldContain("Les boutons et liens de ce message fonctionnent jusqu'au 22/05/2020 à 15h41.");
        foreach (var placeholder in DefaultTemplates.For(key).Placeholders)
            Lookup(RenderModel.Sample(), placeholder).ShouldBeTrue($"{placeholder} is documented for {key} but the sample has no value for it");
        if (DefaultTemplates.For(key).Repeated is { } repeated)
        {
            var items = RenderModel.Sample()[repeated.List].ShouldBeAssignableTo<IEnumerable<Dictionary<string, object?>>>()!.ToList();
            items.Count.ShouldBeGreaterThan(1, "the sample shows the list with several items");
            foreach (var placeholder in repeated.ItemPlaceholders)
                items.ShouldAllBe(item => Lookup(item, placeholder), $"{placeholder} is documented for each {repeated.ItemName} of {key}");
        }
    }

    [Fact]
    public void The_candidate_proposal_carries_the_four_links_of_the_document()
    {
        var mail = Renderer.Render(TemplateKeys.CandidateToCompany, null, RenderModel.Sample(), "Passerelle School", Expiry);

        mail.Subject.ShouldBe("Proposition de candidat : TECHER Margaud pour « Et laboriosam praesentium »");
        mail.Html.ShouldContain("href=\"https://passerelle.example/l/exemple/profil\"");
        mail.Html.ShouldContain("href=\"https://passerelle.example/l/exemple/offre\"");
        mail.Html.ShouldContain("href=\"https://passerelle.example/l/exemple/accepter\"");
        mail.Html.ShouldContain("href=\"https://passerelle.example/l/exemple/refuser\"");
        mail.Text.ShouldContain("Accepter le candidat et proposer un rendez-vous : https://passerelle.example/l/exemple/accepter");
        mail.Text.ShouldContain("Refuser le candidat : https://passerelle.example/l/exemple/refuser");
    }

    [Fact]
    public void The_push_mail_lists_each_profile_with_its_own_three_links()
    {
        var mail = Renderer.Render(TemplateKeys.PushToCompany, null, RenderModel.Sample(), "Passerelle School", Expiry);

        mail.Subject.ShouldBe("Passerelle School vous propose des profils de candidat");
        foreach (var (name, token) in new[] { ("TECHER Margaud", "exemple"), ("JOURDAN Guillaume", "exemple2") })
        {
            mail.Html.ShouldContain($"<h2>{name}</h2>");
            mail.Html.ShouldContain($"href=\"https://passerelle.example/l/p/{token}\"");
            mail.Text.ShouldContain($"Je souhaite rencontrer ce candidat : https://passerelle.example/l/p/{token}/rencontrer");
            mail.Text.ShouldContain($"Ne pas donner suite : https://passerelle.example/l/p/{token}/ne-pas-donner-suite");
        }
        mail.Text.ShouldContain("Chacun a accepté que son profil vous soit proposé.");
    }

    [Fact]
    public void A_school_may_write_its_own_push_mail_repeating_each_profile()
    {
        var body = "<ul>{{#each profils}}<li>{{nomComplet}} : {{bouton liens.rencontrer \"Rencontrer\"}}</li>{{/each}}</ul>";
        var template = new EmailTemplate { SchoolId = Guid.NewGuid(), Key = TemplateKeys.PushToCompany, Subject = "Profils", Body = body, Enabled = true };

        var mail = Renderer.Render(TemplateKeys.PushToCompany, template, RenderModel.Sample(), "Passerelle School", Expiry);

        mail.UsedSchoolTemplate.ShouldBeTrue();
        mail.Text.ShouldContain("TECHER Margaud : Rencontrer : https://passerelle.example/l/p/exemple/rencontrer");
        mail.Text.ShouldContain("JOURDAN Guillaume : Rencontrer : https://passerelle.example/l/p/exemple2/rencontrer");
    }

    [Fact]
    public void Hostile_values_are_escaped_and_still_render()
    {
        var model = RenderModel.Sample();
        var longName = new string('A', 5000);
        ((Dictionary<string, object?>)model["candidat"]!)["prenom"] = "<script>alert(1)</script>";
        ((Dictionary<string, object?>)model["candidat"]!)["nomComplet"] = "{{ecole.nom}} ЖУРДАН 李明 " + longName;
        ((Dictionary<string, object?>)model["entreprise"]!)["nom"] = "\"Quotes\" & <b>bold</b>";
        model["commentaire"] = "Line one\r\nBcc: evil@example.org";

        foreach (var key in DefaultTemplates.All.Select(t => t.Key))
        {
            var mail = Renderer.Render(key, null, model, "École <i>test</i>", Expiry);

            mail.Html.ShouldNotContain("<script>");
            mail.Html.ShouldNotContain("<b>bold</b>");
            mail.Html.ShouldNotContain("<i>test</i>");
            mail.Subject.ShouldNotContain("\n");
            mail.Subject.ShouldNotContain("\r");
            if (mail.Html.Contains("alert(1)", StringComparison.Ordinal))
                mail.Html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
            if (mail.Html.Contains("ЖУРДАН", StringComparison.Ordinal))
            {
                mail.Html.ShouldContain("{{ecole.nom}} ЖУРДАН 李明", customMessage: "a value is printed, never evaluated as a template");
                mail.Text.ShouldContain("ЖУРДАН 李明");
            }
        }
    }

    [Fact]
    public void An_enabled_school_template_replaces_the_default_and_a_disabled_one_does_not()
    {
        var template = new EmailTemplate
        {
            SchoolId = Guid.NewGuid(), Key = TemplateKeys.OfferToCandidate, Subject = "Une offre pour vous, {{candidat.prenom}}",
            Body = "<p>Bonjour {{candidat.prenom}}, voici l'offre {{offre.titre}}.</p>{{bouton liens.accepterOffre \"J'accepte\"}}", Enabled = true,
        };

        var custom = Renderer.Render(template.Key, template, RenderModel.Sample(), "Passerelle School", Expiry);
        template.Enabled = false;
        var standard = Renderer.Render(template.Key, template, RenderModel.Sample(), "Passerelle School", Expiry);

        custom.UsedSchoolTemplate.ShouldBeTrue();
        custom.Subject.ShouldBe("Une offre pour vous, Margaud");
        custom.Html.ShouldContain("voici l'offre Et laboriosam praesentium.");
        custom.Html.ShouldContain(">J'accepte</a>");
        custom.Text.ShouldContain("Les boutons et liens de ce message fonctionnent jusqu'au", customMessage: "the expiry is printed whatever the school wrote");
        standard.UsedSchoolTemplate.ShouldBeFalse();
        standard.Subject.ShouldBe("Passerelle School vous propose une offre : Et laboriosam praesentium");
    }

    [Theory]
    [InlineData("<p>{{/if}}</p>")]
    [InlineData("<p>{{{candidat.prenom}}}</p>")]
    [InlineData("<p>{{& candidat.prenom}}</p>")]
    [InlineData("<p>{{#each offre}}")]
    public void A_school_template_that_does_not_render_falls_back_to_the_default(string body)
    {
        var template = new EmailTemplate { SchoolId = Guid.NewGuid(), Key = TemplateKeys.OfferToCandidate, Subject = "Sujet", Body = body, Enabled = true };

        var mail = Renderer.Render(template.Key, template, RenderModel.Sample(), "Passerelle School", Expiry);

        mail.UsedSchoolTemplate.ShouldBeFalse();
        mail.Subject.ShouldBe("Passerelle School vous propose une offre : Et laboriosam praesentium");
        Renderer.Check(template.Subject, body, RenderModel.Sample()).ShouldNotBeNull();
    }

    [Theory]
    [InlineData(30_000, "Le modèle est trop long (objet : 300 caractères, corps : 20 000 au plus).")]
    [InlineData(9, "Le modèle imbrique trop de blocs {{#…}} (8 niveaux au plus).")]
    public void Deeply_nested_blocks_are_refused_before_they_are_compiled(int depth, string message)
    {
        // 30,000 nested {{#if}} overflowed the compiler's stack and ended the process.
        var body = string.Concat(Enumerable.Repeat("{{#if candidat}}", depth)) + "x" + string.Concat(Enumerable.Repeat("{{/if}}", depth));

        Renderer.Check("Sujet", body, RenderModel.Sample()).ShouldBe(message);
        var template = new EmailTemplate { SchoolId = Guid.NewGuid(), Key = TemplateKeys.OfferToCandidate, Subject = "Sujet", Body = body, Enabled = true };
        Renderer.Render(template.Key, template, RenderModel.Sample(), "Passerelle School", Expiry).UsedSchoolTemplate.ShouldBeFalse("a template saved before the limits still falls back");
    }

    [Fact]
    public void Eight_nested_blocks_and_many_else_ifs_within_the_limits_render()
    {
        var nested = string.Concat(Enumerable.Repeat("{{#if candidat}}", 8)) + "ok" + string.Concat(Enumerable.Repeat("{{/if}}", 8));
        Renderer.Check("Sujet", nested, RenderModel.Sample()).ShouldBeNull();
        var sequential = string.Concat(Enumerable.Repeat("{{#if a}}a{{else if b}}b{{else if c}}c{{else}}d{{/if}}", 10));
        Renderer.Check("Sujet", sequential, RenderModel.Sample()).ShouldBeNull("blocks one after the other are not nested");
        Renderer.Check("Sujet", "{{bouton (concat (concat (concat (concat (concat (concat (concat (concat (concat a))))))))) }}", RenderModel.Sample())
            .ShouldBe("Le modèle imbrique trop de blocs {{#…}} (8 niveaux au plus).");
        var elseIfs = "{{#if a}}a" + string.Concat(Enumerable.Range(0, 300).Select(i => $"{{{{else if b{i}}}}}b")) + "{{/if}}";
        Renderer.Check("Sujet", elseIfs, RenderModel.Sample()).ShouldBe("Le modèle imbrique trop de blocs {{#…}} (8 niveaux au plus).");
        var tooMany = string.Concat(Enumerable.Repeat("{{candidat.prenom}} ", 401));
        Renderer.Check("Sujet", tooMany, RenderModel.Sample()).ShouldBe("Le modèle contient trop de balises {{ }} (400 au plus).");
    }

    [Theory]
    [InlineData("{{#if a}}{{else}}{{else}}{{/if}}")]
    [InlineData("{{#if}}x{{/if}}")]
    [InlineData("{{#each}}x{{/each}}")]
    [InlineData("{{> partial}}")]
    public void A_malformed_block_gets_one_French_answer_not_an_error(string body)
    {
        Renderer.Check("Sujet", body, RenderModel.Sample()).ShouldBe(TemplateRenderer.SyntaxError);
    }

    [Theory]
    [InlineData("{{bouton}}")]
    [InlineData("{{#with candidat}}{{../../..}}{{/with}}")]
    public void Odd_but_harmless_tags_render_to_nothing(string body)
    {
        var (mail, problem) = Renderer.RenderDraft("Sujet", body, RenderModel.Sample(), "École", null);

        problem.ShouldBeNull();
        mail!.Text.ShouldBe(Renderer.RenderDraft("Sujet", "", RenderModel.Sample(), "École", null).Mail!.Text, "the tag adds nothing to the mail");
    }

    [Fact]
    public void A_school_template_keeps_simple_formatting_and_loses_scripts_images_and_links_elsewhere()
    {
        var body = """
            <p style="color:#123456">Bonjour <strong>{{candidat.prenom}}</strong></p>
            <img src="https://elsewhere.example/?{{liens.accepterOffre}}">
            <a href="https://elsewhere.example/{{liens.accepterOffre}}">ici</a>
            <a href="{{liens.accepterOffre}}">chez nous</a>
            <p style="background-image:url(https://elsewhere.example/{{liens.accepterOffre}})">fond</p>
            <script>alert(1)</script><form action="https://elsewhere.example"><input name="x"></form>
            <a href="javascript:alert(1)">js</a><p onclick="alert(1)">clic</p>
            {{bouton liens.accepterOffre "J'accepte"}}
            """;

        var (mail, problem) = Renderer.RenderDraft("Sujet", body, RenderModel.Sample(), "Passerelle School", Expiry);

        problem.ShouldBeNull();
        mail!.Html.ShouldNotContain("elsewhere.example");
        mail.Html.ShouldNotContain("<script");
        mail.Html.ShouldNotContain("<img");
        mail.Html.ShouldNotContain("<form");
        mail.Html.ShouldNotContain("javascript:");
        mail.Html.ShouldNotContain("onclick");
        mail.Html.ShouldContain("<p style=\"color: rgba(18, 52, 86, 1)\">Bonjour <strong>Margaud</strong></p>");
        mail.Html.ShouldContain("<a href=\"https://passerelle.example/l/exemple/accepter\">chez nous</a>");
        mail.Html.ShouldContain("padding: 10px 18px");
        mail.Html.ShouldContain(">J'accepte</a>", customMessage: "the button keeps its link and style");
        mail.Removed!.ShouldContain("<img>");
        mail.Removed!.ShouldContain("<script>");
    }

    private static bool Lookup(Dictionary<string, object?> model, string path)
    {
        object? current = model;
        foreach (var segment in path.Split('.'))
        {
            if (current is not Dictionary<string, object?> level || !level.TryGetValue(segment, out current))
                return false;
        }
        return current is not null;
    }
}
