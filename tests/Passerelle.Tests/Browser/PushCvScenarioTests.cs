using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Passerelle.Demo;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Browser;

/// <summary>
/// The whole push CV with clicks and the mail folder: the school records two candidates' consent and pushes both profiles
/// to the demo contact; the contact opens "Profils proposés", asks to meet one on a spontaneous application and declines
/// the other; the candidate confirms the appointment from the mail; the school sees it all. Accessibility on each new page.
/// </summary>
[Trait(Category.Name, Category.Browser)]
public partial class PushCvScenarioTests
{
    [Fact]
    public async Task A_school_pushes_two_profiles_and_the_company_meets_one_and_declines_the_other()
    {
        await using var app = await BrowserApp.StartAsync();
        var violations = new List<string>();
        async Task Check(IPage page, string name) =>
            violations.AddRange((await BrowserApp.AccessibilityViolationsAsync(page)).Select(v => $"{name} – {v}"));

        var school = await app.NewPageAsync();
        await school.GotoAsync($"{app.BaseUrl}/ecole/connexion");
        await school.GetByLabel("Nom d'utilisateur").FillAsync("demo.ecole");
        await school.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await school.GetByLabel("Mot de passe").PressAsync("Enter");

        // The candidates' consent, on their pages.
        foreach (var name in new[] { "TECHER Margaud", "DUPONT Léa" })
        {
            await school.GetByRole(AriaRole.Link, new() { Name = "Candidats", Exact = true }).ClickAsync();
            await school.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
            await school.GetByLabel("Le candidat accepte que son profil soit proposé à des entreprises").CheckAsync();
            await school.GetByRole(AriaRole.Button, new() { Name = "Enregistrer l'accord" }).ClickAsync();
            await school.GetByText("L'accord du candidat est enregistré").WaitForAsync();
        }
        await Check(school, "candidat-accord");

        // The push: two profiles to the demo contact, found by searching its company.
        await school.GetByRole(AriaRole.Link, new() { Name = "Push CV", Exact = true }).ClickAsync();
        await Check(school, "push-cv");
        await school.GetByRole(AriaRole.Link, new() { Name = "Nouveau push" }).ClickAsync();
        await school.GetByLabel("Rechercher un contact (entreprise ou nom)").FillAsync("laboriosam");
        await school.GetByRole(AriaRole.Button, new() { Name = "Rechercher" }).ClickAsync();
        await Check(school, "nouveau-push");
        await school.GetByLabel("LEFEBVRE Sophie – Laboriosam Industries").CheckAsync();
        await school.GetByLabel("TECHER Margaud").CheckAsync();
        await school.GetByLabel("DUPONT Léa").CheckAsync();
        await school.GetByLabel("Message aux entreprises (facultatif)").FillAsync("Deux profils disponibles dès septembre.");
        await school.GetByRole(AriaRole.Button, new() { Name = "Envoyer le push" }).ClickAsync();
        await school.GetByText("2 profil(s) proposé(s) à 1 contact(s)").WaitForAsync();

        // The mail lists both profiles, each with its links; its profile page opens without acting.
        var pushMail = await app.WaitForMailAsync("Passerelle School vous propose des profils de candidat");
        pushMail.Text!.ShouldContain("Deux profils disponibles dès septembre.");
        var profileLinks = PushLink().Matches(pushMail.Text!).Select(m => m.Value).Distinct().ToList();
        profileLinks.Count.ShouldBe(2 * 3, "two profiles, each with its profile, meet and decline links");
        var linkPage = await app.NewPageAsync();
        await linkPage.GotoAsync(profileLinks.First(l => l.EndsWith("/rencontrer", StringComparison.Ordinal)));
        await linkPage.GetByRole(AriaRole.Heading, new() { Name = "Je souhaite rencontrer ce candidat" }).WaitForAsync();
        await Check(linkPage, "lien-profil-propose");

        // The contact, in Passerelle Entreprises.
        var company = await app.NewPageAsync();
        await company.GotoAsync($"{app.BaseUrl}/entreprise/connexion");
        await company.GetByLabel("Nom d'utilisateur").FillAsync("demo.entreprise");
        await company.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await company.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await company.GetByLabel("Centre de formation").SelectOptionAsync(new SelectOptionValue { Label = "Passerelle School" });
        await company.GetByRole(AriaRole.Button, new() { Name = "Choisir" }).ClickAsync();
        await company.GetByRole(AriaRole.Link, new() { Name = "Profils proposés" }).ClickAsync();
        await company.GetByRole(AriaRole.Link, new() { Name = "Afficher seulement ceux à traiter" }).ClickAsync();
        (await company.Locator("tbody tr").CountAsync()).ShouldBe(3, "the demo's push of Guillaume, and these two");
        await Check(company, "profils-proposes");

        await company.GetByRole(AriaRole.Link, new() { Name = "Voir le profil et répondre pour TECHER Margaud" }).ClickAsync();
        await Check(company, "profil-propose");
        await company.GetByLabel("Pour quelle offre ?").SelectOptionAsync(new SelectOptionValue { Label = "Candidature spontanée" });
        var day = ParisTime.ToParis(DateTimeOffset.UtcNow.AddDays(4)).Date;
        await company.GetByLabel("Date de rendez-vous").FillAsync(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await company.GetByLabel("Heure", new() { Exact = true }).FillAsync("14");
        await company.GetByLabel("Minutes").FillAsync("30");
        await company.GetByLabel("Lieu ou lien de visioconférence").FillAsync("12 rue des Écoles, Bordeaux");
        await company.GetByRole(AriaRole.Button, new() { Name = "Je souhaite rencontrer ce candidat" }).ClickAsync();
        await company.GetByText("Votre demande est enregistrée").WaitForAsync();
        var suivi = await company.Locator("section.timeline").InnerTextAsync();
        suivi.ShouldContain("Profil proposé par MARTIN Benoît le");
        suivi.ShouldContain("accord du candidat enregistré le");
        suivi.ShouldContain("Candidat accepté – RDV proposé");

        await company.GetByRole(AriaRole.Link, new() { Name = "Profils proposés" }).ClickAsync();
        await company.GetByRole(AriaRole.Link, new() { Name = "Voir le profil et répondre pour DUPONT Léa" }).ClickAsync();
        await company.GetByRole(AriaRole.Button, new() { Name = "Ne pas donner suite" }).ClickAsync();
        await company.GetByText("C'est noté : vous ne donnez pas suite à ce profil.").WaitForAsync();

        // The candidate confirms the appointment from the usual mail.
        var appointmentMail = await app.WaitForMailAsync("Rendez-vous proposé par Laboriosam Industries", "margaud.techer@example.org");
        appointmentMail.Calendar.ShouldNotBeNull();
        var candidate = await app.NewPageAsync();
        await candidate.GotoAsync(ReferralLink().Matches(appointmentMail.Text!).Select(m => m.Value).First(l => l.EndsWith("/confirmer", StringComparison.Ordinal)));
        await candidate.GetByRole(AriaRole.Button, new() { Name = "Je confirme ma présence" }).ClickAsync();
        await candidate.GetByText("Votre présence est confirmée").WaitForAsync();

        // The school sees it all.
        await app.WaitForMailAsync("Laboriosam Industries souhaite rencontrer TECHER Margaud", "benoit.martin@passerelle-school.example");
        await school.GetByRole(AriaRole.Link, new() { Name = "Push CV", Exact = true }).ClickAsync();
        var rows = await school.Locator("tbody tr").AllInnerTextsAsync();
        rows.Single(r => r.Contains("TECHER Margaud", StringComparison.Ordinal)).ShouldContain("Rencontre demandée");
        rows.Single(r => r.Contains("DUPONT Léa", StringComparison.Ordinal)).ShouldContain("Pas de suite");
        await school.GetByRole(AriaRole.Link, new() { Name = "Voir la mise en relation de TECHER Margaud" }).ClickAsync();
        (await school.Locator("section.timeline").InnerTextAsync()).ShouldContain("RDV accepté");
        await school.GetByRole(AriaRole.Link, new() { Name = "Tableau de bord" }).ClickAsync();
        (await school.Locator("table.push-figures").InnerTextAsync()).ShouldContain("Rencontres demandées\t1");
        await Check(school, "tableau-de-bord");
        await BrowserApp.ScreenshotAsync(school, "push-cv-tableau-de-bord");

        violations.ShouldBeEmpty();
        app.CspViolations.ShouldBeEmpty();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/l/p/[A-Za-z0-9_-]{43}(/[a-z-]+)?")]
    private static partial Regex PushLink();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/l/[A-Za-z0-9_-]{43}(/[a-z.]+)?")]
    private static partial Regex ReferralLink();
}
