using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using Passerelle.Demo;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Browser;

/// <summary>
/// A school admin creates an API key on the Intégrations page, the platform uses it, the page shows its last use, the admin
/// revokes it and the API refuses it at once; the API reference at /api/docs opens under the Content-Security-Policy.
/// </summary>
[Trait(Category.Name, Category.Browser)]
public sealed class IntegrationsScenarioTests
{
    [Fact]
    public async Task An_admin_creates_a_key_the_platform_uses_it_and_the_admin_revokes_it()
    {
        await using var app = await BrowserApp.StartAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/ecole/connexion");
        await page.GetByLabel("Nom d'utilisateur").FillAsync("demo.admin");
        await page.GetByLabel("Mot de passe").FillAsync(DemoData.Password);
        await page.GetByLabel("Mot de passe").PressAsync("Enter");
        await page.GetByRole(AriaRole.Link, new() { Name = "Intégrations" }).ClickAsync();
        await page.GetByText("Aucune clé pour le moment.").WaitForAsync();
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty();

        await page.GetByLabel("Nom de la clé").FillAsync("ERP");
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer la clé" }).ClickAsync();
        await page.GetByText("Copiez-le maintenant : il ne sera plus jamais affiché.").WaitForAsync();
        var key = await page.GetByLabel("Clé d'API").InputValueAsync();
        key.ShouldStartWith("pas_");
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty();

        using var platform = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        platform.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var created = await platform.PostAsync("/api/v1/candidates",
            new StringContent("""{"lastName":"Nouveau","firstName":"Candidat","email":"nouveau@example.org","externalId":"ETU-9"}""", Encoding.UTF8, "application/json"));
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        // Reloaded, the page no longer shows the key, and says when it was last used.
        await page.GotoAsync($"{app.BaseUrl}/ecole/integrations");
        (await page.GetByLabel("Clé d'API").CountAsync()).ShouldBe(0);
        var row = page.Locator("table.api-keys tbody tr").Filter(new() { HasText = "ERP" });
        (await row.InnerTextAsync()).ShouldContain("DURAND Claire");
        (await row.Locator("td").Nth(3).InnerTextAsync()).ShouldMatch(@"^\d{2}/\d{2}/\d{4} à \d{2}h\d{2}$");

        await row.GetByRole(AriaRole.Button, new() { Name = "Révoquer la clé ERP" }).ClickAsync();
        await page.GetByText("La clé « ERP » est révoquée").WaitForAsync();
        (await platform.GetAsync("/api/v1/candidates")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // The candidates the platform exported as a spreadsheet: checked, previewed, then imported.
        await page.GetByRole(AriaRole.Link, new() { Name = "Importer", Exact = true }).ClickAsync();
        await page.GetByLabel("des candidats").CheckAsync();
        await page.GetByLabel("Fichier CSV").SetInputFilesAsync(new FilePayload
        {
            Name = "export.csv", MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes("Nom;Prénom;E-mail;Identifiant externe\nMartin;Chloé;chloe@example.org;ETU-10\nSans;Adresse;pas-une-adresse;ETU-11\n"),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Vérifier le fichier" }).ClickAsync();
        (await page.Locator(".import-summary").InnerTextAsync()).ShouldBe("1 candidats à créer, 0 à mettre à jour, 1 ligne(s) rejetée(s).");
        (await page.Locator("table.import-rejected").InnerTextAsync()).ShouldContain("L'adresse e-mail n'est pas valide.");
        (await BrowserApp.AccessibilityViolationsAsync(page)).ShouldBeEmpty();
        await page.GetByRole(AriaRole.Button, new() { Name = "Importer 1 ligne(s)" }).ClickAsync();
        await page.GetByText("Import terminé").WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Candidats", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "MARTIN Chloé" }).WaitForAsync();

        // The API reference, from the Intégrations page's link.
        await page.GotoAsync($"{app.BaseUrl}/ecole/integrations");
        await page.GetByRole(AriaRole.Link, new() { Name = "/api/docs" }).ClickAsync();
        await page.GetByText("Créer un candidat").First.WaitForAsync(new() { Timeout = 30_000 });
        (await page.InnerTextAsync("body")).ShouldContain("Chaque requête présente une clé de l'école");
        app.CspViolations.ShouldBeEmpty();
    }
}
