using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>Companies (SIRET), their contacts (portal accounts and credentials mail) and offers, in Passerelle École.</summary>
[Trait(Category.Name, Category.Smtp)]
public class CompanyTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_company_needs_a_valid_siret_and_a_duplicate_points_to_the_existing_one(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = await LoggedInAsync(world);
        var (_, page) = await Browserless.GetAsync(client, "/ecole/entreprises");

        var invalid = await Browserless.SubmitAsync(client, page, "Ajouter l'entreprise", new Dictionary<string, string> { ["Name"] = "Nouvelle", ["SiretText"] = "12345678901234" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(invalid)).Text().ShouldContain("Ce SIRET n'est pas valide");

        var duplicate = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, page, "Ajouter l'entreprise",
            new Dictionary<string, string> { ["Name"] = "Copie", ["SiretText"] = "901 234 567 00013" }));
        duplicate.Text().ShouldContain("Cette entreprise est déjà dans votre liste : Laboriosam Industries.");
        duplicate.QuerySelectorAll("a").Single(a => a.TextContent == "Voir l'entreprise").GetAttribute("href")!.ShouldStartWith("/ecole/entreprises/");

        var created = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, page, "Ajouter l'entreprise",
            new Dictionary<string, string> { ["Name"] = "Nouvelle Entreprise", ["SiretText"] = Seed.NextSiret() }));
        created.Text().ShouldContain("Nouvelle Entreprise est ajoutée.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_school_sees_only_the_companies_it_works_with_and_may_add_an_existing_one_by_its_siret(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var cfa = await world.StaffClientAsync("demo.cfa");
        var siret = Seed.NextSiret();
        var (_, cfaPage) = await Browserless.GetAsync(cfa, "/ecole/entreprises");
        var created = await Browserless.SubmitAsync(cfa, cfaPage, "Ajouter l'entreprise", new Dictionary<string, string> { ["Name"] = "Garonne Robotique", ["SiretText"] = siret });
        var companyPath = created.RequestMessage!.RequestUri!.AbsolutePath;
        var (_, companyPage) = await Browserless.GetAsync(cfa, companyPath);
        await Browserless.SubmitAsync(cfa, companyPage, "Ajouter et envoyer les identifiants", new Dictionary<string, string>
        {
            ["Contact.LastName"] = "Secret", ["Contact.FirstName"] = "Camille", ["Contact.Email"] = "camille.secret@garonne.example",
        });

        using var ecole = await world.StaffClientAsync("demo.ecole");
        (await ecole.GetAsync(companyPath)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another school's company is not this school's to see");
        var (_, list) = await Browserless.GetAsync(ecole, "/ecole/entreprises");
        list.Text().ShouldNotContain("Garonne Robotique");
        var added = await AddExistingCompanyAsync(ecole, siret, refused =>
        {
            refused.Text().ShouldContain("Une entreprise porte déjà ce SIRET : Garonne Robotique.");
            refused.QuerySelectorAll($"a[href='{companyPath}']").ShouldBeEmpty("no link to another school's company");
        });
        added.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe(companyPath);
        var page = await Browserless.ReadAsync(added);
        page.Text().ShouldContain("Garonne Robotique est ajoutée à votre liste.");
        // As the page would show them: the last name in capitals, and the address.
        page.Text().ShouldNotContain("SECRET Camille", Case.Sensitive, "the other school's contacts stay its own");
        page.Text().ShouldNotContain("camille.secret@garonne.example");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_contact_with_an_account_is_invited_and_the_school_sees_only_the_address_until_they_accept(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail
        var before = world.Sink.Messages().Count;
        var login = await world.OtherCompanyContactAsync(); // AUTRE Contact of Concurrent SA, with the first school only
        string siret;
        await using (var db = world.Database.NewContext())
            siret = await db.Companies.Where(c => c.Name == "Concurrent SA").Select(c => c.Siret).SingleAsync();

        using var cfa = await world.StaffClientAsync("demo.cfa");
        var added = await AddExistingCompanyAsync(cfa, siret);
        var companyPath = added.RequestMessage!.RequestUri!.AbsolutePath;
        var invited = await Browserless.ReadAsync(await Browserless.SubmitAsync(cfa, await Browserless.ReadAsync(added), "Ajouter et envoyer les identifiants",
            new Dictionary<string, string> { ["Contact.LastName"] = "Tapé", ["Contact.FirstName"] = "Nom", ["Contact.Email"] = "AUTRE@example.org" }));

        invited.Text().ShouldContain("Une invitation est envoyée à autre@example.org : ce contact apparaîtra ici dès qu'il l'aura acceptée");
        invited.Text().ShouldContain("autre@example.org (invitation du");
        invited.Text().ShouldNotContain("AUTRE Contact", Case.Sensitive, "nothing of the account until the contact accepts");
        invited.Text().ShouldContain("Aucun contact de cette entreprise ne travaille encore avec votre école.");
        await delivery.DispatchOnceAsync(CancellationToken.None);
        var mail = (await world.Sink.WaitForAsync(before + 1))[before];
        mail.Subject.ShouldBe("CFA des Métiers de Bordeaux vous invite sur Passerelle Entreprises");
        mail.To.ShouldContain("autre@example.org");

        using var contact = world.Client();
        await PortalWorld.LogInAsync(contact, login);
        var (_, home) = await Browserless.GetAsync(contact, "/entreprise");
        home.Text().ShouldContain("CFA des Métiers de Bordeaux vous invite à recevoir ses propositions de candidats");
        var accepted = await Browserless.ReadAsync(await Browserless.SubmitAsync(contact, home, "Accepter l'invitation de CFA des Métiers de Bordeaux"));
        accepted.Text().ShouldContain("Invitation acceptée");
        accepted.QuerySelectorAll("select#ecole option").Select(o => o.TextContent).ShouldContain("CFA des Métiers de Bordeaux");

        var (_, company) = await Browserless.GetAsync(cfa, companyPath);
        company.Text().ShouldContain("AUTRE Contact");
        company.Text().ShouldNotContain("Invitations en attente");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Credentials_that_go_after_the_contact_chose_a_password_are_not_sent(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail
        using var client = await LoggedInAsync(world);
        await AddPaulGirardAsync(client, await CompanyIdAsync(world), "paul.girard@laboriosam.example");
        var sentBefore = world.Sink.Messages().Count;

        // The mail waited (an SMTP outage, or "Renvoyer" from the failed mails days later); meanwhile Paul chose his password
        // through "Mot de passe oublié".
        await using (var db = world.Database.NewContext())
            await db.CompanyContacts.Where(c => c.Email == "paul.girard@laboriosam.example")
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.PasswordHash, "AQAAAAIAAYagAAAAEChosenMeanwhile"));
        await delivery.DispatchOnceAsync(CancellationToken.None);

        world.Sink.Messages().Count.ShouldBe(sentBefore, "no link to choose a password goes to an account that has one");
        await using var check = world.Database.NewContext();
        var mail = await check.OutboxMessages.IgnoreQueryFilters().SingleAsync(m => m.TemplateKey == Passerelle.Referrals.TemplateKeys.ContactCredentials && m.ToAddress == "paul.girard@laboriosam.example");
        (mail.State, mail.LastError).ShouldBe((OutboxState.Skipped, MailComposer.PasswordAlreadyChosen));
        (await check.AccountTokens.IgnoreQueryFilters().CountAsync(t => t.AccountId == mail.ToPersonId)).ShouldBe(0, "no link was made");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_new_contact_receives_credentials_chooses_a_password_and_logs_in(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail
        using var client = await LoggedInAsync(world);
        var companyId = await CompanyIdAsync(world);

        var added = await Browserless.ReadAsync(await AddPaulGirardAsync(client, companyId, "Paul.Girard@laboriosam.example"));
        added.Text().ShouldContain("GIRARD Paul est ajouté(e) : ses identifiants Passerelle Entreprises lui sont envoyés par e-mail.");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        var mail = (await world.Sink.WaitForAsync(2)).Single(m => m.To.Contains("paul.girard@laboriosam.example", StringComparison.Ordinal));
        mail.Subject.ShouldBe("Votre accès à Passerelle Entreprises pour Passerelle School");
        mail.Text!.ShouldContain("Votre identifiant : paul.girard@laboriosam.example");
        var link = Regex.Match(mail.Text!, @"https://passerelle\.test(/entreprise/mot-de-passe/[A-Za-z0-9_-]{43})").Groups[1].Value;
        using var contact = world.Client();
        var (_, choose) = await Browserless.GetAsync(contact, link);
        await Browserless.SubmitAsync(contact, choose, "Enregistrer le mot de passe",
            new Dictionary<string, string> { ["Password"] = "Un-mot-de-passe-sur", ["Confirmation"] = "Un-mot-de-passe-sur" });
        (await PortalWorld.LogInAsync(contact, "paul.girard@laboriosam.example", "Un-mot-de-passe-sur")).Status.ShouldBe(HttpStatusCode.OK);

        var (_, again) = await Browserless.GetAsync(client, $"/ecole/entreprises/{companyId}");
        var other = await Browserless.SubmitAsync(client, again, "Ajouter et envoyer les identifiants", new Dictionary<string, string>
        {
            ["Contact.LastName"] = "Autre", ["Contact.FirstName"] = "Personne", ["Contact.Email"] = "paul.girard@laboriosam.example",
        });
        (await Browserless.ReadAsync(other)).Text().ShouldContain("Ce contact travaille déjà avec votre école.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_inactive_offer_accepts_no_new_referral(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = await LoggedInAsync(world);
        var companyId = await CompanyIdAsync(world);
        var (_, page) = await Browserless.GetAsync(client, $"/ecole/entreprises/{companyId}");
        var added = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, page, "Ajouter l'offre", new Dictionary<string, string>
        {
            ["Offer.Title"] = "Assistant·e commercial·e", ["Offer.Description"] = "Alternance de 12 mois.", ["Offer.Location"] = "Pessac",
        }));
        added.Text().ShouldContain("L'offre « Assistant·e commercial·e » est ajoutée.");

        var deactivated = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, added, "Rendre inactive : Assistant·e commercial·e"));
        deactivated.Text().ShouldContain("est inactive : elle n'accepte plus de nouvelle mise en relation.");
        // A second click from the same page (a double click, a page older than the change) asks for the same state: it stays inactive.
        (await Browserless.ReadAsync(await Browserless.SubmitAsync(client, added, "Rendre inactive : Assistant·e commercial·e")))
            .Text().ShouldContain("est inactive");

        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var inactive = await db.JobOffers.Where(o => !o.IsActive).Select(o => o.Id).SingleAsync();
        (await db.ChangeRecords.Where(r => r.SubjectId == inactive).ToListAsync()).ShouldHaveSingleItem().Fields()
            .ShouldBe([new Passerelle.Changes.FieldChange("État", "Active", "Inactive")], "in the offer's history, once");
        var spontaneous = new Passerelle.JobOffers.JobOffer
        {
            Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, CompanyId = companyId, Title = "Candidature spontanée", Description = "-",
            IsActive = false, IsSpontaneous = true, CreatedAt = Seed.Now,
        };
        db.JobOffers.Add(spontaneous);
        await db.SaveChangesAsync();
        var token = added.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var refused = await client.PostAsync($"/ecole/entreprises/{companyId}?handler=ToggleOffer&offerId={spontaneous.Id}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["active"] = "true" }));
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, "a company's spontaneous application is not an offer to switch on");
        (await db.JobOffers.AsNoTracking().SingleAsync(o => o.Id == spontaneous.Id)).IsActive.ShouldBeFalse();
        var (_, referral) = await Browserless.GetAsync(client, $"/ecole/mises-en-relation/nouvelle?offre={inactive}");
        referral.QuerySelectorAll("#offre option").Select(o => o.TextContent).ShouldNotContain(t => t.Contains("Assistant", StringComparison.Ordinal), "only active offers are offered");
        referral.QuerySelector("button[type=submit]:not(.small)").ShouldBeNull("no candidate can be referred to it");
        var (_, result) = await Seed.Actions(db).ProposeAsync(await db.Candidates.Select(c => c.Id).FirstAsync(), inactive, DemoData.ContactId, [],
            Passerelle.Referrals.Actor.Staff(Guid.NewGuid(), "MARTIN Benoît"), Guid.NewGuid());
        result.Refusal!.Message.ShouldBe("Cette offre est inactive : elle n'accepte plus de mise en relation.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_offer_form_sent_twice_adds_one_offer(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = await LoggedInAsync(world);
        var companyId = await CompanyIdAsync(world);
        var (_, page) = await Browserless.GetAsync(client, $"/ecole/entreprises/{companyId}");
        var offer = new Dictionary<string, string> { ["Offer.Title"] = "Technicien·ne support", ["Offer.Description"] = "Alternance de 24 mois.\n" };
        async Task<int> CountAsync()
        {
            await using var db = world.Database.NewContext();
            db.ForSchool(DemoData.SchoolId);
            return await db.JobOffers.CountAsync(o => o.CompanyId == companyId && o.Title == "Technicien·ne support");
        }

        // A double click: both arrive at once, and the second again a moment later.
        var both = await Task.WhenAll(Browserless.SubmitAsync(client, page, "Ajouter l'offre", offer), Browserless.SubmitAsync(client, page, "Ajouter l'offre", offer));
        var again = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, page, "Ajouter l'offre", offer));

        foreach (var response in both)
            (await Browserless.ReadAsync(response)).Text().ShouldContain("L'offre « Technicien·ne support » est ajoutée.");
        again.Text().ShouldContain("L'offre « Technicien·ne support » est ajoutée.");
        (await CountAsync()).ShouldBe(1);

        // The same text for another place at once is another offer.
        (await Browserless.SubmitAsync(client, page, "Ajouter l'offre", new Dictionary<string, string>(offer) { ["Offer.Location"] = "Pessac" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await CountAsync()).ShouldBe(2);

        // The same offer added on purpose later (another position of the same kind) is a second one.
        world.Clock.Now += TimeSpan.FromMinutes(3);
        (await Browserless.SubmitAsync(client, page, "Ajouter l'offre", offer)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await CountAsync()).ShouldBe(3);
    }

    /// <summary>Types an existing company's SIRET, is told it exists, and adds it to the school's list; the company page is reached.</summary>
    private static async Task<HttpResponseMessage> AddExistingCompanyAsync(HttpClient client, string siret, Action<AngleSharp.Html.Dom.IHtmlDocument>? checkRefusal = null)
    {
        var (_, list) = await Browserless.GetAsync(client, "/ecole/entreprises");
        var refused = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, list, "Ajouter l'entreprise",
            new Dictionary<string, string> { ["Name"] = "Autre nom", ["SiretText"] = siret }));
        checkRefusal?.Invoke(refused);
        return await Browserless.SubmitAsync(client, refused, "Ajouter cette entreprise à votre liste");
    }

    private static Task<HttpClient> LoggedInAsync(PortalWorld world) => world.StaffClientAsync("demo.ecole");

    /// <summary>"Ajouter et envoyer les identifiants" on the company's page: GIRARD Paul, at <paramref name="email"/>.</summary>
    private static async Task<HttpResponseMessage> AddPaulGirardAsync(HttpClient client, Guid companyId, string email)
    {
        var (_, page) = await Browserless.GetAsync(client, $"/ecole/entreprises/{companyId}");
        return await Browserless.SubmitAsync(client, page, "Ajouter et envoyer les identifiants", new Dictionary<string, string>
        {
            ["Contact.LastName"] = "Girard", ["Contact.FirstName"] = "Paul", ["Contact.Email"] = email,
        });
    }

    private static async Task<Guid> CompanyIdAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        return await db.Companies.Where(c => c.Name == "Laboriosam Industries").Select(c => c.Id).SingleAsync();
    }
}
