using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.CompanyPortal;

/// <summary>The company contact's side, as the user document describes it, over HTTP without JavaScript.</summary>
[Trait(Category.Name, Category.Smtp)]
public class CompanyPortalTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_contact_logs_in_chooses_the_school_and_finds_the_document_s_list(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();

        (await client.GetAsync("/entreprise")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise/connexion", "the portal needs a login");
        var (_, home) = await PortalWorld.LogInAsync(client, "demo.entreprise");
        home.QuerySelectorAll("#ecole option").Select(o => o.TextContent).ShouldBe(["— Choisir —", "CFA des Métiers de Bordeaux", "Passerelle School"]);
        var chosen = await PortalWorld.ChooseSchoolAsync(client, DemoData.SchoolId);
        var tile = chosen.QuerySelector("section.tile")!;
        tile.QuerySelector("h2")!.TextContent.ShouldBe("Voir candidats");
        tile.QuerySelector("p")!.InnerHtml.ShouldBe("Consulter la liste des candidats<br>envoyés par l'école et leur CV");
        tile.QuerySelector("a")!.TextContent.ShouldBe("VOIR LA LISTE");

        var (_, list) = await Browserless.GetAsync(client, chosen.QuerySelectorAll("a").Single(a => a.TextContent == "VOIR LA LISTE").GetAttribute("href")!);

        list.QuerySelectorAll("table.referrals thead th").Select(h => h.TextContent.Split('▲', '▼')[0].Trim()).ShouldBe(
            ["Offre de poste", "Candidat", "Document(s) joint(s)", "Date de mise en relation", "Réponse du candidat", "Réponse de l'entreprise", "Réponse du candidat au RDV", "Actions"]);
        var rows = Rows(list);
        rows.Select(r => r[1]).ShouldBe(["DUPONT Léa", "TECHER Margaud", "JOURDAN Guillaume"], "newest first");
        rows[1].Take(7).ShouldBe(["Et laboriosam praesentium", "TECHER Margaud", "CV - cv Bulletin de notes - test_bulletin Diplome / justificatif d'obtention - test",
            "15/05/2020", "Offre acceptée - le 15/06/2020", "", ""]);
        rows[2].Take(7).ShouldBe(["Et laboriosam praesentium", "JOURDAN Guillaume", "CV - CV_Guillaume Lettre de motivation - LM_Guillaume Autre - Lettre de recommandation",
            "15/05/2020", "", "", ""]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_suivi_shows_the_document_s_lines_and_accepting_with_an_appointment_changes_the_list(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(client, DemoData.SchoolId);
        var margaud = await world.ReferralOfAsync("TECHER");

        var (_, suivi) = await Browserless.GetAsync(client, $"/entreprise/candidats/{margaud}");

        var text = suivi.Text();
        text.ShouldContain("Suivi de mise en relation");
        text.ShouldContain("PASSERELLE SCHOOL - Mise en relation proposée par : MARTIN Benoît Le 15/05/2020 à 15h41");
        text.ShouldContain("TECHER Margaud - Réponse du candidat Le 15/06/2020 à 12h07 : Offre acceptée Action effectuée par MARTIN Benoît.");
        // Handed over to a colleague since (Équipe → switching MARTIN Benoît off): the header still names who proposed it.
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var colleague = await db.Staff.Where(m => m.LastName == "DURAND").Select(m => m.Id).SingleAsync();
            await db.Referrals.Where(r => r.Id == margaud).ExecuteUpdateAsync(set => set.SetProperty(r => r.CreatedByStaffId, colleague));
        }
        (await Browserless.GetAsync(client, $"/entreprise/candidats/{margaud}")).Page.Text()
            .ShouldContain("PASSERELLE SCHOOL - Mise en relation proposée par : MARTIN Benoît Le 15/05/2020 à 15h41");
        text.ShouldContain("Date de rendez-vous");
        text.ShouldContain("Heure du rendez-vous");
        text.ShouldContain("Votre commentaire apparaîtra dans le suivi de mise en relation");

        var accepted = await Browserless.SubmitAsync(client, suivi, "Accepter le candidat", new Dictionary<string, string>
        {
            ["Appointment.Date"] = "2026-03-09", ["Appointment.Hour"] = "10", ["Appointment.Minute"] = "15", ["Appointment.Comment"] = "Apportez votre CV",
            ["retour"] = "/entreprise/candidats",
        });
        var list = await Browserless.ReadAsync(accepted);
        list.Text().ShouldContain("Le candidat est accepté et le rendez-vous lui est proposé.");
        Rows(list).Single(r => r[1] == "TECHER Margaud")[5].ShouldBe("Candidat accepté - le 02/03/2026");
        var (_, after) = await Browserless.GetAsync(client, $"/entreprise/candidats/{margaud}");
        after.Text().ShouldContain("Laboriosam Industries - Réponse de l'entreprise Le 02/03/2026 à 10h30 : Candidat accepté – RDV proposé le 09/03/2026 à 10h15");
        after.Text().ShouldContain("« Apportez votre CV »");
        var last = await LastEventAsync(world, margaud);
        (last.Kind, last.Channel, last.ActorName).ShouldBe((ReferralEventKind.CandidateAccepted, Channel.Portal, "LEFEBVRE Sophie"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_company_can_change_its_mind_until_the_candidate_answers_the_appointment(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(client, DemoData.SchoolId);
        var margaud = await world.ReferralOfAsync("TECHER");

        var (_, suivi) = await Browserless.GetAsync(client, $"/entreprise/candidats/{margaud}");
        await Browserless.SubmitAsync(client, suivi, "Refuser le candidat");
        var (_, refused) = await Browserless.GetAsync(client, $"/entreprise/candidats/{margaud}");
        refused.Text().ShouldContain("Laboriosam Industries - Réponse de l'entreprise Le 02/03/2026 à 10h30 : Candidat refusé");
        await Browserless.SubmitAsync(client, refused, "Accepter le candidat", new Dictionary<string, string>
        {
            ["Appointment.Date"] = "2026-03-09", ["Appointment.Hour"] = "14", ["Appointment.Minute"] = "00",
        });
        (await LastEventAsync(world, margaud)).PreviousAnswer.ShouldBe(ReferralEventKind.CandidateRefused);

        // The candidate confirms: the company's buttons give way to an explanation.
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            await Seed.Actions(db, world.Clock).ApplyAsync(margaud, (r, now) => r.AnswerAppointment(AppointmentAnswer.Accepted, Actor.Candidate(r.CandidateId, "TECHER Margaud"), now));
        }
        var (_, closed) = await Browserless.GetAsync(client, $"/entreprise/candidats/{margaud}");
        closed.Text().ShouldContain("Le candidat a répondu au rendez-vous : votre réponse ne peut plus être modifiée.");
        closed.QuerySelectorAll("button").Select(b => b.TextContent).ShouldNotContain("Accepter le candidat");
        closed.QuerySelectorAll("button").Select(b => b.TextContent).ShouldNotContain("Refuser le candidat");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_list_filters_what_awaits_an_answer_searches_and_pages_by_twenty(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        await AddReferralsAsync(world, 22);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(client, DemoData.SchoolId);

        var (_, first) = await Browserless.GetAsync(client, "/entreprise/candidats");
        Rows(first).Count.ShouldBe(20);
        first.QuerySelector("caption")!.TextContent.ShouldBe("25 mise(s) en relation – page 1 sur 2");
        var (_, second) = await Browserless.GetAsync(client, first.QuerySelector("a[rel=next]")!.GetAttribute("href")!);
        Rows(second).Select(r => r[1]).ShouldBe(["CANDIDAT04 Test", "CANDIDAT03 Test", "CANDIDAT02 Test", "CANDIDAT01 Test", "CANDIDAT00 Test"]);
        var (_, beyond) = await Browserless.GetAsync(client, "/entreprise/candidats?p=9");
        beyond.QuerySelector("caption")!.TextContent.ShouldBe("25 mise(s) en relation – page 2 sur 2", "a page past the end shows the last one");
        Rows(beyond).Select(r => r[1]).ShouldBe(Rows(second).Select(r => r[1]));
        var (farStatus, far) = await Browserless.GetAsync(client, "/entreprise/candidats?p=200000000");
        farStatus.ShouldBe(HttpStatusCode.OK, "a page number whose offset would not fit an int");
        far.QuerySelector("caption")!.TextContent.ShouldBe("25 mise(s) en relation – page 2 sur 2");
        var (_, nothing) = await Browserless.GetAsync(client, "/entreprise/candidats?q=personne&p=3");
        Rows(nothing).ShouldBeEmpty();
        nothing.Text().ShouldContain("Aucune mise en relation ne correspond.");

        var (_, toHandle) = await Browserless.GetAsync(client, "/entreprise/candidats?filtre=a-traiter");
        Rows(toHandle).Select(r => r[1]).ShouldBe(["TECHER Margaud"]);
        var (_, search) = await Browserless.GetAsync(client, "/entreprise/candidats?q=jourd");
        Rows(search).Select(r => r[1]).ShouldBe(["JOURDAN Guillaume"]);
        var (_, oldest) = await Browserless.GetAsync(client, "/entreprise/candidats?tri=ancien");
        Rows(oldest).Take(3).Select(r => r[1]).ShouldBe(["CANDIDAT00 Test", "CANDIDAT01 Test", "CANDIDAT02 Test"]);
        var (_, oldestLast) = await Browserless.GetAsync(client, "/entreprise/candidats?tri=ancien&p=2");
        Rows(oldestLast).Count.ShouldBe(5);
        var (_, both) = await Browserless.GetAsync(client, "/entreprise/candidats?filtre=a-traiter&q=tech");
        Rows(both).Select(r => r[1]).ShouldBe(["TECHER Margaud"]);
        var (_, neither) = await Browserless.GetAsync(client, "/entreprise/candidats?filtre=a-traiter&q=jourd");
        Rows(neither).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Documents_download_with_their_label_and_type_only_when_shared_with_this_contact(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(client, DemoData.SchoolId);
        var (_, list) = await Browserless.GetAsync(client, "/entreprise/candidats");
        var cv = list.QuerySelectorAll("a.document").Single(a => a.TextContent == "CV - cv").GetAttribute("href")!;

        var response = await client.GetAsync(cv);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("CV - cv.pdf");
        (await response.Content.ReadAsByteArrayAsync())[..5].ShouldBe("%PDF-"u8.ToArray());

        // Guillaume has not accepted the offer yet: his documents are listed by label only, and their address answers 404.
        list.QuerySelectorAll("span.document").Select(d => d.TextContent).ShouldBe(
            ["CV - CV_Lea", "Lettre de motivation - LM_Lea", "CV - CV_Guillaume", "Lettre de motivation - LM_Guillaume", "Autre - Lettre de recommandation"], ignoreOrder: true);
        var guillaume = await world.ReferralOfAsync("JOURDAN");
        Guid guillaumeCv;
        await using (var db = world.Database.NewContext())
            guillaumeCv = await db.ForSchool(DemoData.SchoolId).Documents.Where(d => d.Title == "CV_Guillaume").Select(d => d.Id).SingleAsync();
        var ownAddress = $"/entreprise/candidats/{guillaume}/documents/{guillaumeCv}";
        (await client.GetAsync(ownAddress)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "not before the candidate accepts the offer");
        (await client.GetAsync($"{string.Join('/', cv.Split('/')[..^1])}/{guillaumeCv}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "never through a referral it was not shared on");
        (await Browserless.GetAsync(client, $"/entreprise/candidats/{guillaume}?view=profil")).Page.Text()
            .ShouldContain("Le profil et les documents du candidat seront accessibles dès qu'il aura accepté l'offre.");

        await using (var db = world.Database.NewContext())
            await Seed.Actions(db.ForSchool(DemoData.SchoolId), world.Clock).ApplyAsync(guillaume,
                (r, now) => r.AnswerOffer(OfferAnswer.Accepted, Actor.Candidate(r.CandidateId, "JOURDAN Guillaume"), now));
        (await client.GetAsync(ownAddress)).StatusCode.ShouldBe(HttpStatusCode.OK, "once the candidate accepted the offer");

        await using (var db = world.Database.NewContext())
            await Seed.Actions(db.ForSchool(DemoData.SchoolId), world.Clock).ApplyAsync(guillaume,
                (r, now) => r.Cancel("Poste pourvu", Actor.Staff(Guid.NewGuid(), "MARTIN Benoît"), now));
        (await client.GetAsync(ownAddress)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "never after the school cancelled");
        var (_, after) = await Browserless.GetAsync(client, "/entreprise/candidats");
        after.QuerySelectorAll("span.document").Select(d => d.TextContent).ShouldContain("CV - CV_Guillaume", "the list still shows the labels");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_profile_page_of_the_proposal_mail_downloads_the_shared_documents(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var guillaume = await world.ReferralOfAsync("JOURDAN");
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            await Seed.Actions(db, world.Clock).ApplyAsync(guillaume, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, Actor.Candidate(r.CandidateId, "JOURDAN Guillaume"), now));
        }
        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Passerelle.Email.OutboxDelivery>(world.App.Services);
        while (await delivery.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
        var proposal = world.Sink.Messages().Single(m => m.Subject.StartsWith("Proposition de candidat : JOURDAN", StringComparison.Ordinal));
        var profile = System.Text.RegularExpressions.Regex.Match(proposal.Text!, @"https://passerelle\.test(/l/[A-Za-z0-9_-]{43}/profil)").Groups[1].Value;
        using var client = world.Client();

        var (_, page) = await Browserless.GetAsync(client, profile);
        var links = page.QuerySelectorAll("a.document").ToList();
        links.Select(a => a.TextContent).ShouldBe(["CV - CV_Guillaume", "Lettre de motivation - LM_Guillaume", "Autre - Lettre de recommandation"], ignoreOrder: true);
        var download = await client.GetAsync(links.Single(a => a.TextContent == "CV - CV_Guillaume").GetAttribute("href")!);

        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        download.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("CV - CV_Guillaume.pdf");
        var margaudCv = await world.Database.NewContext().ForSchool(DemoData.SchoolId).Documents.Where(d => d.Title == "cv").Select(d => d.Id).SingleAsync();
        var token = profile.Split('/')[2];
        (await client.GetAsync($"/l/{token}/documents/{margaudCv}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "another referral's document");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Another_company_s_contact_gets_404_on_a_referral_a_document_and_an_action(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var owner = world.Client();
        await PortalWorld.LogInAsync(owner, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(owner, DemoData.SchoolId);
        var margaud = await world.ReferralOfAsync("TECHER");
        var (_, ownerList) = await Browserless.GetAsync(owner, "/entreprise/candidats");
        var document = ownerList.QuerySelectorAll("a.document").First(a => a.TextContent == "CV - cv").GetAttribute("href")!;
        (await owner.GetAsync($"/entreprise/candidats/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.OK, "the referral exists, for its own company");

        using var stranger = world.Client();
        await PortalWorld.LogInAsync(stranger, await world.OtherCompanyContactAsync());
        var strangerHome = await PortalWorld.ChooseSchoolAsync(stranger, DemoData.SchoolId);
        var (_, strangerList) = await Browserless.GetAsync(stranger, "/entreprise/candidats");

        Rows(strangerList).ShouldBeEmpty();
        (await stranger.GetAsync($"/entreprise/candidats/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"/entreprise/candidats/{margaud}/profil")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.GetAsync(document)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var token = strangerHome.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var action = await stranger.PostAsync($"/entreprise/candidats/{margaud}?handler=RefuseCandidate",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        action.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await StageAsync(world, margaud)).ShouldBe(ReferralStage.AwaitingCompany);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_same_contact_under_another_school_gets_404_on_the_first_school_s_referral(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(client, DemoData.SchoolId);
        var margaud = await world.ReferralOfAsync("TECHER");
        var (_, list) = await Browserless.GetAsync(client, "/entreprise/candidats");
        var document = list.QuerySelectorAll("a.document")[0].GetAttribute("href")!;

        await PortalWorld.ChooseSchoolAsync(client, DemoData.SecondSchoolId);

        var (_, other) = await Browserless.GetAsync(client, "/entreprise/candidats");
        Rows(other).Select(r => r[1]).ShouldBe(["NGUYEN Lina"]);
        (await client.GetAsync($"/entreprise/candidats/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync(document)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_post_without_antiforgery_token_is_refused(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(client, DemoData.SchoolId);
        var margaud = await world.ReferralOfAsync("TECHER");

        var response = await client.PostAsync($"/entreprise/candidats/{margaud}?handler=RefuseCandidate", new FormUrlEncodedContent([]));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Browserless.ReadAsync(response)).Text().ShouldContain("Rechargez-la et recommencez : rien n'a été enregistré.");
        (await StageAsync(world, margaud)).ShouldBe(ReferralStage.AwaitingCompany);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_login_is_rate_limited_per_address(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 12; attempt++)
            statuses.Add((await PortalWorld.LogInAsync(client, $"inconnu{attempt}", "x")).Status);

        statuses.Take(10).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Skip(10).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests, "ten submissions a minute from one address");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_forgotten_password_is_reset_through_a_single_use_mailed_link(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        using var earlierSession = world.Client();
        await PortalWorld.LogInAsync(earlierSession, "demo.entreprise");
        (await earlierSession.GetAsync("/entreprise")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise");
        var delivery = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Passerelle.Email.OutboxDelivery>(world.App.Services);
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail
        var before = world.Sink.Messages().Count;

        var (_, forgot) = await Browserless.GetAsync(client, "/entreprise/mot-de-passe-oublie");
        var unknown = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, forgot, "Recevoir le lien", new Dictionary<string, string> { ["Login"] = "personne" }));
        var known = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, forgot, "Recevoir le lien", new Dictionary<string, string> { ["Login"] = "sophie.lefebvre@laboriosam.example" }));
        unknown.Text().ShouldBe(known.Text(), "the page does not tell whether an account exists");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        var received = await world.Sink.WaitForAsync(before + 1);
        received.Count.ShouldBe(before + 1);
        var mail = received[before];
        mail.Subject.ShouldBe("Réinitialiser votre mot de passe Passerelle Entreprises");
        var link = System.Text.RegularExpressions.Regex.Match(mail.Text!, @"https://passerelle\.test(/entreprise/mot-de-passe/[A-Za-z0-9_-]{43})").Groups[1].Value;
        var (_, choose) = await Browserless.GetAsync(client, link);
        var tooShort = await Browserless.SubmitAsync(client, choose, "Enregistrer le mot de passe", new Dictionary<string, string> { ["Password"] = "court", ["Confirmation"] = "court" });
        tooShort.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var saved = await Browserless.SubmitAsync(client, choose, "Enregistrer le mot de passe",
            new Dictionary<string, string> { ["Password"] = "Nouveau-mot-de-passe-1", ["Confirmation"] = "Nouveau-mot-de-passe-1" });
        (await Browserless.ReadAsync(saved)).Text().ShouldContain("Votre mot de passe est enregistré");

        (await PortalWorld.LogInAsync(client, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.Unauthorized, "the old password is gone");
        (await PortalWorld.LogInAsync(client, "demo.entreprise", "Nouveau-mot-de-passe-1")).Status.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync(link)).StatusCode.ShouldBe(HttpStatusCode.Gone, "a reset link works once");
        (await earlierSession.GetAsync("/entreprise")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise/connexion",
            "a new password ends the sessions opened with the old one");
        world.Sink.Messages().Count.ShouldBe(before + 1, "nothing was mailed for the unknown login");
    }

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

    private static async Task<ReferralStage> StageAsync(PortalWorld world, Guid referralId)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        return await db.Referrals.Where(r => r.Id == referralId).Select(r => r.Stage).SingleAsync();
    }

    /// <summary>More referrals for the demo contact, older than the document's, so the list has two pages.</summary>
    private static async Task AddReferralsAsync(PortalWorld world, int count)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var staff = await db.Staff.FirstAsync(s => s.UserName == "demo.ecole");
        var offer = await db.JobOffers.FirstAsync();
        for (var i = 0; i < count; i++)
        {
            var candidate = new Passerelle.Candidates.Candidate
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, LastName = $"CANDIDAT{i:D2}", FirstName = "Test", Email = $"c{i}@example.org", CreatedAt = Seed.Now,
            };
            db.Candidates.Add(candidate);
            var (referral, result) = Referral.Propose(DemoData.SchoolId, candidate.Id, offer.Id, true, DemoData.ContactId, [],
                Actor.Staff(staff.Id, staff.DisplayName), staff.Id, new DateTimeOffset(2019, 1, 1, 9, 0, 0, TimeSpan.Zero).AddDays(i));
            db.Referrals.Add(referral!);
            db.ReferralEvents.Add(result.Event!);
        }
        await db.SaveChangesAsync();
    }
}
