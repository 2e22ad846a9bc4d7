using System.Net;
using System.Text;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.SchoolOffice;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>Passerelle École: the school's referrals, the full timeline, acting on behalf, failed mails.</summary>
[Trait(Category.Name, Category.Smtp)]
public class SchoolOfficeTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Staff_see_every_referral_of_their_school_filter_them_and_export_them(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        // The back-office's address leads to its sign-in page, and once signed in to the referral list.
        var (_, signIn) = await Browserless.GetAsync(client, "/ecole");
        signIn.QuerySelector("h1")!.TextContent.ShouldContain("Connexion");
        await LogInAsync(client, "demo.ecole");

        var (status, list) = await Browserless.GetAsync(client, "/ecole");
        status.ShouldBe(HttpStatusCode.OK);
        var rows = Rows(list);
        rows.Select(r => r[1]).ShouldBe(["DUPONT Léa", "TECHER Margaud", "JOURDAN Guillaume"]);
        rows[1].ShouldBe(["15/05/2020", "TECHER Margaud", "Et laboriosam praesentium", "Laboriosam Industries (LEFEBVRE Sophie)", "En attente de l'entreprise",
            "Offre acceptée - le 15/06/2020", "", "", "MARTIN Benoît"]);
        var (_, waiting) = await Browserless.GetAsync(client, "/ecole/mises-en-relation?etape=AwaitingCompany");
        Rows(waiting).Select(r => r[1]).ShouldBe(["TECHER Margaud"]);

        var csv = await client.GetAsync("/ecole/mises-en-relation?handler=Csv");
        csv.Content.Headers.ContentType!.ToString().ShouldBe("text/csv; charset=utf-8");
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        bytes[..3].ShouldBe(Encoding.UTF8.GetPreamble(), "Excel needs the BOM to read UTF-8");
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("Date de mise en relation;Candidat;Offre;Entreprise;Contact;Chargé(e);Étape;");
        lines.ShouldContain("15/05/2020;TECHER Margaud;Et laboriosam praesentium;Laboriosam Industries;LEFEBVRE Sophie;MARTIN Benoît;En attente de l'entreprise;Offre acceptée - le 15/06/2020;;");
        lines.Length.ShouldBe(4);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_referral_page_shows_the_timeline_with_mails_and_staff_act_on_behalf_of_the_company(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        using var client = world.Client();
        await LogInAsync(client, "demo.ecole");
        var margaud = await world.ReferralOfAsync("TECHER");

        var (_, page) = await Browserless.GetAsync(client, $"/ecole/mises-en-relation/{margaud}");
        page.Text().ShouldContain("PASSERELLE SCHOOL - Mise en relation proposée par : MARTIN Benoît");
        page.Text().ShouldContain("TECHER Margaud - Réponse du candidat Le 15/06/2020 à 12h07 : Offre acceptée Action effectuée par MARTIN Benoît.");

        var response = await Browserless.SubmitAsync(client, page, "L'entreprise accepte le candidat", new Dictionary<string, string>
        {
            ["Appointment.Date"] = "2026-03-12", ["Appointment.Hour"] = "9", ["Appointment.Minute"] = "0", ["Appointment.Comment"] = "Réponse donnée par téléphone",
        });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browserless.ReadAsync(response)).Text().ShouldContain("L'acceptation de l'entreprise et le rendez-vous sont enregistrés.");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        var (_, after) = await Browserless.GetAsync(client, $"/ecole/mises-en-relation/{margaud}");
        var text = after.Text();
        text.ShouldContain("Laboriosam Industries - Réponse de l'entreprise Le 02/03/2026 à 10h30 : Candidat accepté – RDV proposé le 12/03/2026 à 09h00");
        text.ShouldContain("Action effectuée par MARTIN Benoît.");
        text.ShouldContain("E-mail au candidat : Rendez-vous proposé par Laboriosam Industries le 12/03/2026 à 09h00 – Envoyé le 02/03/2026 à 10h30");
        after.QuerySelectorAll("iframe.mail-copy").Length.ShouldBeGreaterThan(0, "the kept copy of each mail is there");
        var last = await LastEventAsync(world, margaud);
        (last.OnBehalfOf, last.ActorName, last.Channel).ShouldBe((Party.Company, "MARTIN Benoît", Channel.SchoolBackOffice));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cancelling_needs_a_reason_and_then_tells_the_parties(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await LogInAsync(client, "demo.ecole");
        var margaud = await world.ReferralOfAsync("TECHER");
        var (_, page) = await Browserless.GetAsync(client, $"/ecole/mises-en-relation/{margaud}");

        var withoutReason = await Browserless.SubmitAsync(client, page, "Annuler la mise en relation", new Dictionary<string, string> { ["Reason"] = " " });
        withoutReason.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(withoutReason)).Text().ShouldContain("Indiquez le motif de l'annulation.");

        await Browserless.SubmitAsync(client, page, "Annuler la mise en relation", new Dictionary<string, string> { ["Reason"] = "Offre pourvue" });

        (await LastEventAsync(world, margaud)).Kind.ShouldBe(ReferralEventKind.Cancelled);
        await using var db = world.Database.NewContext();
        var keys = await db.OutboxMessages.Where(m => m.ReferralId == margaud).Select(m => m.TemplateKey).ToListAsync();
        keys.ShouldBe([TemplateKeys.WithdrawnBySchoolToCandidate, TemplateKeys.WithdrawnBySchoolToCompany], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Staff_of_another_school_get_404_on_this_school_s_referral_and_its_actions(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var margaud = await world.ReferralOfAsync("TECHER");
        using var own = world.Client();
        await LogInAsync(own, "demo.ecole");
        (await own.GetAsync($"/ecole/mises-en-relation/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.OK, "the referral exists, for its own school");

        using var other = world.Client();
        await LogInAsync(other, "demo.cfa");
        var (_, list) = await Browserless.GetAsync(other, "/ecole/mises-en-relation");
        Rows(list).Select(r => r[1]).ShouldBe(["NGUYEN Lina"]);
        (await other.GetAsync($"/ecole/mises-en-relation/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var (_, otherPage) = await Browserless.GetAsync(other, "/ecole/mises-en-relation");
        var otherToken = otherPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var cancel = await other.PostAsync($"/ecole/mises-en-relation/{margaud}?handler=Cancel",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = otherToken, ["Reason"] = "Tentative" }));
        cancel.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await LastEventAsync(world, margaud)).Kind.ShouldBe(ReferralEventKind.OfferAccepted);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task School_admins_see_failed_mails_with_their_error_and_send_them_again(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.WithSettingsAsync(provider, ("Email:RetryHours", "14"));
        await world.WithoutDemoPushMailAsync();
        await world.Sink.StopAsync();
        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        for (var round = 0; round < 9; round++)
        {
            await delivery.DispatchOnceAsync(CancellationToken.None);
            world.Clock.Now = world.Clock.Now.AddHours(2);
        }

        using var recruiter = world.Client();
        await LogInAsync(recruiter, "demo.ecole");
        (await recruiter.GetAsync("/ecole/mails")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        using var admin = world.Client();
        await LogInAsync(admin, "demo.admin");
        var (_, page) = await Browserless.GetAsync(admin, "/ecole/mails");
        var row = page.QuerySelectorAll("tbody tr").ShouldHaveSingleItem();
        var cells = row.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        (cells[1], cells[2]).ShouldBe((TemplateKeys.OfferToCandidate, "8"), "the template, and the eight attempts of its 14 hours (Email:RetryHours)");

        await world.Sink.StartAgainAsync();
        var (_, retried) = await Browserless.GetAsync(admin, "/ecole/mails");
        await Browserless.SubmitAsync(admin, retried, "Renvoyer");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        (await world.Sink.WaitForAsync(1)).Single().Subject.ShouldBe("Passerelle School vous propose une offre : Et laboriosam praesentium");
        var (_, empty) = await Browserless.GetAsync(admin, "/ecole/mails");
        empty.Text().ShouldContain("Aucun mail en échec");
    }

    private static Task LogInAsync(HttpClient client, string userName) => PortalWorld.LogInStaffAsync(client, userName);

    private static List<string[]> Rows(IHtmlDocument list) =>
        list.QuerySelectorAll("table.referrals tbody tr")
            .Select(tr => tr.QuerySelectorAll("td").Select(td => string.Join(" ", td.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))).ToArray())
            .ToList();

    private static async Task<ReferralEvent> LastEventAsync(PortalWorld world, Guid referralId)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        return await db.ReferralEvents.Where(e => e.ReferralId == referralId).OrderByDescending(e => e.Sequence).FirstAsync();
    }
}

[Trait(Category.Name, Category.Smtp)]
public class NewReferralTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_school_with_a_thousand_documents_still_refers_a_candidate(DatabaseProvider provider)
    {
        // The form posts every document ticked on the page: more than ASP.NET's default 1,024 form values at a mid-size school.
        await using var world = await PortalWorld.CreateAsync(provider);
        var (newcomer, cv, _) = await AddCandidateAsync(world);
        using var client = world.Client();
        var (offer, page) = await NewReferralPageAsync(world, client);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", token), new("ContactId", DemoData.ContactId.ToString()), new("CandidateIds", newcomer.ToString()),
            new("Documents", $"{newcomer}:{cv}"),
        };
        fields.AddRange(Enumerable.Range(0, 1_200).Select(_ => new KeyValuePair<string, string>("Documents", $"{Guid.NewGuid()}:{Guid.NewGuid()}")));

        var response = await client.PostAsync($"/ecole/mises-en-relation/nouvelle?offre={offer}", new FormUrlEncodedContent(fields));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, "the list the form redirects to, not 413");
        await using var check = world.Database.NewContext();
        (await check.ForSchool(DemoData.SchoolId).Referrals.CountAsync(r => r.CandidateId == newcomer)).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Staff_refer_several_candidates_at_once_choosing_the_documents_the_company_sees(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (newcomer, cv, letter) = await AddCandidateAsync(world);
        using var client = world.Client();
        var (_, page) = await NewReferralPageAsync(world, client);
        await using var db = world.Database.NewContext();
        var guillaume = await db.ForSchool(DemoData.SchoolId).Candidates.Where(c => c.LastName == "JOURDAN").Select(c => c.Id).SingleAsync();
        page.QuerySelectorAll("#contact option").Select(o => o.TextContent).ShouldBe(["LEFEBVRE Sophie"]);
        page.QuerySelector($"input[name=Documents][value='{newcomer}:{letter}']").ShouldNotBeNull("the letter is offered; the staff member leaves it out");

        var created = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, page, "Créer les mises en relation", new Dictionary<string, string>
        {
            ["ContactId"] = DemoData.ContactId.ToString(),
            ["CandidateIds"] = newcomer.ToString(),
            ["Documents"] = $"{newcomer}:{cv}",
        }));
        created.Text().ShouldContain("MARTINEZ Inès : mise en relation créée, l'offre lui est envoyée par e-mail.");

        var again = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, page, "Créer les mises en relation", new Dictionary<string, string>
        {
            ["ContactId"] = DemoData.ContactId.ToString(), ["CandidateIds"] = guillaume.ToString(),
        }));
        again.Text().ShouldContain("JOURDAN Guillaume : Ce candidat est déjà en relation pour cette offre.");

        await using var check = world.Database.NewContext();
        check.ForSchool(DemoData.SchoolId);
        var referral = await check.Referrals.SingleAsync(r => r.CandidateId == newcomer);
        (await check.ReferralDocuments.Where(d => d.ReferralId == referral.Id).Select(d => d.DocumentId).ToListAsync()).ShouldBe([cv], "the letter was not ticked");
        (await check.OutboxMessages.Where(m => m.ReferralId == referral.Id).Select(m => m.TemplateKey).ToListAsync()).ShouldBe([TemplateKeys.OfferToCandidate]);
    }

    /// <summary>The demo offer's "Nouvelle mise en relation" page, as demo.ecole (logged in on <paramref name="client"/>).</summary>
    private static async Task<(Guid Offer, AngleSharp.Html.Dom.IHtmlDocument Page)> NewReferralPageAsync(PortalWorld world, HttpClient client)
    {
        await PortalWorld.LogInStaffAsync(client, "demo.ecole");
        await using var db = world.Database.NewContext();
        var offer = await db.ForSchool(DemoData.SchoolId).JobOffers.Where(o => o.Title == "Et laboriosam praesentium").Select(o => o.Id).SingleAsync();
        var (_, page) = await Browserless.GetAsync(client, $"/ecole/mises-en-relation/nouvelle?offre={offer}");
        return (offer, page);
    }

    private static async Task<(Guid Candidate, Guid Cv, Guid Letter)> AddCandidateAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var candidate = new Passerelle.Candidates.Candidate
        {
            Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, LastName = "MARTINEZ", FirstName = "Inès", Email = "ines@example.org", CreatedAt = Seed.Now,
        };
        Passerelle.Candidates.Document Doc(Passerelle.Candidates.DocumentKind kind, string title) => new()
        {
            Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, CandidateId = candidate.Id, Kind = kind, Title = title, ContentType = "application/pdf",
            StorageKey = $"{Guid.NewGuid():N}/{Guid.NewGuid():N}", UploadedAt = Seed.Now,
        };
        var cv = Doc(Passerelle.Candidates.DocumentKind.Cv, "CV_Ines");
        var letter = Doc(Passerelle.Candidates.DocumentKind.CoverLetter, "LM_Ines");
        db.AddRange(candidate, cv, letter);
        await db.SaveChangesAsync();
        return (candidate.Id, cv.Id, letter.Id);
    }
}

[Trait(Category.Name, Category.Smtp)]
public class DashboardTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_dashboard_shows_the_funnel_and_median_delays_of_the_period(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await PortalWorld.LogInStaffAsync(client, "demo.ecole");

        var (_, page) = await Browserless.GetAsync(client, "/ecole/tableau-de-bord?du=2020-01-01&au=2020-12-31");

        var funnel = page.QuerySelectorAll("table.funnel tbody tr").Select(tr => (tr.QuerySelector("th")!.TextContent, tr.QuerySelector("td")!.TextContent)).ToList();
        funnel.ShouldBe([("Mises en relation proposées", "2"), ("Offre acceptée par le candidat", "1"), ("Candidat accepté par l'entreprise", "0"),
            ("Rendez-vous confirmé", "0"), ("Recruté", "0")]);
        var delays = page.QuerySelectorAll("main table")[1].QuerySelectorAll("tbody tr").Select(tr => string.Join(" | ", tr.Children.Select(c => c.TextContent))).ToList();
        delays[0].ShouldBe("Réponse du candidat à l'offre | 30 j 20 h | 1", "15/05/2020 15h41 → 15/06/2020 12h07");
        delays[1].ShouldBe("Réponse de l'entreprise | — | 0");
    }
}

[Trait(Category.Name, Category.Smtp)]
public class SchoolAdminTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_previews_checks_and_activates_a_school_template(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        await world.WithoutDemoPushMailAsync();
        using var admin = await LogInAsync(world, "demo.admin");
        var key = TemplateKeys.OfferToCandidate;
        var (_, list) = await Browserless.GetAsync(admin, "/ecole/modeles");
        list.Text().ShouldContain("Offre envoyée au candidat referral.offer_to_candidate Par défaut");
        var (_, editor) = await Browserless.GetAsync(admin, $"/ecole/modeles/{key}");

        var preview = await Browserless.ReadAsync(await Browserless.SubmitAsync(client: admin, editor, "Aperçu", new Dictionary<string, string>
        {
            ["Subject"] = "Une offre pour {{candidat.prenom}}", ["Body"] = "<p>Bonjour {{candidat.prenom}} !</p>",
        }));
        preview.Text().ShouldContain("Objet : Une offre pour Margaud");
        preview.QuerySelector("iframe")!.GetAttribute("srcdoc")!.ShouldContain("Bonjour Margaud !");

        var broken = await Browserless.SubmitAsync(admin, editor, "Enregistrer", new Dictionary<string, string>
        {
            ["Subject"] = "Sujet", ["Body"] = "<p>{{{candidat.prenom}}}</p>", ["Enabled"] = "true",
        });
        broken.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(broken)).Text().ShouldContain("Les balises {{{ }}} et {{& }} sont interdites");

        var saved = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, editor, "Enregistrer", new Dictionary<string, string>
        {
            ["Subject"] = "Une offre pour {{candidat.prenom}}", ["Body"] = "<p>Bonjour {{candidat.prenom}} !</p>", ["Enabled"] = "true",
        }));
        saved.Text().ShouldContain("Le modèle est enregistré et activé");

        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        await delivery.DispatchOnceAsync(CancellationToken.None);
        (await world.Sink.WaitForAsync(1)).Single().Subject.ShouldBe("Une offre pour Léa", "the demo's offer mail now uses the school's template");

        using var recruiter = await LogInAsync(world, "demo.ecole");
        (await recruiter.GetAsync($"/ecole/modeles/{key}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_link_validity_is_chosen_between_1_and_60_days(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var admin = await LogInAsync(world, "demo.admin");
        var (_, page) = await Browserless.GetAsync(admin, "/ecole/parametres");
        page.QuerySelector("input[name=LinkValidityDays]")!.GetAttribute("value").ShouldBe("7");

        var invalid = await Browserless.SubmitAsync(admin, page, "Enregistrer", new Dictionary<string, string> { ["LinkValidityDays"] = "61" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(invalid)).Text().ShouldContain("La validité des liens va de 1 à 60 jours.");
        var longReason = await Browserless.SubmitAsync(admin, page, "Enregistrer", new Dictionary<string, string>
        {
            ["LinkValidityDays"] = "7", ["RefusalReasons"] = "Profil incomplet\n" + new string('m', 250),
        });
        longReason.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, "said, not silently dropped");
        (await Browserless.ReadAsync(longReason)).Text().ShouldContain("Un motif de refus compte 200 caractères au plus");
        (await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, page, "Enregistrer", new Dictionary<string, string> { ["LinkValidityDays"] = "14" })))
            .Text().ShouldContain("Les liens des prochains mails seront valables 14 jour(s).");

        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        await delivery.DispatchOnceAsync(CancellationToken.None);
        (await world.Sink.WaitForAsync(1)).Single().Text!.ShouldContain("fonctionnent jusqu'au 16/03/2026 à 10h30", customMessage: "14 days after 02/03/2026");
    }

    private static Task<HttpClient> LogInAsync(PortalWorld world, string userName) => world.StaffClientAsync(userName);
}

[Trait(Category.Name, Category.Smtp)]
public class SchoolSettingsTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Refusal_reasons_are_offered_to_the_company_and_muted_notifications_are_not_sent(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var admin = world.Client();
        await PortalWorld.LogInStaffAsync(admin, "demo.admin");
        var (_, settings) = await Browserless.GetAsync(admin, "/ecole/parametres");
        settings.QuerySelectorAll("input[name=Notifications]:checked").Length.ShouldBe(TemplateKeys.SchoolMayMute.Count, "every school notification is sent by default");

        var notifications = settings.QuerySelectorAll("input[name=Notifications]").Select(i => i.GetAttribute("value")!)
            .Where(k => k != TemplateKeys.SchoolCompanyRefusedCandidate).ToList();
        using var body = new FormUrlEncodedContent(
            notifications.Select(k => new KeyValuePair<string, string>("Notifications", k))
                .Append(new("LinkValidityDays", "7"))
                .Append(new("RefusalReasons", "Profil trop junior\nPoste pourvu"))
                .Append(new("__RequestVerificationToken", settings.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!)));
        (await admin.PostAsync("/ecole/parametres", body)).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var contact = world.Client();
        await PortalWorld.LogInAsync(contact, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(contact, DemoData.SchoolId);
        var margaud = await world.ReferralOfAsync("TECHER");
        var (_, suivi) = await Browserless.GetAsync(contact, $"/entreprise/candidats/{margaud}");
        suivi.QuerySelectorAll("#reason option").Select(o => o.TextContent).ShouldBe(["— Aucun —", "Profil trop junior", "Poste pourvu"]);
        var invented = await Browserless.SubmitAsync(contact, suivi, "Refuser le candidat", new Dictionary<string, string> { ["RefusalReason"] = "Inventé" });
        invented.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await Browserless.SubmitAsync(contact, suivi, "Refuser le candidat", new Dictionary<string, string> { ["RefusalReason"] = "Poste pourvu" });

        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        await delivery.DispatchOnceAsync(CancellationToken.None);
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        (await db.ReferralEvents.Where(e => e.ReferralId == margaud).OrderByDescending(e => e.Sequence).FirstAsync()).Reason.ShouldBe("Poste pourvu");
        var mails = await db.OutboxMessages.Where(m => m.ReferralId == margaud).ToListAsync();
        mails.Single(m => m.TemplateKey == TemplateKeys.SchoolCompanyRefusedCandidate).State.ShouldBe(OutboxState.Skipped);
        mails.Single(m => m.TemplateKey == TemplateKeys.CompanyRefusedToCandidate).State.ShouldBe(OutboxState.Sent, "the candidate is still told");
        world.Sink.Messages().ShouldNotContain(m => m.To.Contains("benoit.martin", StringComparison.Ordinal));
    }
}

[Trait(Category.Name, Category.Smtp)]
public class TeamTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_adds_a_staff_member_who_chooses_a_password_and_logs_in(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail
        using var admin = await LogInAsync(world, "demo.admin");
        var (_, team) = await Browserless.GetAsync(admin, "/ecole/equipe");

        var added = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, team, "Ajouter et envoyer les identifiants", new Dictionary<string, string>
        {
            ["LastName"] = "Petit", ["FirstName"] = "Julie", ["Email"] = "julie.petit@passerelle-school.example", ["Role"] = "Recruiter",
        }));
        added.Text().ShouldContain("PETIT Julie est ajouté(e)");
        var duplicate = await Browserless.SubmitAsync(admin, added, "Ajouter et envoyer les identifiants", new Dictionary<string, string>
        {
            ["LastName"] = "Petit", ["FirstName"] = "Julie", ["Email"] = "julie.petit@passerelle-school.example", ["Role"] = "Recruiter",
        });
        (await Browserless.ReadAsync(duplicate)).Text().ShouldContain("Un compte Passerelle École utilise déjà cette adresse.");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        var mail = (await world.Sink.WaitForAsync(2)).Single(m => m.To.Contains("julie.petit", StringComparison.Ordinal));
        mail.Subject.ShouldBe("Votre accès à Passerelle École pour Passerelle School");
        var link = System.Text.RegularExpressions.Regex.Match(mail.Text!, @"https://passerelle\.test(/ecole/mot-de-passe/[A-Za-z0-9_-]{43})").Groups[1].Value;
        using var julie = world.Client();
        var (_, choose) = await Browserless.GetAsync(julie, link);
        await Browserless.SubmitAsync(julie, choose, "Enregistrer le mot de passe",
            new Dictionary<string, string> { ["Password"] = "Mot-de-passe-de-Julie", ["Confirmation"] = "Mot-de-passe-de-Julie" });
        var (_, login) = await Browserless.GetAsync(julie, "/ecole/connexion");
        var home = await Browserless.ReadAsync(await Browserless.SubmitAsync(julie, login, "Se connecter",
            new Dictionary<string, string> { ["UserName"] = "julie.petit@passerelle-school.example", ["Password"] = "Mot-de-passe-de-Julie" }));
        home.Text().ShouldContain("PETIT Julie");
        (await julie.GetAsync("/ecole/equipe")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a recruiter does not manage the team");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_staff_member_resets_a_forgotten_password_by_mail(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        await delivery.DispatchOnceAsync(CancellationToken.None);
        using var client = world.Client();
        var (_, forgot) = await Browserless.GetAsync(client, "/ecole/mot-de-passe-oublie");
        var answer = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, forgot, "Recevoir le lien", new Dictionary<string, string> { ["Login"] = "demo.ecole" }));
        answer.Text().ShouldContain("Si un compte correspond, un e-mail vient d'être envoyé");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        var mail = (await world.Sink.WaitForAsync(2)).Single(m => m.To.Contains("benoit.martin", StringComparison.Ordinal));
        mail.Subject.ShouldBe("Réinitialiser votre mot de passe Passerelle École");
        var link = System.Text.RegularExpressions.Regex.Match(mail.Text!, @"https://passerelle\.test(/ecole/mot-de-passe/[A-Za-z0-9_-]{43})").Groups[1].Value;
        var (_, choose) = await Browserless.GetAsync(client, link);
        await Browserless.SubmitAsync(client, choose, "Enregistrer le mot de passe",
            new Dictionary<string, string> { ["Password"] = "Nouveau-pour-Benoit", ["Confirmation"] = "Nouveau-pour-Benoit" });
        var (_, login) = await Browserless.GetAsync(client, "/ecole/connexion");
        var home = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, login, "Se connecter",
            new Dictionary<string, string> { ["UserName"] = "demo.ecole", ["Password"] = "Nouveau-pour-Benoit" }));
        home.Text().ShouldContain("MARTIN Benoît Se déconnecter");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_sends_a_draft_template_to_themselves_as_a_test(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OutboxDelivery>(world.App.Services);
        await delivery.DispatchOnceAsync(CancellationToken.None);
        using var admin = await LogInAsync(world, "demo.admin");
        var (_, editor) = await Browserless.GetAsync(admin, $"/ecole/modeles/{TemplateKeys.OfferToCandidate}");

        var sent = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, editor, "M'envoyer un test", new Dictionary<string, string>
        {
            ["Subject"] = "Essai pour {{candidat.prenom}}", ["Body"] = "<p>Brouillon {{offre.titre}}</p>",
        }));
        sent.Text().ShouldContain("Un mail de test part vers claire.durand@passerelle-school.example.");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        var test = (await world.Sink.WaitForAsync(2)).Single(m => m.To.Contains("claire.durand", StringComparison.Ordinal));
        test.Subject.ShouldBe("[Test] Essai pour Margaud");
        test.Html!.ShouldContain("Brouillon Et laboriosam praesentium");
        await using var db = world.Database.NewContext();
        (await db.EmailTemplates.IgnoreQueryFilters().CountAsync()).ShouldBe(0, "a test saves nothing");
    }

    private static Task<HttpClient> LogInAsync(PortalWorld world, string userName) => world.StaffClientAsync(userName);
}

[Trait(Category.Name, Category.Smtp)]
public class BackOfficeIsolationTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Staff_of_school_a_get_404_on_every_url_of_school_b_s_objects(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SecondSchoolId);
        var referral = await db.Referrals.SingleAsync();
        var document = await db.Documents.FirstAsync(d => d.CandidateId == referral.CandidateId);
        var offer = await db.JobOffers.SingleAsync();

        using var client = world.Client();
        await PortalWorld.LogInStaffAsync(client, "demo.admin");
        var (_, page) = await Browserless.GetAsync(client, "/ecole/mises-en-relation");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        string[] gets =
        [
            $"/ecole/mises-en-relation/{referral.Id}",
            $"/ecole/candidats/{referral.CandidateId}",
            $"/ecole/candidats/{referral.CandidateId}/documents/{document.Id}",
        ];
        foreach (var url in gets)
            (await client.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound, url);

        (string Url, Dictionary<string, string> Fields)[] posts =
        [
            ($"/ecole/mises-en-relation/{referral.Id}?handler=Cancel", new() { ["Reason"] = "Tentative" }),
            ($"/ecole/mises-en-relation/{referral.Id}?handler=Offer", new() { ["answer"] = "Declined" }),
            ($"/ecole/candidats/{referral.CandidateId}", new() { ["Form.LastName"] = "X", ["Form.FirstName"] = "Y", ["Form.Email"] = "x@example.org" }),
            ($"/ecole/candidats/{referral.CandidateId}/documents", new() { ["Kind"] = "Cv" }),
            ($"/ecole/entreprises/{offer.CompanyId}?handler=ToggleOffer&offerId={offer.Id}", new()),
            ($"/ecole/mails?handler=Retry&id={Guid.NewGuid()}", new()),
        ];
        foreach (var (url, fields) in posts)
        {
            fields["__RequestVerificationToken"] = token;
            (await client.PostAsync(url, new FormUrlEncodedContent(fields))).StatusCode.ShouldBe(HttpStatusCode.NotFound, url);
        }

        await using var check = world.Database.NewContext();
        check.ForSchool(DemoData.SecondSchoolId);
        (await check.Referrals.SingleAsync()).Version.ShouldBe(referral.Version);
        (await check.JobOffers.SingleAsync()).IsActive.ShouldBeTrue();
        (await check.Candidates.SingleAsync(c => c.Id == referral.CandidateId)).LastName.ShouldBe("NGUYEN");
    }
}

[Trait(Category.Name, Category.Smtp)]
public class SessionTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Both_portals_log_out_from_the_header_button(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var contact = world.Client();
        var (_, home) = await PortalWorld.LogInAsync(contact, "demo.entreprise");
        var loggedOut = await Browserless.SubmitAsync(contact, home, "Se déconnecter");
        loggedOut.StatusCode.ShouldBe(HttpStatusCode.OK);
        loggedOut.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise/connexion");
        (await contact.GetAsync("/entreprise/candidats")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise/connexion");

        using var staff = world.Client();
        var (_, form) = await Browserless.GetAsync(staff, "/ecole/connexion");
        var list = await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, form, "Se connecter",
            new Dictionary<string, string> { ["UserName"] = "demo.ecole", ["Password"] = DemoData.Password }));
        var out2 = await Browserless.SubmitAsync(staff, list, "Se déconnecter");
        out2.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/ecole/connexion");
        (await staff.GetAsync("/ecole/mises-en-relation")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/ecole/connexion");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Choosing_no_school_says_so_in_french(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var contact = world.Client();
        var (_, home) = await PortalWorld.LogInAsync(contact, "demo.entreprise");

        var response = await Browserless.SubmitAsync(contact, home, "Choisir", new Dictionary<string, string> { ["schoolId"] = "" });

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(response)).Text().ShouldContain("Choisissez un centre de formation dans la liste.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Schools_cannot_rewrite_mails_that_carry_password_links_nor_resend_them_to_an_account_in_use(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var admin = world.Client();
        await PortalWorld.LogInStaffAsync(admin, "demo.admin");

        (await admin.GetAsync($"/ecole/modeles/{TemplateKeys.ContactCredentials}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var (_, list) = await Browserless.GetAsync(admin, "/ecole/modeles");
        list.Text().ShouldNotContain(TemplateKeys.ContactPasswordReset);

        await using var db = world.Database.NewContext();
        var companyId = await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.CompanyId).SingleAsync();
        var (_, company) = await Browserless.GetAsync(admin, $"/ecole/entreprises/{companyId}");
        var resend = await Browserless.SubmitAsync(admin, company, "Renvoyer les identifiants à LEFEBVRE Sophie");
        resend.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(resend)).Text().ShouldContain("a déjà choisi son mot de passe");
    }
}
