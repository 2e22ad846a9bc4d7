using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.CvPushes;
using Passerelle.Demo;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.CvPushes;

/// <summary>The push CV module through HTTP, on both providers, with the mails through the real SMTP sink.</summary>
[Trait(Category.Name, Category.Smtp)]
public partial class CvPushTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;
    public static TheoryData<DatabaseProvider> PostgreSQLOnly => TestDatabase.PostgreSQLOnly;

    private const string ContactAddress = "sophie.lefebvre@laboriosam.example";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Staff_record_consent_push_a_profile_and_the_contact_asks_to_meet_from_the_mail(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var staff = await world.StaffClientAsync("demo.ecole");
        var margaud = await CandidateIdAsync(world, "TECHER");
        await RecordConsentAsync(staff, margaud);

        var (_, form) = await Browserless.GetAsync(staff, "/ecole/push-cv/nouveau");
        form.Text().ShouldContain("TECHER Margaud");
        form.Text().ShouldNotContain("DUPONT Léa", Case.Sensitive, "a candidate without consent is not offered");
        var cvChoice = form.QuerySelectorAll("input[name=Documents]").Single(i => i.GetAttribute("value")!.StartsWith(margaud.ToString(), StringComparison.Ordinal)
            && form.QuerySelector($"label[for='{i.Id}']")!.TextContent == "CV - cv");
        var sent = await Browserless.SubmitAsync(staff, form, "Envoyer le push", new Dictionary<string, string>
        {
            ["CandidateIds"] = margaud.ToString(), ["ContactIds"] = DemoData.ContactId.ToString(), ["Message"] = "Une candidate sérieuse.",
            ["Documents"] = cvChoice.GetAttribute("value")!,
        });
        (await Browserless.ReadAsync(sent)).Text().ShouldContain("1 profil(s) proposé(s) à 1 contact(s)");

        await DispatchAllAsync(world);
        var mail = world.Sink.Messages().Single(m => m.To.Contains(ContactAddress, StringComparison.Ordinal) && m.Text!.Contains("TECHER Margaud", StringComparison.Ordinal));
        mail.Subject.ShouldBe("Passerelle School vous propose un profil de candidat");
        mail.Text!.ShouldContain("Une candidate sérieuse.");
        mail.Text!.ShouldContain("Je souhaite rencontrer ce candidat : https://");
        var token = PushToken().Matches(mail.Text!).Select(m => m.Groups[1].Value).Distinct().ShouldHaveSingleItem("one profile, one link set");
        mail.Text!.ShouldContain($"/l/p/{token}/rencontrer");
        mail.Text!.ShouldContain($"/l/p/{token}/ne-pas-donner-suite");
        var pushedId = await PushedProfileIdAsync(world, margaud);

        using var link = world.App.CreateClient();
        foreach (var action in new[] { "", "/rencontrer", "/ne-pas-donner-suite" })
        {
            (await link.GetAsync($"/l/p/{token}{action}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await link.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/l/p/{token}{action}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        (await ProfileAsync(world, pushedId)).State.ShouldBe(PushedProfileState.Pending, "opening a link never acts");

        var (_, profilePage) = await Browserless.GetAsync(link, $"/l/p/{token}");
        var cv = profilePage.QuerySelectorAll("a.document").ShouldHaveSingleItem("only the document the school chose");
        cv.TextContent.ShouldBe("CV - cv");
        (await link.GetAsync(cv.GetAttribute("href"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var (_, meetPage) = await Browserless.GetAsync(link, $"/l/p/{token}/rencontrer");
        var day = ParisTime.ToParis(Seed.Now).AddDays(5);
        var missing = await Browserless.SubmitAsync(link, meetPage, "Je souhaite rencontrer ce candidat", new Dictionary<string, string> { ["Offer"] = "spontanee" });
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(missing)).Text().ShouldContain("Indiquez la date et l'heure du rendez-vous.");

        var met = await Browserless.SubmitAsync(link, meetPage, "Je souhaite rencontrer ce candidat", new Dictionary<string, string>
        {
            ["Offer"] = Answer.SpontaneousApplication, ["Appointment.Date"] = day.ToString("yyyy-MM-dd"), ["Appointment.Hour"] = "14",
            ["Appointment.Minute"] = "30", ["Appointment.Location"] = "12 rue des Écoles, Bordeaux", ["Appointment.Comment"] = "Au plaisir !",
        });
        met.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browserless.ReadAsync(met)).Text().ShouldContain("Vous avez demandé à rencontrer ce candidat");

        var profile = await ProfileAsync(world, pushedId);
        profile.State.ShouldBe(PushedProfileState.MeetingAsked);
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var referral = await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == profile.ReferralId);
            referral.Stage.ShouldBe(ReferralStage.AwaitingAppointmentAnswer);
            var offer = await db.JobOffers.AsNoTracking().SingleAsync(o => o.Id == referral.JobOfferId);
            (offer.Title, offer.IsSpontaneous, offer.IsActive).ShouldBe(("Candidature spontanée", true, false));
            var events = await db.ReferralEvents.AsNoTracking().Where(e => e.ReferralId == referral.Id).OrderBy(e => e.Sequence).ToListAsync();
            events.Select(e => (e.Kind, e.Channel)).ShouldBe([(ReferralEventKind.ProposedFromPush, Channel.SchoolBackOffice), (ReferralEventKind.CandidateAccepted, Channel.EmailLink)]);
            (await db.ReferralDocuments.CountAsync(d => d.ReferralId == referral.Id)).ShouldBe(1, "the document pushed goes with the referral");
        }

        var before = world.Sink.Messages().Count;
        await DispatchAllAsync(world);
        var appointment = world.Sink.Messages().Skip(before).Single(m => m.To.Contains("margaud.techer@example.org", StringComparison.Ordinal));
        appointment.Calendar.ShouldNotBeNull("the usual appointment mail, with its .ics");
        world.Sink.Messages().Skip(before).Single(m => m.To.Contains("benoit.martin@passerelle-school.example", StringComparison.Ordinal))
            .Subject.ShouldBe("Laboriosam Industries souhaite rencontrer TECHER Margaud");

        var (_, detail) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{profile.ReferralId}");
        detail.Text().ShouldContain($"Profil proposé par MARTIN Benoît le {ParisTime.Date(Seed.Now)} — accord du candidat enregistré le {ParisTime.Date(Seed.Now)}");
        var (_, list) = await Browserless.GetAsync(staff, "/ecole/push-cv?etat=MeetingAsked");
        list.QuerySelectorAll("tbody tr").ShouldHaveSingleItem().TextContent.ShouldContain("TECHER Margaud");
        var csv = await staff.GetStringAsync("/ecole/push-cv?handler=Csv");
        csv.ShouldContain("TECHER Margaud;LEFEBVRE Sophie;Laboriosam Industries;MARTIN Benoît;Rencontre demandée");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_contact_declines_in_the_portal_with_a_reason_then_changes_their_mind(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var guillaume = await CandidateIdAsync(world, "JOURDAN");
        var pushedId = await PushedProfileIdAsync(world, guillaume);
        await using (var db = world.Database.NewContext())
        {
            await db.Schools.Where(s => s.Id == DemoData.SchoolId)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.RefusalReasons, "Profil ne correspondant pas\nPoste pourvu"));
        }
        using var contact = world.Client();
        await PortalWorld.LogInAsync(contact, "demo.entreprise");
        var home = await PortalWorld.ChooseSchoolAsync(contact, DemoData.SchoolId);
        home.QuerySelectorAll("nav.side a").Select(a => a.TextContent).ShouldContain("Profils proposés");

        var (_, toHandle) = await Browserless.GetAsync(contact, "/entreprise/profils-proposes?filtre=a-traiter");
        toHandle.QuerySelectorAll("tbody tr").ShouldHaveSingleItem().TextContent.ShouldContain("JOURDAN Guillaume");
        var (_, page) = await Browserless.GetAsync(contact, $"/entreprise/profils-proposes/{pushedId}");
        page.QuerySelectorAll("a.document").Select(a => a.TextContent).ShouldBe(["CV - CV_Guillaume", "Lettre de motivation - LM_Guillaume"], ignoreOrder: true);

        var unknownReason = await Browserless.SubmitAsync(contact, page, "Ne pas donner suite", new Dictionary<string, string> { ["RefusalReason"] = "Inventé" });
        unknownReason.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ProfileAsync(world, pushedId)).State.ShouldBe(PushedProfileState.Pending);

        var reason = page.QuerySelectorAll("select[name=RefusalReason] option").Select(o => o.TextContent).ElementAt(1);
        reason.ShouldBe("Profil ne correspondant pas");
        (await Browserless.SubmitAsync(contact, page, "Ne pas donner suite", new Dictionary<string, string> { ["RefusalReason"] = reason })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var declined = await ProfileAsync(world, pushedId);
        (declined.State, declined.DeclineReason).ShouldBe((PushedProfileState.NotFollowedUp, reason));
        (await Browserless.GetAsync(contact, "/entreprise/profils-proposes?filtre=a-traiter")).Page.Text().ShouldContain("Aucun profil à traiter.");

        var (_, again) = await Browserless.GetAsync(contact, $"/entreprise/profils-proposes/{pushedId}");
        again.Text().ShouldContain("vous pouvez changer d'avis");
        var offer = again.QuerySelectorAll("select[name=Offer] option").Single(o => o.TextContent == "Et laboriosam praesentium").GetAttribute("value")!;
        var stale = await Browserless.SubmitAsync(contact, page, "Je souhaite rencontrer ce candidat", Appointment(offer));
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict, "the page showed an older version");
        var alreadyReferred = await Browserless.SubmitAsync(contact, again, "Je souhaite rencontrer ce candidat", Appointment(offer));
        alreadyReferred.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(alreadyReferred)).Text().ShouldContain("Ce candidat est déjà en relation pour cette offre");

        var met = await Browserless.SubmitAsync(contact, again, "Je souhaite rencontrer ce candidat", Appointment(Answer.SpontaneousApplication));
        met.RequestMessage!.RequestUri!.AbsolutePath.ShouldStartWith("/entreprise/candidats/", Case.Sensitive, "on to the new referral's suivi");
        (await Browserless.ReadAsync(met)).Text().ShouldContain("Profil proposé par MARTIN Benoît");
        (await ProfileAsync(world, pushedId)).State.ShouldBe(PushedProfileState.MeetingAsked);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Consent_is_required_and_a_profile_goes_to_a_contact_once_in_90_days(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var staff = await world.StaffClientAsync("demo.ecole");
        var lea = await CandidateIdAsync(world, "DUPONT");
        var guillaume = await CandidateIdAsync(world, "JOURDAN");

        var withoutConsent = await PushAsync(staff, lea);
        withoutConsent.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(withoutConsent)).Text().ShouldContain("DUPONT Léa n'a pas donné son accord");

        var twice = await PushAsync(staff, guillaume);
        twice.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(twice)).Text().ShouldContain(
            $"Le profil de JOURDAN Guillaume a déjà été proposé à LEFEBVRE Sophie le {ParisTime.Date(Seed.Now)} : il pourra l'être de nouveau à partir du {ParisTime.Date(Seed.Now.AddDays(90))}.");

        world.Clock.Now = Seed.Now.AddDays(91);
        using var later = await world.StaffClientAsync("demo.ecole");
        var stillPending = await PushAsync(later, guillaume);
        (await Browserless.ReadAsync(stillPending)).Text().ShouldContain("attend encore sa réponse");

        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            await db.PushedProfiles.Where(p => p.CandidateId == guillaume).ExecuteUpdateAsync(set => set.SetProperty(p => p.State, PushedProfileState.NotFollowedUp));
        }
        var afterward = await PushAsync(later, guillaume);
        (await Browserless.ReadAsync(afterward)).Text().ShouldContain("1 profil(s) proposé(s) à 1 contact(s)");
        (await world.Database.NewContext().ForSchool(DemoData.SchoolId).PushedProfiles.CountAsync(p => p.CandidateId == guillaume)).ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task With_the_module_off_nothing_of_it_shows_and_everything_answers_not_found(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        await DispatchAllAsync(world);
        var token = PushToken().Match(world.Sink.Messages().Single(m => m.Subject.Contains("profil", StringComparison.Ordinal)).Text!).Groups[1].Value;
        var pushedId = await PushedProfileIdAsync(world, await CandidateIdAsync(world, "JOURDAN"));
        var margaud = await CandidateIdAsync(world, "TECHER");
        using var admin = await world.StaffClientAsync("demo.admin");
        var (_, settings) = await Browserless.GetAsync(admin, "/ecole/parametres");
        settings.QuerySelector("input[name=PushCvEnabled]")!.HasAttribute("checked").ShouldBeTrue();
        await Browserless.SubmitAsync(admin, settings, "Enregistrer", new Dictionary<string, string>
        {
            ["LinkValidityDays"] = "7", ["PushCvEnabled"] = "false",
        });
        (await world.Database.NewContext().Schools.SingleAsync(s => s.Id == DemoData.SchoolId)).PushCvEnabled.ShouldBeFalse();

        var (_, office) = await Browserless.GetAsync(admin, "/ecole/tableau-de-bord");
        office.QuerySelectorAll("nav.side a").Select(a => a.TextContent).ShouldNotContain("Push CV");
        office.QuerySelector("table.push-figures").ShouldBeNull();
        (await Browserless.GetAsync(admin, $"/ecole/candidats/{margaud}")).Page.Text().ShouldNotContain("Push CV");
        foreach (var url in new[] { "/ecole/push-cv", "/ecole/push-cv/nouveau", "/ecole/push-cv?handler=Csv" })
            (await admin.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound, url);

        using var contact = world.Client();
        await PortalWorld.LogInAsync(contact, "demo.entreprise");
        var home = await PortalWorld.ChooseSchoolAsync(contact, DemoData.SchoolId);
        home.QuerySelectorAll("nav.side a").Select(a => a.TextContent).ShouldNotContain("Profils proposés");
        foreach (var url in new[] { "/entreprise/profils-proposes", $"/entreprise/profils-proposes/{pushedId}" })
            (await contact.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound, url);

        using var link = world.App.CreateClient();
        (await link.GetAsync($"/l/p/{token}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var documents = await DocumentIdsAsync(world, pushedId);
        (await link.GetAsync($"/l/p/{token}/documents/{documents[0]}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await contact.GetAsync($"/entreprise/profils-proposes/{pushedId}/documents/{documents[0]}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Another_contact_and_another_school_never_reach_a_pushed_profile(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var pushedId = await PushedProfileIdAsync(world, await CandidateIdAsync(world, "JOURDAN"));
        var document = (await DocumentIdsAsync(world, pushedId))[0];

        using var other = world.Client();
        await PortalWorld.LogInAsync(other, await world.OtherCompanyContactAsync());
        await PortalWorld.ChooseSchoolAsync(other, DemoData.SchoolId);
        (await Browserless.GetAsync(other, "/entreprise/profils-proposes")).Page.Text().ShouldContain("Aucun profil ne vous a été proposé");
        (await other.GetAsync($"/entreprise/profils-proposes/{pushedId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.GetAsync($"/entreprise/profils-proposes/{pushedId}/documents/{document}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The demo contact in the second school (module on there too): the first school's push is not there.
        await using (var db = world.Database.NewContext())
            await db.Schools.Where(s => s.Id == DemoData.SecondSchoolId).ExecuteUpdateAsync(set => set.SetProperty(s => s.PushCvEnabled, true));
        using var contact = world.Client();
        await PortalWorld.LogInAsync(contact, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(contact, DemoData.SecondSchoolId);
        (await Browserless.GetAsync(contact, "/entreprise/profils-proposes")).Page.Text().ShouldContain("Aucun profil ne vous a été proposé");
        (await contact.GetAsync($"/entreprise/profils-proposes/{pushedId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var cfa = await world.StaffClientAsync("demo.cfa");
        (await Browserless.GetAsync(cfa, "/ecole/push-cv")).Page.Text().ShouldContain("Aucun profil proposé ne correspond.");

        using var scope = world.App.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(DemoData.SecondSchoolId);
        var result = await scope.ServiceProvider.GetRequiredService<CvPushActions>().AnswerAsync(pushedId,
            Actor.Contact(DemoData.ContactId, "LEFEBVRE Sophie", Channel.Portal), new Answer.RefuseCandidate(), null);
        result.Refusal!.Code.ShouldBe(RefusalCode.NotFound, "a school's context never finds another school's push");
        (await ProfileAsync(world, pushedId)).State.ShouldBe(PushedProfileState.Pending);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Of_two_meeting_requests_on_the_same_state_the_second_to_write_loses_and_one_referral_exists(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var guillaume = await CandidateIdAsync(world, "JOURDAN");
        var pushedId = await PushedProfileIdAsync(world, guillaume);
        var otherOffer = await NewActiveOfferAsync(world);
        var contact = Actor.Contact(DemoData.ContactId, "LEFEBVRE Sophie", Channel.Portal);
        var slot = new Appointment(Seed.Now.AddDays(4), "Bordeaux", null);

        // Two requests read the pushed profile at the same version (two tabs), then each writes, for a different offer.
        using var first = world.App.Services.CreateScope();
        using var second = world.App.Services.CreateScope();
        foreach (var scope in new[] { first, second })
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(DemoData.SchoolId);
            (await db.PushedProfiles.SingleAsync(p => p.Id == pushedId)).State.ShouldBe(PushedProfileState.Pending);
        }
        var won = await first.ServiceProvider.GetRequiredService<CvPushActions>().AnswerAsync(pushedId, contact, new Answer.MeetCandidate(slot, null), null);
        var lost = await second.ServiceProvider.GetRequiredService<CvPushActions>().AnswerAsync(pushedId, contact, new Answer.MeetCandidate(slot, otherOffer), null);

        won.Succeeded.ShouldBeTrue();
        lost.Refusal!.Code.ShouldBe(RefusalCode.ChangedMeanwhile, "the second write finds the version it read gone");
        await using var check = world.Database.NewContext();
        check.ForSchool(DemoData.SchoolId);
        (await check.Referrals.CountAsync(r => r.CandidateId == guillaume && r.CreatedAt == Seed.Now)).ShouldBe(1, "the demo's referral of 2020 aside, one");
        (await check.PushedProfiles.SingleAsync(p => p.Id == pushedId)).ReferralId.ShouldBe(won.ReferralId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_second_meeting_request_after_the_first_is_told_the_meeting_is_already_asked(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var pushedId = await PushedProfileIdAsync(world, await CandidateIdAsync(world, "JOURDAN"));
        var contact = Actor.Contact(DemoData.ContactId, "LEFEBVRE Sophie", Channel.Portal);
        var slot = new Appointment(Seed.Now.AddDays(4), "Bordeaux", null);

        async Task<PushAnswerResult> MeetAsync()
        {
            using var scope = world.App.Services.CreateScope();
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(DemoData.SchoolId);
            return await scope.ServiceProvider.GetRequiredService<CvPushActions>().AnswerAsync(pushedId, contact, new Answer.MeetCandidate(slot, null), null);
        }

        (await MeetAsync()).Succeeded.ShouldBeTrue();
        var again = await MeetAsync();
        (again.Refusal!.Code, again.Refusal.HttpStatus).ShouldBe((RefusalCode.StepClosed, 409), "not \"already referred to that offer\"");
        again.Refusal.Message.ShouldContain("Vous avez déjà demandé à rencontrer ce candidat");
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))] // on SQLite the push's save takes the write lock first: the erasure waits for it, then erases what it wrote
    public async Task A_profile_pushed_while_its_candidate_is_erased_is_not_proposed(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var lea = await CandidateIdAsync(world, "DUPONT");
        Guid staffId;
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            await db.Candidates.Where(c => c.Id == lea).ExecuteUpdateAsync(set => set.SetProperty(c => c.PushConsentAt, Seed.Now));
            staffId = await db.Staff.Where(s => s.UserName == "demo.ecole").Select(s => s.Id).SingleAsync();
        }
        int profilesBefore, mailsBefore;
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            (profilesBefore, mailsBefore) = (await db.PushedProfiles.CountAsync(), await db.OutboxMessages.CountAsync(m => m.CvPushId != null));
        }

        // The push has checked Léa's consent; the erasure runs to its end before the push's save.
        Task? erasing = null;
        var racing = new RaceStep(RaceStep.Inserting("cv_pushes"), async () =>
        {
            erasing = Task.Run(async () =>
            {
                await using var scope = world.App.Services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(DemoData.SchoolId);
                (await scope.ServiceProvider.GetRequiredService<Passerelle.PersonalData.Erasure>().EraseCandidateAsync(lea, Actor.Staff(staffId, "MARTIN Benoît"), null,
                    CancellationToken.None)).ShouldNotBeNull();
            });
            await Task.WhenAny(erasing, Task.Delay(TimeSpan.FromSeconds(2)));
        });
        PushResult result;
        await using (var scope = world.App.Services.CreateAsyncScope())
        await using (var db = world.Database.NewContext(racing).ForSchool(DemoData.SchoolId))
        {
            var actions = ActivatorUtilities.CreateInstance<CvPushActions>(scope.ServiceProvider, db);
            result = await actions.PushAsync([new ProfileToPush(lea, [])], [DemoData.ContactId], null, Actor.Staff(staffId, "MARTIN Benoît"));
        }
        await erasing!.WaitAsync(TimeSpan.FromSeconds(60));
        racing.Ran.ShouldBeTrue();

        // Nothing proposed "Candidat effacé" to the company: no push, no profile, no mail.
        result.Problems.ShouldBe(["Un des candidats choisis vient d'être effacé : rien n'a été envoyé."]);
        result.ChangedMeanwhile.ShouldBeTrue("a conflict: the API answers 409");
        await using var check = world.Database.NewContext().ForSchool(DemoData.SchoolId);
        (await check.PushedProfiles.CountAsync()).ShouldBe(profilesBefore);
        (await check.PushedProfiles.CountAsync(p => p.CandidateId == lea)).ShouldBe(0);
        (await check.OutboxMessages.CountAsync(m => m.CvPushId != null)).ShouldBe(mailsBefore);
    }

    private static Dictionary<string, string> Appointment(string offer) => new()
    {
        ["Offer"] = offer, ["Appointment.Date"] = ParisTime.ToParis(Seed.Now).AddDays(6).ToString("yyyy-MM-dd"), ["Appointment.Hour"] = "10",
        ["Appointment.Minute"] = "0",
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_school_sees_each_look_of_the_contact_at_a_pushed_profile_but_not_a_mail_scanner_s(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var guillaume = await CandidateIdAsync(world, "JOURDAN"); // the demo pushed his profile to Sophie
        var pushedId = await PushedProfileIdAsync(world, guillaume);
        var token = await GuillaumesPushTokenAsync(world);
        async Task<List<Passerelle.PersonalData.ProfileView>> LooksAsync()
        {
            await using var db = world.Database.NewContext();
            return await db.ForSchool(DemoData.SchoolId).ProfileViews.AsNoTracking().Where(v => v.PushedProfileId == pushedId).OrderBy(v => v.ViewedAt).ToListAsync();
        }

        // The mail's link opened by a scanner: nothing. The page's script says the profile was seen: one look, by mail link.
        using var link = world.App.CreateClient();
        var (_, linkPage) = await Browserless.GetAsync(link, $"/l/p/{token}");
        (await LooksAsync()).ShouldBeEmpty();
        (await Browserless.SeenAsync(link, linkPage)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // Later, in the portal: the profile page and a document, each a look.
        world.Clock.Now += TimeSpan.FromMinutes(11);
        using var contact = world.Client();
        await PortalWorld.LogInAsync(contact, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(contact, DemoData.SchoolId);
        var (_, page) = await Browserless.GetAsync(contact, $"/entreprise/profils-proposes/{pushedId}");
        (await LooksAsync()).Count.ShouldBe(1, "opening the page records nothing: its script says when it was seen");
        (await Browserless.SeenAsync(contact, page)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var cv = page.QuerySelectorAll("a.document").First(a => a.TextContent.StartsWith("CV", StringComparison.Ordinal));
        var portalLook = world.Clock.Now;
        world.Clock.Now += TimeSpan.FromMinutes(1);
        (await contact.GetAsync(cv.GetAttribute("href"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var looks = await LooksAsync();
        looks.Select(v => (v.Channel, v.DocumentId is null, v.ReferralId)).ShouldBe([
            (Channel.EmailLink, true, (Guid?)null), (Channel.Portal, true, null), (Channel.Portal, false, null)]);
        looks.ShouldAllBe(v => v.ContactId == DemoData.ContactId);

        using var staff = await world.StaffClientAsync("demo.ecole");
        var (_, candidatePage) = await Browserless.GetAsync(staff, $"/ecole/candidats/{guillaume}");
        candidatePage.QuerySelectorAll("ul.views li").Select(li => li.TextContent.Trim()).ShouldBe([
            $"{cv.TextContent} consulté par LEFEBVRE Sophie le {ParisTime.Date(world.Clock.Now)} à {ParisTime.Time(world.Clock.Now)}",
            $"Profil consulté par LEFEBVRE Sophie le {ParisTime.Date(portalLook)} à {ParisTime.Time(portalLook)}",
            $"Profil consulté par LEFEBVRE Sophie le {ParisTime.Date(Seed.Now)} à {ParisTime.Time(Seed.Now)}",
        ]);
        (await Browserless.GetAsync(contact, $"/entreprise/profils-proposes/{pushedId}")).Page.Text().ShouldNotContain("consulté par");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_pushed_profile_closed_by_a_withdrawn_consent_records_no_look(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var guillaume = await CandidateIdAsync(world, "JOURDAN");
        var pushedId = await PushedProfileIdAsync(world, guillaume);
        var token = await GuillaumesPushTokenAsync(world);
        using var link = world.App.CreateClient();
        var (_, openPage) = await Browserless.GetAsync(link, $"/l/p/{token}");
        openPage.QuerySelector("form[data-seen]").ShouldNotBeNull("open, the page says when it is seen");
        await using (var db = world.Database.NewContext())
            (await db.ForSchool(DemoData.SchoolId).Candidates.Where(c => c.Id == guillaume)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.PushConsentAt, (DateTimeOffset?)null))).ShouldBe(1);

        (await Browserless.SeenAsync(link, openPage)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Browserless.GetAsync(link, $"/l/p/{token}")).Page.QuerySelector("form[data-seen]").ShouldBeNull();
        using var contact = world.Client();
        await PortalWorld.LogInAsync(contact, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(contact, DemoData.SchoolId);
        var (_, closed) = await Browserless.GetAsync(contact, $"/entreprise/profils-proposes/{pushedId}");
        closed.QuerySelector("form[data-seen]").ShouldBeNull();

        await using var check = world.Database.NewContext();
        (await check.ForSchool(DemoData.SchoolId).ProfileViews.CountAsync(v => v.PushedProfileId == pushedId)).ShouldBe(0, "the consent withdrawn, nothing of the profile is shown");
    }

    /// <summary>The demo's push of Guillaume's profile to Sophie, mailed: its link's token.</summary>
    private static async Task<string> GuillaumesPushTokenAsync(PortalWorld world)
    {
        await DispatchAllAsync(world);
        var mail = world.Sink.Messages().Single(m => m.To.Contains(ContactAddress, StringComparison.Ordinal) && m.Text!.Contains("JOURDAN Guillaume", StringComparison.Ordinal));
        return PushToken().Match(mail.Text!).Groups[1].Value;
    }

    private static async Task<HttpResponseMessage> PushAsync(HttpClient staff, Guid candidateId)
    {
        var (_, form) = await Browserless.GetAsync(staff, "/ecole/push-cv/nouveau");
        return await Browserless.SubmitAsync(staff, form, "Envoyer le push", new Dictionary<string, string>
        {
            ["CandidateIds"] = candidateId.ToString(), ["ContactIds"] = DemoData.ContactId.ToString(),
        });
    }

    private static async Task RecordConsentAsync(HttpClient staff, Guid candidateId)
    {
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/candidats/{candidateId}");
        page.Text().ShouldContain("Sans cet accord, son profil ne peut pas être proposé.");
        var saved = await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, page, "Enregistrer l'accord", new Dictionary<string, string> { ["consent"] = "true" }));
        saved.Text().ShouldContain("L'accord du candidat est enregistré", Case.Sensitive, saved.Text());
        saved.Text().ShouldContain($"Accord enregistré le {ParisTime.Date(Seed.Now)} à {ParisTime.Time(Seed.Now)} par MARTIN Benoît.");
    }

    private static async Task DispatchAllAsync(PortalWorld world)
    {
        var delivery = world.App.Services.GetRequiredService<Passerelle.Email.OutboxDelivery>();
        while (await delivery.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    private static async Task<Guid> CandidateIdAsync(PortalWorld world, string lastName)
    {
        await using var db = world.Database.NewContext();
        return await db.ForSchool(DemoData.SchoolId).Candidates.Where(c => c.LastName == lastName).Select(c => c.Id).SingleAsync();
    }

    private static async Task<Guid> PushedProfileIdAsync(PortalWorld world, Guid candidateId)
    {
        await using var db = world.Database.NewContext();
        return await db.ForSchool(DemoData.SchoolId).PushedProfiles.Where(p => p.CandidateId == candidateId).Select(p => p.Id).SingleAsync();
    }

    private static async Task<PushedProfile> ProfileAsync(PortalWorld world, Guid id)
    {
        await using var db = world.Database.NewContext();
        return await db.ForSchool(DemoData.SchoolId).PushedProfiles.AsNoTracking().SingleAsync(p => p.Id == id);
    }

    private static async Task<Guid> NewActiveOfferAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var companyId = await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.CompanyId).SingleAsync();
        var offer = new Passerelle.JobOffers.JobOffer
        {
            Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, CompanyId = companyId, Title = "Technicien·ne qualité", Description = "Alternance.",
            CreatedAt = Seed.Now,
        };
        db.JobOffers.Add(offer);
        await db.SaveChangesAsync();
        return offer.Id;
    }

    private static async Task<List<Guid>> DocumentIdsAsync(PortalWorld world, Guid pushedId)
    {
        await using var db = world.Database.NewContext();
        return await db.ForSchool(DemoData.SchoolId).PushedProfileDocuments.Where(d => d.PushedProfileId == pushedId).Select(d => d.DocumentId).ToListAsync();
    }

    [GeneratedRegex("/l/p/([A-Za-z0-9_-]{43})")]
    private static partial Regex PushToken();
}
