using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Companies;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>Switching off, not deleting (issue 16): contacts, staff and companies deactivated and reactivated, referrals reassigned.</summary>
[Trait(Category.Name, Category.Smtp)]
public class DeactivationTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    private const string OfferId = "0193c2a0-0000-7000-8000-000000000301";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_deactivated_contact_loses_access_and_mail_and_their_referral_goes_to_a_colleague_with_fresh_links(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        var colleague = await AddColleagueAsync(world);
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail and push CV mail (with its links)
        var pushMail = (await world.Sink.WaitForAsync(2)).Single(m => m.To.Contains("sophie.lefebvre@laboriosam.example"));
        var pushLink = Regex.Match(pushMail.Text!, @"https://passerelle\.test(/l/p/[A-Za-z0-9_-]+)").Groups[1].Value;
        pushLink.ShouldNotBeEmpty();
        using var sophie = world.Client();
        (await PortalWorld.LogInAsync(sophie, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.OK);
        await PortalWorld.ChooseSchoolAsync(sophie, DemoData.SchoolId);
        var margaud = await world.ReferralOfAsync("TECHER");
        (await sophie.GetAsync($"/entreprise/candidats/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var staff = await world.StaffClientAsync("demo.ecole");
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        var off = await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, page, "Désactiver le contact"));
        off.Text().ShouldContain("LEFEBVRE Sophie est désactivé·e");
        off.Text().ShouldContain("Contact désactivé le");
        off.QuerySelector("ul.history")!.TextContent.ShouldContain("Accès : « Actif » → « Désactivé »");
        off.Text().ShouldContain("Mises en relation en cours avec ce contact");
        // The other school she works with still works with her: another school's switch is not in the history it sees.
        using (var otherSchool = await world.StaffClientAsync("demo.cfa"))
        {
            var (otherStatus, otherPage) = await Browserless.GetAsync(otherSchool, $"/ecole/contacts/{DemoData.ContactId}");
            otherStatus.ShouldBe(HttpStatusCode.OK);
            otherPage.Text().ShouldNotContain("Accès : « Actif » → « Désactivé »");
        }

        // At once: the portal no longer opens this school's referrals, the mailed link says whom to contact.
        (await sophie.GetAsync($"/entreprise/candidats/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var (linkStatus, linkPage) = await Browserless.GetAsync(world.Client(), pushLink);
        linkStatus.ShouldBe(HttpStatusCode.Forbidden);
        linkPage.Text().ShouldContain("Votre accès a été désactivé");
        linkPage.Text().ShouldContain("contactez MARTIN Benoît, de Passerelle School");
        // Not offered for a new referral; the colleague is.
        var (_, newReferral) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/nouvelle?offre={OfferId}");
        var contacts = newReferral.QuerySelectorAll("select[name=ContactId] option, input[name=ContactId]").Select(o => o.TextContent + o.GetAttribute("value")).ToList();
        string.Join(" ", contacts).ShouldNotContain(DemoData.ContactId.ToString());
        string.Join(" ", contacts).ShouldContain(colleague.ToString());
        // The API says so, and refuses her for a new referral.
        using var api = world.App.CreateClient();
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await ApiKeyAsync(world));
        var resource = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync($"/api/v1/contacts/{DemoData.ContactId}"))!;
        resource["active"]!.GetValue<bool>().ShouldBeFalse();
        var margaudId = await CandidateIdAsync(world, "Margaud");
        var proposed = await api.PostAsync("/api/v1/referrals", new StringContent(
            $$"""{"offerId":"{{OfferId}}","contactId":"{{DemoData.ContactId}}","candidates":[{"candidateId":"{{margaudId}}"}]}""", System.Text.Encoding.UTF8, "application/json"));
        proposed.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await proposed.Content.ReadAsStringAsync()).ShouldContain("Ce contact est désactivé");

        var (_, company) = await Browserless.GetAsync(staff, "/ecole/entreprises/" + await CompanyOfAsync(world));
        company.Text().ShouldContain("LEFEBVRE Sophie (désactivé)");
        // No mail from this school: Guillaume accepts the offer, the candidate's mail to her is kept as skipped.
        var guillaume = await world.ReferralOfAsync("JOURDAN");
        var (_, guillaumePage) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{guillaume}");
        await Browserless.SubmitAsync(staff, guillaumePage, "Le candidat accepte l'offre");
        var sent = world.Sink.Messages().Count;
        await delivery.DispatchOnceAsync(CancellationToken.None);
        world.Sink.Messages().Skip(sent).ShouldNotContain(m => m.To.Contains("sophie.lefebvre@laboriosam.example"));
        await using (var db = world.Database.NewContext())
        {
            var skipped = await db.OutboxMessages.IgnoreQueryFilters()
                .SingleAsync(m => m.ReferralId == guillaume && m.TemplateKey == TemplateKeys.CandidateToCompany);
            (skipped.State, skipped.LastError).ShouldBe((OutboxState.Skipped, MailComposer.RecipientSwitchedOff));
        }
        sent = world.Sink.Messages().Count;

        // Margaud's referral waits for the company: given to the colleague, who gets the candidate's mail with working links.
        (_, page) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        var given = await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, page, "Réaffecter à un autre contact : TECHER Margaud",
            new Dictionary<string, string> { ["NewContactId"] = colleague.ToString() }));
        given.Text().ShouldContain("La mise en relation est confiée à BERNARD Paul : le candidat lui est présenté par e-mail");
        given.Text().ShouldNotContain("TECHER Margaud", Case.Sensitive, "no longer this contact's");
        var (_, timeline) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{margaud}");
        timeline.Text().ShouldContain("Passerelle School - Changement de contact");
        timeline.Text().ShouldContain("Mise en relation confiée à un autre contact de l'entreprise : BERNARD Paul");
        await delivery.DispatchOnceAsync(CancellationToken.None);
        var toPaul = world.Sink.Messages().Skip(sent).Single();
        toPaul.To.ShouldContain("paul.bernard@entreprise.example");
        var companyLink = Regex.Match(toPaul.Text!, @"https://passerelle\.test(/l/[A-Za-z0-9_-]{20,})").Groups[1].Value;
        var (paulStatus, paulPage) = await Browserless.GetAsync(world.Client(), companyLink);
        paulStatus.ShouldBe(HttpStatusCode.OK);
        paulPage.Text().ShouldContain("TECHER Margaud");
        // The same referral cannot be reassigned from a stale page (it is no longer Sophie's).
        var stale = await Browserless.SubmitAsync(staff, page, "Réaffecter à un autre contact : TECHER Margaud",
            new Dictionary<string, string> { ["NewContactId"] = colleague.ToString() });
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // Sophie still works with the second school: she signs in there. Once that school switches her off too, her session
        // ends and the login says why.
        using var cfa = await world.StaffClientAsync("demo.cfa");
        (await cfa.GetAsync($"/ecole/contacts/{colleague}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another school's contact");
        (_, page) = await Browserless.GetAsync(cfa, $"/ecole/contacts/{DemoData.ContactId}");
        page.Text().ShouldNotContain("Contact désactivé le", Case.Sensitive, "each school switches off its own link");
        (await sophie.GetAsync("/entreprise")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise", "still signed in for the second school");
        await Browserless.SubmitAsync(cfa, page, "Désactiver le contact");
        var afterAll = await sophie.GetAsync("/entreprise");
        afterAll.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise/connexion", "the session ended");
        var (refusedStatus, refused) = await PortalWorld.LogInAsync(world.Client(), "demo.entreprise");
        refusedStatus.ShouldBe(HttpStatusCode.Forbidden);
        refused.Text().ShouldContain("Votre accès a été désactivé par le centre de formation");

        // Reactivated by the first school: she signs in again, to that school.
        (_, page) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        (await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, page, "Réactiver le contact"))).Text().ShouldContain("est de nouveau actif·ve");
        (await PortalWorld.LogInAsync(world.Client(), "demo.entreprise")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_deactivated_staff_member_is_signed_out_and_refused_and_the_school_keeps_an_active_admin(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var martin = await world.StaffClientAsync("demo.ecole");
        using var admin = await world.StaffClientAsync("demo.admin");
        var martinId = await StaffIdAsync(world, "demo.ecole");
        var durandId = await StaffIdAsync(world, "demo.admin");
        (await martin.GetAsync("/ecole/equipe/" + martinId)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "admins only");

        var (_, self) = await Browserless.GetAsync(admin, "/ecole/equipe/" + durandId);
        var notSelf = await Browserless.SubmitAsync(admin, self, "Désactiver le compte");
        notSelf.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(notSelf)).Text().ShouldContain("Vous ne pouvez pas désactiver votre propre compte");

        var (_, page) = await Browserless.GetAsync(admin, "/ecole/equipe/" + martinId);
        page.Text().ShouldContain("suit 3 mise(s) en relation en cours");
        var off = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, page, "Désactiver le compte"));
        off.Text().ShouldContain("Le compte de MARTIN Benoît est désactivé");
        var signedOut = await martin.GetAsync("/ecole/tableau-de-bord");
        signedOut.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/ecole/connexion", "his session ended at once");
        var (status, refused) = await PortalWorld.TryLogInStaffAsync(world.Client(), "demo.ecole");
        status.ShouldBe(HttpStatusCode.Forbidden);
        refused.Text().ShouldContain("Votre compte a été désactivé");

        // Until his referrals are handed over, the school's notices about them go to the first active admin, not to him.
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None);
        var sent = world.Sink.Messages().Count;
        var guillaume = await world.ReferralOfAsync("JOURDAN");
        var (_, guillaumePage) = await Browserless.GetAsync(admin, $"/ecole/mises-en-relation/{guillaume}");
        await Browserless.SubmitAsync(admin, guillaumePage, "Le candidat accepte l'offre");
        await delivery.DispatchOnceAsync(CancellationToken.None);
        var notices = world.Sink.Messages().Skip(sent).ToList();
        notices.ShouldContain(m => m.To.Contains("claire.durand@passerelle-school.example"));
        notices.ShouldNotContain(m => m.To.Contains("benoit.martin@passerelle-school.example"));

        // His referrals' notifications would be skipped: they go to a colleague.
        var handed = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, off, "Confier les mises en relation",
            new Dictionary<string, string> { ["ColleagueId"] = durandId.ToString() }));
        handed.Text().ShouldContain("3 mise(s) en relation en cours confiée(s) à DURAND Claire");
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            (await db.Referrals.CountAsync(r => r.CreatedByStaffId == durandId && r.CancelledAt == null)).ShouldBe(3);
        }

        // Reactivated, promoted, he switches Durand off; then he cannot stop being the last active admin.
        (_, page) = await Browserless.GetAsync(admin, "/ecole/equipe/" + martinId);
        await Browserless.SubmitAsync(admin, page, "Réactiver le compte");
        (_, page) = await Browserless.GetAsync(admin, "/ecole/equipe/" + martinId);
        await Browserless.EditAsync(admin, page, "Enregistrer", new Dictionary<string, string> { ["Role"] = "SchoolAdmin" });
        using var martinAdmin = await world.StaffClientAsync("demo.ecole");
        (_, page) = await Browserless.GetAsync(martinAdmin, "/ecole/equipe/" + durandId);
        (await Browserless.SubmitAsync(martinAdmin, page, "Désactiver le compte")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (_, page) = await Browserless.GetAsync(martinAdmin, "/ecole/equipe/" + martinId);
        var last = await Browserless.EditAsync(martinAdmin, page, "Enregistrer", new Dictionary<string, string> { ["Role"] = "Recruiter" });
        last.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(last)).Text().ShouldContain("L'école garde au moins un administrateur actif");

        using var cfa = await world.StaffClientAsync("demo.cfa");
        (await cfa.GetAsync("/ecole/equipe/" + martinId)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another school's staff");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_deactivated_company_takes_no_new_referral(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var staff = await world.StaffClientAsync("demo.ecole");
        var companyId = await CompanyOfAsync(world);
        var (_, staleForm) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/nouvelle?offre={OfferId}");
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/entreprises/{companyId}");
        var off = await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, page, "Désactiver l'entreprise"));
        off.Text().ShouldContain("est désactivée : ses offres ne reçoivent plus de mises en relation");
        off.QuerySelector("ul.history")!.TextContent.ShouldContain("Activité : « Active » → « Désactivée »");

        // Through the API too: refused, with why.
        using var api = world.App.CreateClient();
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await ApiKeyAsync(world));
        var margaudId = await CandidateIdAsync(world, "Margaud");
        var proposed = await api.PostAsync("/api/v1/referrals", new StringContent(
            $$"""{"offerId":"{{OfferId}}","contactId":"{{DemoData.ContactId}}","candidates":[{"candidateId":"{{margaudId}}"}]}""", System.Text.Encoding.UTF8, "application/json"));
        proposed.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await proposed.Content.ReadAsStringAsync()).ShouldContain("Cette entreprise est désactivée");
        System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync($"/api/v1/companies/{companyId}"))!["active"]!.GetValue<bool>().ShouldBeFalse();

        var (_, newReferral) = await Browserless.GetAsync(staff, "/ecole/mises-en-relation/nouvelle");
        newReferral.QuerySelectorAll("select[name=offre] option").Select(o => o.GetAttribute("value")).ShouldNotContain(OfferId);
        // The form of a page opened before (the offer chosen) is refused, nothing created.
        int before;
        await using (var db = world.Database.NewContext())
            before = await db.Referrals.IgnoreQueryFilters().CountAsync();
        var posted = await Browserless.SubmitAsync(staff, staleForm, "Créer les mises en relation", new Dictionary<string, string>
        {
            ["ContactId"] = DemoData.ContactId.ToString(), ["CandidateIds"] = staleForm.QuerySelector("input[name=CandidateIds]")!.GetAttribute("value")!,
        });
        posted.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(posted)).Text().ShouldContain("Choisissez une offre active.");
        await using (var db = world.Database.NewContext())
            (await db.Referrals.IgnoreQueryFilters().CountAsync()).ShouldBe(before);

        // The second school still works with the company: switched off only here.
        using var cfa = await world.StaffClientAsync("demo.cfa");
        (await Browserless.GetAsync(cfa, $"/ecole/entreprises/{companyId}")).Page.Text().ShouldNotContain("Entreprise désactivée");
        (_, page) = await Browserless.GetAsync(staff, $"/ecole/entreprises/{companyId}");
        (await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, page, "Réactiver l'entreprise"))).Text().ShouldContain("est de nouveau active");
    }

    /// <summary>A second contact of the demo company, working with the demo school: BERNARD Paul.</summary>
    private static async Task<Guid> AddColleagueAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        db.ForSystem();
        var companyId = await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.CompanyId).SingleAsync();
        var contact = new CompanyContact
        {
            Id = Guid.NewGuid(), CompanyId = companyId, LastName = "BERNARD", FirstName = "Paul", Email = "paul.bernard@entreprise.example",
            UserName = "paul.bernard", CreatedAt = Seed.Now, SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        contact.PasswordHash = new PasswordHasher<CompanyContact>().HashPassword(contact, DemoData.Password);
        db.AddRange(contact, new SchoolContact { SchoolId = DemoData.SchoolId, ContactId = contact.Id, CreatedAt = Seed.Now });
        await db.SaveChangesAsync();
        return contact.Id;
    }

    private static async Task<string> ApiKeyAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var martin = await db.Staff.SingleAsync(s => s.UserName == "demo.ecole");
        var (_, secret, problem) = await Passerelle.Api.ApiKeys.CreateAsync(db, "ERP", martin, Seed.Now, CancellationToken.None);
        problem.ShouldBeNull();
        return secret!;
    }

    private static async Task<Guid> CandidateIdAsync(PortalWorld world, string firstName)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        return await db.Candidates.Where(c => c.FirstName == firstName).Select(c => c.Id).SingleAsync();
    }

    private static async Task<Guid> CompanyOfAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        return await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.CompanyId).SingleAsync();
    }

    private static async Task<Guid> StaffIdAsync(PortalWorld world, string userName)
    {
        await using var db = world.Database.NewContext();
        return await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == userName).Select(s => s.Id).SingleAsync();
    }
}
