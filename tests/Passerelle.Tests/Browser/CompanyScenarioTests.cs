using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Browser;

/// <summary>The user document's scenario, clicked in a real browser against the app as a user runs it.</summary>
[Trait(Category.Name, Category.Browser)]
public partial class CompanyScenarioTests
{
    [Fact]
    public async Task The_company_contact_follows_the_document_from_login_to_answers_by_portal_and_by_email_link()
    {
        await using var app = await BrowserApp.StartAsync();
        var page = await app.NewPageAsync();
        var violations = new List<string>();

        // Connexion
        await page.GotoAsync($"{app.BaseUrl}/entreprise");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connexion à Passerelle Entreprises" }));
        violations.AddRange(Tagged("connexion", await BrowserApp.AccessibilityViolationsAsync(page)));
        await page.GetByLabel("Nom d'utilisateur").FillAsync("demo.entreprise");
        await page.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();

        // Le centre de formation, dans le menu latéral, puis Voir candidats → VOIR LA LISTE
        await page.GetByLabel("Centre de formation").SelectOptionAsync(new SelectOptionValue { Label = "Passerelle School" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Choisir" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Voir candidats" }));
        violations.AddRange(Tagged("accueil", await BrowserApp.AccessibilityViolationsAsync(page)));
        await page.GetByRole(AriaRole.Link, new() { Name = "VOIR LA LISTE" }).ClickAsync();

        var margaud = page.Locator("table.referrals tbody tr", new() { HasText = "TECHER Margaud" });
        (await margaud.InnerTextAsync()).ShouldContain("Offre acceptée - le 15/06/2020");
        (await margaud.InnerTextAsync()).ShouldContain("CV - cv");
        await BrowserApp.ScreenshotAsync(page, "liste-des-mises-en-relation");
        violations.AddRange(Tagged("liste", await BrowserApp.AccessibilityViolationsAsync(page)));

        // Le suivi de mise en relation, depuis l'icône d'infobulle
        await margaud.GetByRole(AriaRole.Link, new() { Name = "Suivi de mise en relation de TECHER Margaud" }).ClickAsync();
        var dialog = page.Locator("dialog#suivi");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        var suivi = await dialog.InnerTextAsync();
        suivi.ShouldContain("PASSERELLE SCHOOL - Mise en relation proposée par : MARTIN Benoît");
        suivi.ShouldContain("Le 15/05/2020 à 15h41");
        suivi.ShouldContain("TECHER Margaud - Réponse du candidat");
        suivi.ShouldContain("Le 15/06/2020 à 12h07 : Offre acceptée");
        suivi.ShouldContain("Action effectuée par MARTIN Benoît.");
        await BrowserApp.ScreenshotAsync(page, "suivi-de-mise-en-relation", dialog);
        violations.AddRange(Tagged("suivi", await BrowserApp.AccessibilityViolationsAsync(page)));

        // Her profile, in the same dialog: opening it on a click tells the school it was seen (no GET records it).
        var seen = await page.RunAndWaitForResponseAsync(() => dialog.GetByRole(AriaRole.Link, new() { Name = "Profil du candidat" }).ClickAsync(),
            response => response.Url.Contains("handler=Seen", StringComparison.Ordinal));
        seen.Status.ShouldBe(204);
        await Expect(dialog.GetByRole(AriaRole.Link, new() { Name = "Profil du candidat" }).And(dialog.Locator("[aria-current=page]")));
        await using (var db = Open(app))
            (await db.ProfileViews.Select(v => v.Channel).ToListAsync()).ShouldBe([Channel.Portal]);
        await dialog.GetByRole(AriaRole.Link, new() { Name = "Suivi", Exact = true }).ClickAsync();

        var date = ParisTime.ToParis(DateTimeOffset.UtcNow.AddDays(7)).Date;
        await dialog.GetByLabel("Date de rendez-vous").FillAsync(date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await dialog.GetByLabel("Heure", new() { Exact = true }).FillAsync("10");
        await dialog.GetByLabel("Minutes").FillAsync("30");
        await dialog.GetByLabel("Commentaire").FillAsync("Merci d'apporter votre CV.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Accepter le candidat" }).ClickAsync();

        await Expect(page.GetByText("Le candidat est accepté et le rendez-vous lui est proposé."));
        (await page.Locator("table.referrals tbody tr", new() { HasText = "TECHER Margaud" }).InnerTextAsync())
            .ShouldContain($"Candidat accepté - le {ParisTime.Date(DateTimeOffset.UtcNow)}");

        // JOURDAN Guillaume accepts the offer (recorded through the workflow): the proposal mail arrives.
        var guillaume = await RecordGuillaumeAcceptsAsync(app);
        var proposal = await app.WaitForMailAsync("Proposition de candidat : JOURDAN Guillaume");
        var links = LinkPattern().Matches(proposal.Text!).Select(m => m.Value).ToList();
        var refuse = links.Single(l => l.EndsWith("/refuser", StringComparison.Ordinal));
        var accept = links.Single(l => l.EndsWith("/accepter", StringComparison.Ordinal));

        // Refuse from the mail: the page shows one button and nothing happens until it is clicked.
        await page.GotoAsync(refuse);
        (await StageAsync(app, guillaume)).ShouldBe(ReferralStage.AwaitingCompany, "opening the link changed nothing");
        violations.AddRange(Tagged("lien-refuser", await BrowserApp.AccessibilityViolationsAsync(page)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Refuser le candidat" }).ClickAsync();
        await Expect(page.GetByText("Le refus du candidat est enregistré."));
        (await StageAsync(app, guillaume)).ShouldBe(ReferralStage.CompanyRefused);

        // Change of mind through the same mail: accept with an appointment.
        await page.GotoAsync(accept);
        violations.AddRange(Tagged("lien-accepter", await BrowserApp.AccessibilityViolationsAsync(page)));
        await page.GetByLabel("Date de rendez-vous").FillAsync(date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Heure", new() { Exact = true }).FillAsync("14");
        await page.GetByLabel("Minutes").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Accepter le candidat" }).ClickAsync();
        await Expect(page.GetByText("Le candidat est accepté et le rendez-vous lui est proposé."));
        (await StageAsync(app, guillaume)).ShouldBe(ReferralStage.AwaitingAppointmentAnswer);

        // An expired link says so, with the way to the portal.
        await ExpireLinksAsync(app, guillaume);
        var expired = await page.GotoAsync(refuse);
        expired!.Status.ShouldBe(410);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Ce lien a expiré" }));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Se connecter à Passerelle Entreprises" }));
        await BrowserApp.ScreenshotAsync(page, "lien-expire");
        violations.AddRange(Tagged("lien-expire", await BrowserApp.AccessibilityViolationsAsync(page)));

        violations.ShouldBeEmpty();
        app.CspViolations.ShouldBeEmpty("every page works under the Content-Security-Policy");
    }

    private static async Task Expect(ILocator locator) => await locator.First.WaitForAsync(new() { Timeout = 10_000 });

    private static IEnumerable<string> Tagged(string page, IEnumerable<string> violations) => violations.Select(v => $"{page} – {v}");

    private static PasserelleDb Open(BrowserApp app)
    {
        var builder = new DbContextOptionsBuilder<PasserelleDb>();
        PasserelleApp.UseDatabase(builder, app.Database);
        return new PasserelleDb(builder.Options).ForSchool(DemoData.SchoolId);
    }

    private static async Task<Guid> RecordGuillaumeAcceptsAsync(BrowserApp app)
    {
        await using var db = Open(app);
        var id = await (from r in db.Referrals join c in db.Candidates on r.CandidateId equals c.Id where c.LastName == "JOURDAN" select r.Id).SingleAsync();
        var result = await new ReferralActions(db, TimeProvider.System)
            .ApplyAsync(id, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, Actor.Candidate(r.CandidateId, "JOURDAN Guillaume"), now));
        result.Succeeded.ShouldBeTrue();
        return id;
    }

    private static async Task<ReferralStage> StageAsync(BrowserApp app, Guid referralId)
    {
        await using var db = Open(app);
        return await db.Referrals.Where(r => r.Id == referralId).Select(r => r.Stage).SingleAsync();
    }

    private static async Task ExpireLinksAsync(BrowserApp app, Guid referralId)
    {
        await using var db = Open(app);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        await db.ActionLinks.Where(l => l.ReferralId == referralId).ExecuteUpdateAsync(set => set.SetProperty(l => l.ExpiresAt, past));
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/l/[A-Za-z0-9_-]{43}(/[a-z.]+)?")]
    private static partial Regex LinkPattern();
}
