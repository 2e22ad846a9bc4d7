using Microsoft.Playwright;
using Passerelle.Demo;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Browser;

/// <summary>
/// An admin corrects an offer from the company's page as a person would (links, form, button), sees the change in its
/// history, switches off a contact who left and gives their referral to a colleague, exports then erases a candidate, and
/// opens a staff member's page: every page checked by axe-core.
/// </summary>
[Trait(Category.Name, Category.Browser)]
public sealed class CorrectionsScenarioTests
{
    [Fact]
    public async Task An_admin_corrects_an_offer_and_finds_the_contact_and_staff_pages()
    {
        await using var app = await BrowserApp.StartAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/ecole/connexion");
        await page.GetByLabel("Nom d'utilisateur").FillAsync("demo.admin");
        await page.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await page.GetByLabel("Mot de passe").PressAsync("Enter");

        await page.GetByRole(AriaRole.Link, new() { Name = "Entreprises et offres" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Laboriosam Industries" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Modifier l'entreprise" }).WaitForAsync();
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("company page");

        await page.GetByRole(AriaRole.Link, new() { Name = "Et laboriosam praesentium" }).ClickAsync();
        await page.GetByLabel("Intitulé").FillAsync("Technicien·ne de maintenance");
        await page.GetByLabel("Contrat").SelectOptionAsync(new SelectOptionValue { Label = "Contrat d'apprentissage" });
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("offer page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer l'offre" }).ClickAsync();
        await page.GetByText("L'offre « Technicien·ne de maintenance » est enregistrée.").WaitForAsync();
        var history = await page.Locator("ul.history").InnerTextAsync();
        history.ShouldContain("par DURAND Claire");
        history.ShouldContain("Intitulé : « Et laboriosam praesentium » → « Technicien·ne de maintenance »");
        history.ShouldContain("Contrat : « (vide) » → « Contrat d'apprentissage »");
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("offer page with its history");

        await page.GetByRole(AriaRole.Link, new() { Name = "Laboriosam Industries" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "LEFEBVRE Sophie" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Modifier le contact" }).WaitForAsync();
        (await page.GetByLabel("Adresse e-mail").InputValueAsync()).ShouldNotBeNullOrEmpty();
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("contact page");

        // Sophie leaves the company: a colleague is added, Sophie switched off, Margaud's referral given to the colleague.
        await page.GetByRole(AriaRole.Link, new() { Name = "← Laboriosam Industries" }).ClickAsync();
        await page.Locator("#c-last").FillAsync("BERNARD");
        await page.Locator("#c-first").FillAsync("Paul");
        await page.Locator("#c-email").FillAsync("paul.bernard@laboriosam.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ajouter et envoyer les identifiants" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "LEFEBVRE Sophie" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Désactiver le contact" }).ClickAsync();
        await page.GetByText("LEFEBVRE Sophie est désactivé·e").WaitForAsync();
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("deactivated contact with open referrals");
        await page.GetByLabel("Nouveau contact pour TECHER Margaud").SelectOptionAsync(new SelectOptionValue { Label = "BERNARD Paul" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Réaffecter à un autre contact : TECHER Margaud" }).ClickAsync();
        await page.GetByText("La mise en relation est confiée à BERNARD Paul").WaitForAsync();
        (await page.Locator("ul.history").InnerTextAsync()).ShouldContain("Accès : « Actif » → « Désactivé »");

        // A candidate asks for their data, then to be erased.
        await page.GetByRole(AriaRole.Link, new() { Name = "Candidats" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "DUPONT Léa" }).ClickAsync();
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("candidate page with its export and erasure forms");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Exporter les données" }).ClickAsync());
        download.SuggestedFilename.ShouldBe("donnees-dupont-lea.zip");
        var zipPath = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.zip");
        await download.SaveAsAsync(zipPath);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(zipPath))
            zip.Entries.Select(e => e.FullName).ShouldContain(Passerelle.PersonalData.DataExport.DataFile);
        File.Delete(zipPath);
        await page.ReloadAsync();
        (await page.Locator("ul.history").InnerTextAsync()).ShouldContain("Export des données : archive ZIP remise");
        await page.GetByLabel("Je confirme l'effacement définitif de ce candidat").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Effacer le candidat" }).ClickAsync();
        await page.GetByText("Le candidat est effacé").WaitForAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Candidat effacé");
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("erased candidate's page");

        await page.GetByRole(AriaRole.Link, new() { Name = "Équipe" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "MARTIN Benoît" }).ClickAsync();
        (await page.GetByLabel("Rôle").InputValueAsync()).ShouldBe("Recruiter");
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty("staff page");
    }
}
