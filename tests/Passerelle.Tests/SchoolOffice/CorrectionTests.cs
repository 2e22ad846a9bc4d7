using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>Correcting offers, companies, contacts and staff (issue 16): each change recorded and shown, bad input refused.</summary>
[Trait(Category.Name, Category.Smtp)]
public class CorrectionTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    private static readonly Guid OfferId = new("0193c2a0-0000-7000-8000-000000000301");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Staff_correct_an_offer_the_change_is_recorded_and_the_mail_already_sent_keeps_its_copy(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail, with the offer's title
        using var staff = await world.StaffClientAsync("demo.ecole");
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/offres/{OfferId}");
        page.Text().ShouldContain("Aucune modification depuis la création.");

        var refused = await Browserless.EditAsync(staff, page, "Enregistrer l'offre", new Dictionary<string, string> { ["Title"] = " " });
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(refused)).Text().ShouldContain("Indiquez l'intitulé");
        var badContract = await Browserless.EditAsync(staff, page, "Enregistrer l'offre", new Dictionary<string, string> { ["Contract"] = "Bénévolat" });
        badContract.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var badContractPage = await Browserless.ReadAsync(badContract);
        badContractPage.Text().ShouldContain("Vérifiez le type de contrat et la date de début.", Case.Sensitive, "the offer's page, with what was typed");
        badContractPage.QuerySelector("#o-title")!.GetAttribute("value").ShouldBe("Et laboriosam praesentium");
        var badDate = await Browserless.EditAsync(staff, page, "Enregistrer l'offre", new Dictionary<string, string> { ["StartsOn"] = "2027-02-31" });
        badDate.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(badDate)).Text().ShouldContain("Vérifiez le type de contrat et la date de début.");

        // A description as long as creation allows (4,000 characters) is kept; one longer is refused in French.
        var tooLong = await Browserless.EditAsync(staff, page, "Enregistrer l'offre", new Dictionary<string, string> { ["Description"] = new string('x', 4001) });
        tooLong.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(tooLong)).Text().ShouldContain("La description ne peut dépasser 4000 caractères.");
        var longDescription = string.Concat(Enumerable.Repeat("Missions variées. ", 180)).Trim();
        longDescription.Length.ShouldBeGreaterThan(3000);
        var saved = await Browserless.ReadAsync(await Browserless.EditAsync(staff, page, "Enregistrer l'offre", new Dictionary<string, string>
        {
            ["Title"] = "Technicien·ne de maintenance", ["Contract"] = nameof(ContractKind.Apprenticeship), ["StartsOn"] = "2027-09-01",
        }));
        var savedLong = await Browserless.ReadAsync(await Browserless.EditAsync(staff, saved, "Enregistrer l'offre", new Dictionary<string, string>
        {
            ["Description"] = longDescription,
        }));
        savedLong.Text().ShouldContain("L'offre « Technicien·ne de maintenance » est enregistrée.", Case.Sensitive, "a description of 3,000 characters saves");
        saved.Text().ShouldContain("L'offre « Technicien·ne de maintenance » est enregistrée.");
        var history = saved.QuerySelector("ul.history")!.TextContent;
        history.ShouldContain("par MARTIN Benoît");
        history.ShouldContain("Intitulé : « Et laboriosam praesentium » → « Technicien·ne de maintenance »");
        history.ShouldContain("Contrat : « (vide) » → « Contrat d'apprentissage »");
        history.ShouldMatch(@"Début : « [^»]+ » → « 01/09/2027 »");
        history.ShouldNotContain("Description", Case.Sensitive, "an unchanged field is not listed");

        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var offer = await db.JobOffers.SingleAsync(o => o.Id == OfferId);
        (offer.Title, offer.Contract, offer.StartsOn, offer.IsActive).ShouldBe(("Technicien·ne de maintenance", ContractKind.Apprenticeship, new DateOnly(2027, 9, 1), true));
        var sent = await db.OutboxMessages.Where(m => m.TemplateKey == TemplateKeys.OfferToCandidate && m.State == OutboxState.Sent).ToListAsync();
        sent.ShouldNotBeEmpty();
        sent.ShouldAllBe(m => m.HtmlBody!.Contains("Et laboriosam praesentium") && !m.HtmlBody.Contains("Technicien"), "a mail sent keeps what it said");

        // Switched off by a colleague (the company page's button) while this page was open: correcting the text from it keeps
        // the offer off, and the history does not credit this correction with switching it on.
        await using (var colleague = world.Database.NewContext())
            await colleague.ForSchool(DemoData.SchoolId).JobOffers.Where(o => o.Id == OfferId).ExecuteUpdateAsync(set => set.SetProperty(o => o.IsActive, false));
        var stale = await Browserless.ReadAsync(await Browserless.EditAsync(staff, savedLong, "Enregistrer l'offre", new Dictionary<string, string>
        {
            ["Location"] = "Mérignac",
        }));
        stale.QuerySelector("ul.history")!.TextContent.ShouldNotContain("État");
        await using (var check = world.Database.NewContext())
            (await check.ForSchool(DemoData.SchoolId).JobOffers.SingleAsync(o => o.Id == OfferId)).IsActive.ShouldBeFalse("the colleague's switch stands");
        await using (var colleague = world.Database.NewContext())
            await colleague.ForSchool(DemoData.SchoolId).JobOffers.Where(o => o.Id == OfferId).ExecuteUpdateAsync(set => set.SetProperty(o => o.IsActive, true));

        // Unchecking "Active" is a change like the others.
        var (_, again) = await Browserless.GetAsync(staff, $"/ecole/offres/{OfferId}");
        var inactive = await Browserless.ReadAsync(await Browserless.EditAsync(staff, again, "Enregistrer l'offre", new Dictionary<string, string> { ["IsActive"] = "false" }));
        inactive.QuerySelector("ul.history")!.TextContent.ShouldContain("État : « Active » → « Inactive »");

        using var other = await world.StaffClientAsync("demo.cfa");
        (await other.GetAsync($"/ecole/offres/{OfferId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another school's offer");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_company_is_renamed_and_given_an_address_but_its_siret_is_fixed_once_referrals_exist(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var staff = await world.StaffClientAsync("demo.ecole");
        Guid companyId;
        string siret;
        await using (var db = world.Database.NewContext())
        {
            var demo = await db.Companies.SingleAsync(c => c.Name == "Laboriosam Industries");
            (companyId, siret) = (demo.Id, demo.Siret);
        }
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/entreprises/{companyId}");
        page.QuerySelector("#e-siret")!.HasAttribute("readonly").ShouldBeTrue("the demo company has referrals");

        var forged = await Browserless.EditAsync(staff, page, "Enregistrer l'entreprise", new Dictionary<string, string>
        {
            ["Edit.Name"] = "Laboriosam Industries", ["Edit.Siret"] = Seed.NextSiret(),
        });
        forged.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, "a SIRET sent anyway is refused");
        (await Browserless.ReadAsync(forged)).Text().ShouldContain("Le SIRET ne se modifie plus");

        var saved = await Browserless.ReadAsync(await Browserless.EditAsync(staff, page, "Enregistrer l'entreprise", new Dictionary<string, string>
        {
            ["Edit.Name"] = "Laboriosam Industries SAS", ["Edit.Address"] = "12 rue Sainte-Catherine\n33000 Bordeaux",
        }));
        saved.Text().ShouldContain("Les informations de l'entreprise sont enregistrées.");
        saved.QuerySelector("h1")!.TextContent.ShouldBe("Laboriosam Industries SAS");
        saved.QuerySelector("ul.history")!.TextContent.ShouldContain("Nom : « Laboriosam Industries » → « Laboriosam Industries SAS »");

        await using var check = world.Database.NewContext();
        var company = await check.Companies.SingleAsync(c => c.Id == companyId);
        (company.Name, company.Siret, company.Address).ShouldBe(("Laboriosam Industries SAS", siret, "12 rue Sainte-Catherine\n33000 Bordeaux"));

        // A company without referrals: its SIRET is corrected, checked like at creation.
        var (_, list) = await Browserless.GetAsync(staff, "/ecole/entreprises");
        var created = await Browserless.SubmitAsync(staff, list, "Ajouter l'entreprise", new Dictionary<string, string> { ["Name"] = "Coquille", ["SiretText"] = Seed.NextSiret() });
        var newPage = await Browserless.ReadAsync(created);
        var invalid = await Browserless.EditAsync(staff, newPage, "Enregistrer l'entreprise", new Dictionary<string, string> { ["Edit.Name"] = "Coquille", ["Edit.Siret"] = "12345678901234" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var taken = await Browserless.EditAsync(staff, newPage, "Enregistrer l'entreprise", new Dictionary<string, string> { ["Edit.Name"] = "Coquille", ["Edit.Siret"] = siret });
        (await Browserless.ReadAsync(taken)).Text().ShouldContain("Une autre entreprise porte déjà ce SIRET.");
        var corrected = Seed.NextSiret();
        var fixedSiret = await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, newPage, "Enregistrer l'entreprise",
            new Dictionary<string, string> { ["Edit.Name"] = "Coquille", ["Edit.Siret"] = corrected }));
        fixedSiret.Text().ShouldContain($"SIRET {corrected}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_contact_s_new_address_is_used_only_once_its_owner_confirms_it_by_the_mailed_link(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None);
        var before = world.Sink.Messages().Count;
        using var staff = await world.StaffClientAsync("demo.ecole");
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        var oldEmail = page.QuerySelector("#c-email")!.GetAttribute("value")!;

        var saved = await Browserless.ReadAsync(await Browserless.EditAsync(staff, page, "Enregistrer le contact", new Dictionary<string, string>
        {
            ["Phone"] = "06 12 34 56 78", ["Email"] = "Sophie.Lefebvre@nouvelle.example",
        }));
        saved.Text().ShouldContain("Un lien de confirmation est envoyé à sophie.lefebvre@nouvelle.example");
        saved.Text().ShouldContain($"Les e-mails partent à {oldEmail} d'ici là.");
        var history = saved.QuerySelector("ul.history")!.TextContent;
        history.ShouldMatch(@"Téléphone : « [^»]+ » → « 06 12 34 56 78 »");
        history.ShouldContain("Nouvelle adresse e-mail (à confirmer) : « (vide) » → « sophie.lefebvre@nouvelle.example »");
        await using (var db = world.Database.NewContext())
            (await db.CompanyContacts.SingleAsync(c => c.Id == DemoData.ContactId)).Email.ShouldBe(oldEmail, "not used before it is confirmed");

        await delivery.DispatchOnceAsync(CancellationToken.None);
        var mail = (await world.Sink.WaitForAsync(before + 1)).Skip(before).Single();
        mail.To.ShouldContain("sophie.lefebvre@nouvelle.example");
        mail.Subject.ShouldBe("Confirmez votre nouvelle adresse sur Passerelle Entreprises");
        var token = Regex.Match(mail.Text!, @"https://passerelle\.test/entreprise/confirmer-adresse/([A-Za-z0-9_-]{43})").Groups[1].Value;
        token.ShouldNotBeEmpty();

        using var owner = world.Client();
        (await owner.GetAsync($"/entreprise/mot-de-passe/{token}")).StatusCode.ShouldBe(HttpStatusCode.Gone, "this link sets no password");
        var (status, confirm) = await Browserless.GetAsync(owner, $"/entreprise/confirmer-adresse/{token}");
        status.ShouldBe(HttpStatusCode.OK);
        confirm.Text().ShouldContain("sophie.lefebvre@nouvelle.example");
        await using (var db = world.Database.NewContext())
            (await db.CompanyContacts.SingleAsync(c => c.Id == DemoData.ContactId)).Email.ShouldBe(oldEmail, "opening the link changes nothing");

        var done = await Browserless.ReadAsync(await Browserless.SubmitAsync(owner, confirm, "Confirmer cette adresse"));
        done.Text().ShouldContain("Votre adresse est maintenant sophie.lefebvre@nouvelle.example");
        done.Text().ShouldContain("Votre identifiant de connexion : demo.entreprise", Case.Sensitive, "a login that was not the address stays");
        await using (var db = world.Database.NewContext())
        {
            var contact = await db.CompanyContacts.SingleAsync(c => c.Id == DemoData.ContactId);
            (contact.Email, contact.PendingEmail, contact.UserName).ShouldBe(("sophie.lefebvre@nouvelle.example", (string?)null, "demo.entreprise"));
        }
        (await owner.GetAsync($"/entreprise/confirmer-adresse/{token}")).StatusCode.ShouldBe(HttpStatusCode.Gone, "a link serves once");
        var (_, after) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        after.QuerySelector("ul.history")!.TextContent.ShouldContain($"Adresse e-mail : « {oldEmail} » → « sophie.lefebvre@nouvelle.example »");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_newer_address_request_voids_the_older_link_and_an_address_in_use_is_refused(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None);
        var before = world.Sink.Messages().Count;
        using var staff = await world.StaffClientAsync("demo.ecole");
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        await Browserless.EditAsync(staff, page, "Enregistrer le contact", new Dictionary<string, string> { ["Email"] = "premiere@nouvelle.example" });
        await delivery.DispatchOnceAsync(CancellationToken.None);
        var first = (await world.Sink.WaitForAsync(before + 1)).Skip(before).Single();
        var firstToken = Regex.Match(first.Text!, @"/entreprise/confirmer-adresse/([A-Za-z0-9_-]{43})").Groups[1].Value;

        var (_, again) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        await Browserless.EditAsync(staff, again, "Enregistrer le contact", new Dictionary<string, string> { ["Email"] = "seconde@nouvelle.example" });
        using var owner = world.Client();
        (await owner.GetAsync($"/entreprise/confirmer-adresse/{firstToken}")).StatusCode.ShouldBe(HttpStatusCode.Gone, "the newer request voids it");

        await world.OtherCompanyContactAsync(); // an account at autre@example.org
        var (_, third) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        var inUse = await Browserless.EditAsync(staff, third, "Enregistrer le contact", new Dictionary<string, string> { ["Email"] = "Autre@example.org" });
        inUse.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(inUse)).Text().ShouldContain("Un autre compte Passerelle Entreprises utilise déjà cette adresse.");

        Guid autre;
        await using (var db = world.Database.NewContext())
            autre = await db.CompanyContacts.Where(c => c.UserName == "autre.contact").Select(c => c.Id).SingleAsync();
        using var other = await world.StaffClientAsync("demo.cfa");
        (await other.GetAsync($"/ecole/contacts/{autre}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "a contact of another school only");
        var (status, shared) = await Browserless.GetAsync(other, $"/ecole/contacts/{DemoData.ContactId}");
        status.ShouldBe(HttpStatusCode.OK, "a contact both schools work with");
        var history = shared.QuerySelector("ul.history")!.TextContent;
        history.ShouldContain("par un autre centre de formation", Case.Sensitive, "the change shows, not who made it");
        history.ShouldNotContain("MARTIN");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_renames_a_member_changes_roles_and_the_school_keeps_an_admin(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        Guid durand, martin;
        await using (var db = world.Database.NewContext())
        {
            durand = await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == "demo.admin").Select(s => s.Id).SingleAsync();
            martin = await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == "demo.ecole").Select(s => s.Id).SingleAsync();
        }
        using var recruiter = await world.StaffClientAsync("demo.ecole");
        (await recruiter.GetAsync($"/ecole/equipe/{martin}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "admins only");

        using var admin = await world.StaffClientAsync("demo.admin");
        var (_, self) = await Browserless.GetAsync(admin, $"/ecole/equipe/{durand}");
        var lastAdmin = await Browserless.EditAsync(admin, self, "Enregistrer", new Dictionary<string, string> { ["Role"] = "Recruiter" });
        lastAdmin.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(lastAdmin)).Text().ShouldContain("L'école garde au moins un administrateur");

        var (_, member) = await Browserless.GetAsync(admin, $"/ecole/equipe/{martin}");
        var unknownRole = await Browserless.EditAsync(admin, member, "Enregistrer", new Dictionary<string, string> { ["Role"] = "Directeur" });
        unknownRole.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(unknownRole)).Text().ShouldContain("Choisissez un rôle.");
        var saved = await Browserless.ReadAsync(await Browserless.EditAsync(admin, member, "Enregistrer", new Dictionary<string, string>
        {
            ["FirstName"] = "Benoit", ["Role"] = "SchoolAdmin",
        }));
        var history = saved.QuerySelector("ul.history")!.TextContent;
        history.ShouldContain("par DURAND Claire");
        history.ShouldContain("Prénom : « Benoît » → « Benoit »");
        history.ShouldContain("Rôle : « Chargé·e de relations entreprises » → « Administrateur·rice »");
        (await recruiter.GetAsync("/ecole/mises-en-relation")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/ecole/connexion",
            "a new role ends the person's sessions");

        // Now that the school has two admins, Claire may step down.
        var (_, selfAgain) = await Browserless.GetAsync(admin, $"/ecole/equipe/{durand}");
        (await Browserless.EditAsync(admin, selfAgain, "Enregistrer", new Dictionary<string, string> { ["Role"] = "Recruiter" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var other = await world.StaffClientAsync("demo.cfa");
        (await other.GetAsync($"/ecole/equipe/{martin}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another school's member");
    }
}
