using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>The pages behind e-mail links: opening never acts, buttons act once, dead links say why.</summary>
[Trait(Category.Name, Category.Smtp)]
public partial class LinkPageTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Opening_every_link_of_the_proposal_changes_nothing(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var (referralId, token) = await CompanyLinkAsync(world);
        using var client = world.App.CreateClient();
        var before = await StateAsync(world, referralId);

        foreach (var view in new[] { "", "/profil", "/offre", "/accepter", "/refuser" })
        {
            (await client.GetAsync($"/l/{token}{view}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/l/{token}{view}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await StateAsync(world, referralId)).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_look_at_the_profile_is_recorded_when_the_page_says_it_was_seen_not_when_the_link_is_opened(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var (referralId, token) = await CompanyLinkAsync(world);
        using var client = world.App.CreateClient();
        async Task<List<PersonalData.ProfileView>> LooksAsync() => await world.QueryAsync(db => db.ProfileViews.Where(v => v.ReferralId == referralId));

        // A mail scanner opens "Voir le profil du candidat" (GET, HEAD): no look is recorded.
        var (_, page) = await Browserless.GetAsync(client, $"/l/{token}/profil");
        (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/l/{token}/profil"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await LooksAsync()).ShouldBeEmpty();
        (await Browserless.GetAsync(client, $"/l/{token}/accepter")).Page.QuerySelector("form[data-seen]").ShouldBeNull("only the profile says it was seen");

        // The page's script posts its form once the profile is in view (a browser's part: Browser/WholeLoopTests).
        var seen = await Browserless.SeenAsync(client, page);
        seen.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Browserless.SeenAsync(client, page)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var look = (await LooksAsync()).ShouldHaveSingleItem("the same look twice within ten minutes is one");
        (look.ContactId, look.DocumentId, look.Channel, look.ViewedAt).ShouldBe((world.School.Contact.Id, (Guid?)null, Channel.EmailLink, world.Clock.Now));

        // Once the candidate withdrew, the profile is closed: nothing to say, nothing recorded.
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Declined, world.School.CandidateActor, now));
        world.Clock.Now = world.Clock.Now.AddMinutes(11);
        (await Browserless.SeenAsync(client, page)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await LooksAsync()).Count.ShouldBe(1);
        (await Browserless.GetAsync(client, $"/l/{token}/profil")).Page.QuerySelector("form[data-seen]").ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_refusal_page_records_the_refusal_with_one_click_as_the_company_by_email_link(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var (referralId, token) = await CompanyLinkAsync(world);
        using var client = world.App.CreateClient();

        var (_, page) = await Browserless.GetAsync(client, $"/l/{token}/refuser");
        page.QuerySelectorAll("input:not([type=hidden]), textarea").ShouldBeEmpty("refusing needs no form");
        var response = await Browserless.SubmitAsync(client, page, "Refuser le candidat");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await Browserless.GetAsync(client, $"/l/{token}");
        after.Page.Text().ShouldContain("Vous avez refusé la candidature le 02/03/2026 à 10h30.");
        var last = (await world.QueryAsync(db => db.ReferralEvents.Where(e => e.ReferralId == referralId).OrderByDescending(e => e.Sequence))).First();
        last.Kind.ShouldBe(ReferralEventKind.CandidateRefused);
        last.Channel.ShouldBe(Channel.EmailLink);
        last.ActorKind.ShouldBe(ActorKind.CompanyContact);
        last.ActorId.ShouldBe(world.School.Contact.Id);

        // The same page's button again (a double click whose first went through): told it is done, not to do it again.
        var twice = await Browserless.SubmitAsync(client, page, "Refuser le candidat");
        var twicePage = await Browserless.ReadAsync(twice);
        twicePage.Text().ShouldContain("Cette réponse est déjà enregistrée.");
        twicePage.Text().ShouldNotContain("n'a pas été enregistrée");
        (await world.QueryAsync(db => db.ReferralEvents.Where(e => e.ReferralId == referralId && e.Kind == ReferralEventKind.CandidateRefused))).Count.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Refusing_from_the_acceptance_form_keeps_the_comment_typed_there_whatever_the_date_fields_hold(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var (referralId, token) = await CompanyLinkAsync(world);
        using var client = world.App.CreateClient();

        var (_, page) = await Browserless.GetAsync(client, $"/l/{token}/accepter");
        var response = await Browserless.SubmitAsync(client, page, "Refuser le candidat",
            new Dictionary<string, string> { ["Appointment.Date"] = "2026-02-31", ["Appointment.Hour"] = "10", ["Appointment.Comment"] = "Profil trop junior" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, "a date half typed does not stand in the way of a refusal");
        var last = (await world.QueryAsync(db => db.ReferralEvents.Where(e => e.ReferralId == referralId).OrderByDescending(e => e.Sequence))).First();
        (last.Kind, last.Comment).ShouldBe((ReferralEventKind.CandidateRefused, "Profil trop junior"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Accepting_needs_an_appointment_in_the_future_and_then_proposes_it(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var (referralId, token) = await CompanyLinkAsync(world);
        using var client = world.App.CreateClient();
        var (_, page) = await Browserless.GetAsync(client, $"/l/{token}/accepter");
        page.Text().ShouldContain("Votre commentaire apparaîtra dans le suivi de mise en relation");

        var missing = await Browserless.SubmitAsync(client, page, "Accepter le candidat");
        missing.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(missing)).Text().ShouldContain("Indiquez la date et l'heure du rendez-vous.");
        var past = await Browserless.SubmitAsync(client, page, "Accepter le candidat",
            new Dictionary<string, string> { ["Appointment.Date"] = "2026-03-01", ["Appointment.Hour"] = "10", ["Appointment.Minute"] = "00" });
        past.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(past)).Text().ShouldContain("La date du rendez-vous doit être dans le futur.");
        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.AwaitingCompany);

        var accepted = await Browserless.SubmitAsync(client, page, "Accepter le candidat", new Dictionary<string, string>
        {
            ["Appointment.Date"] = "2026-03-10", ["Appointment.Hour"] = "14", ["Appointment.Minute"] = "30",
            ["Appointment.Location"] = "Bordeaux", ["Appointment.Comment"] = "Venez avec votre CV",
        });

        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        var referral = (await world.QueryAsync(db => db.Referrals.Where(r => r.Id == referralId))).Single();
        referral.Stage.ShouldBe(ReferralStage.AwaitingAppointmentAnswer);
        referral.AppointmentStartsAt.ShouldBe(new DateTimeOffset(2026, 3, 10, 13, 30, 0, TimeSpan.Zero), "14h30 in Paris in winter");
        referral.AppointmentComment.ShouldBe("Venez avec votre CV");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_post_without_the_antiforgery_token_is_refused_and_changes_nothing(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var (referralId, token) = await CompanyLinkAsync(world);
        using var client = world.App.CreateClient();
        var before = await StateAsync(world, referralId);

        var response = await client.PostAsync($"/l/{token}/refuser?handler=RefuseCandidate", new FormUrlEncodedContent([]));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await StateAsync(world, referralId)).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Expired_revoked_superseded_tampered_and_unknown_links_each_say_so_and_change_nothing(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var (referralId, token) = await CompanyLinkAsync(world);
        using var client = world.App.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = PasserelleFactory.Https, AllowAutoRedirect = false });
        var (_, valid) = await Browserless.GetAsync(client, $"/l/{token}/refuser");

        var tampered = token[..^3] + (token[^3] == 'x' ? "y" : "x") + token[^2..];
        var (tamperedStatus, tamperedPage) = await Browserless.GetAsync(client, $"/l/{tampered}");
        tamperedStatus.ShouldBe(HttpStatusCode.NotFound);
        tamperedPage.Text().ShouldContain("Ce lien est incomplet ou a été modifié");
        (await Browserless.GetAsync(client, "/l/abc")).Page.Text().ShouldContain("Ce lien est incomplet ou a été modifié");

        var unknown = Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var (unknownStatus, unknownPage) = await Browserless.GetAsync(client, $"/l/{unknown}");
        unknownStatus.ShouldBe(HttpStatusCode.NotFound);
        unknownPage.Text().ShouldContain("Ce lien n'existe pas");

        world.Clock.Now = Seed.Now.AddDays(8);
        var (expiredStatus, expiredPage) = await Browserless.GetAsync(client, $"/l/{token}/refuser");
        expiredStatus.ShouldBe(HttpStatusCode.Gone);
        expiredPage.Text().ShouldContain("Ce lien a expiré");
        expiredPage.Text().ShouldContain("Les liens de cet e-mail étaient valables jusqu'au 09/03/2026 à 10h30.");
        expiredPage.Text().ShouldContain("Se connecter à Passerelle Entreprises");
        expiredPage.QuerySelectorAll("button").ShouldBeEmpty();
        (await Browserless.SubmitAsync(client, valid, "Refuser le candidat")).StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.AwaitingCompany, "an expired link changes nothing");
        world.Clock.Now = Seed.Now;

        // The candidate withdraws: the company's step is over.
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Declined, world.School.CandidateActor, now));
        var (supersededStatus, supersededPage) = await Browserless.GetAsync(client, $"/l/{token}/accepter");
        supersededStatus.ShouldBe(HttpStatusCode.OK);
        supersededPage.Text().ShouldContain("Cette étape est terminée");
        supersededPage.Text().ShouldNotContain("TECHER Margaud a refusé l'offre", customMessage: "a link that no longer acts shows no live state");

        // …then accepts again: a new proposal mail goes out, and the first one's links stay off.
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));
        var (revokedStatus, revokedPage) = await Browserless.GetAsync(client, $"/l/{token}/accepter");
        revokedStatus.ShouldBe(HttpStatusCode.Gone);
        revokedPage.Text().ShouldContain("Ce lien a été désactivé");
        (await Browserless.SubmitAsync(client, valid, "Refuser le candidat")).StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.AwaitingCompany);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_candidate_answers_the_offer_and_can_change_their_mind_from_the_same_link(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        var token = TokenIn(world.Sink.Messages().Single().Text!);
        using var client = world.App.CreateClient();

        var (_, page) = await Browserless.GetAsync(client, $"/l/{token}/accepter");
        (await Browserless.SubmitAsync(client, page, "Accepter l'offre")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.AwaitingCompany);

        var (_, again) = await Browserless.GetAsync(client, $"/l/{token}");
        again.Text().ShouldContain("Vous avez accepté l'offre le 02/03/2026 à 10h30.");
        (await Browserless.SubmitAsync(client, again, "Refuser l'offre")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.OfferDeclined);
        var events = await world.QueryAsync(db => db.ReferralEvents.Where(e => e.ReferralId == referralId).OrderBy(e => e.Sequence));
        events.Select(e => e.Kind).ShouldBe([ReferralEventKind.Proposed, ReferralEventKind.OfferAccepted, ReferralEventKind.OfferDeclined]);
        events[^1].PreviousAnswer.ShouldBe(ReferralEventKind.OfferAccepted);
        events.Skip(1).ShouldAllBe(e => e.Channel == Channel.EmailLink && e.ActorKind == ActorKind.Candidate);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Once_the_appointment_time_has_come_its_link_says_so_and_offers_no_answer(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));
        var startsAt = world.Clock.Now.AddDays(3);
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Accepted, new Appointment(startsAt, "Bordeaux", null), world.School.ContactActor(), now));
        await world.DispatchAllAsync();
        var token = TokenIn(world.Sink.Messages().Single(m => m.Subject.StartsWith("Rendez-vous proposé", StringComparison.Ordinal)).Text!);
        using var client = world.App.CreateClient();
        var (_, before) = await Browserless.GetAsync(client, $"/l/{token}/confirmer");
        before.QuerySelectorAll("button").Select(b => b.TextContent.Trim()).ShouldBe(["Je confirme ma présence", "Je ne pourrai pas venir"]);

        world.Clock.Now = startsAt.AddMinutes(1);
        var (status, after) = await Browserless.GetAsync(client, $"/l/{token}/confirmer");

        status.ShouldBe(HttpStatusCode.OK);
        after.Text().ShouldContain($"Le rendez-vous du {ParisTime.Date(startsAt)} à {ParisTime.Time(startsAt)} est passé : il n'est plus possible d'y répondre.");
        after.QuerySelectorAll("button, textarea").ShouldBeEmpty();
        // The page read before the time still posts: refused, with the same words.
        var late = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, before, "Je confirme ma présence"));
        late.Text().ShouldContain("est passé : votre réponse ne peut plus être enregistrée.");
        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.AwaitingAppointmentAnswer);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_old_appointment_mail_cannot_confirm_a_newer_appointment(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Accepted, new Appointment(now.AddDays(3), "Bordeaux", null), world.School.ContactActor(), now));
        await world.DispatchAllAsync();
        var firstMail = world.Sink.Messages().Single(m => m.Subject.StartsWith("Rendez-vous proposé", StringComparison.Ordinal));
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Accepted, new Appointment(now.AddDays(4), "Bordeaux", null), world.School.ContactActor(), now));
        await world.DispatchAllAsync();
        using var client = world.App.CreateClient();

        var (status, page) = await Browserless.GetAsync(client, $"/l/{TokenIn(firstMail.Text!)}/confirmer");

        status.ShouldBe(HttpStatusCode.Gone);
        page.Text().ShouldContain("Ce lien a été désactivé");
        page.QuerySelectorAll("button").ShouldBeEmpty();
        var newest = world.Sink.Messages().Last(m => m.Subject.StartsWith("Rendez-vous proposé", StringComparison.Ordinal));
        (await Browserless.GetAsync(client, $"/l/{TokenIn(newest.Text!)}/confirmer")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_page_left_open_while_the_referral_moved_refuses_its_action_and_shows_the_current_state(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        var token = TokenIn(world.Sink.Messages().Single().Text!);
        using var client = world.App.CreateClient();
        var (_, stale) = await Browserless.GetAsync(client, $"/l/{token}");

        // Meanwhile the school records, on the candidate's behalf, that they declined by phone.
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Declined, world.School.StaffActor(Party.Candidate), now));
        var response = await Browserless.SubmitAsync(client, stale, "Accepter l'offre");

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var page = await Browserless.ReadAsync(response);
        page.Text().ShouldContain("La mise en relation vient d'être modifiée par quelqu'un d'autre");
        page.Text().ShouldContain("Vous avez refusé l'offre le 02/03/2026 à 10h30.");
        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.OfferDeclined);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_candidate_with_an_expired_link_gets_a_fresh_one_by_mail_once_in_ten_minutes(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        await world.ProposeAsync();
        await world.DispatchAllAsync();
        var oldToken = TokenIn(world.Sink.Messages().Single().Text!);
        using var client = world.App.CreateClient();
        world.Clock.Now = Seed.Now.AddDays(8);

        var (status, expired) = await Browserless.GetAsync(client, $"/l/{oldToken}");
        status.ShouldBe(HttpStatusCode.Gone);
        var asked = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, expired, "M'envoyer un nouveau lien"));
        asked.Text().ShouldContain("Si votre adresse est bien enregistrée, un nouveau lien vient de vous être envoyé par e-mail.");
        var (_, stillExpired) = await Browserless.GetAsync(client, $"/l/{oldToken}");
        await Browserless.SubmitAsync(client, stillExpired, "M'envoyer un nouveau lien");
        await world.DispatchAllAsync();

        var mails = world.Sink.Messages();
        mails.Count.ShouldBe(2, "one fresh mail, however often it is asked for within ten minutes");
        var newToken = TokenIn(mails[^1].Text!);
        newToken.ShouldNotBe(oldToken);
        var (_, fresh) = await Browserless.GetAsync(client, $"/l/{newToken}");
        (await Browserless.SubmitAsync(client, fresh, "Accepter l'offre")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Changing_one_s_mind_through_a_link_is_limited_to_three_answers_in_ten_minutes(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        var token = TokenIn(world.Sink.Messages().Single().Text!);
        using var client = world.App.CreateClient();
        var mailsBefore = await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId));

        foreach (var button in new[] { "Accepter l'offre", "Refuser l'offre", "Accepter l'offre" })
        {
            var (_, page) = await Browserless.GetAsync(client, $"/l/{token}");
            (await Browserless.SubmitAsync(client, page, button)).StatusCode.ShouldBe(HttpStatusCode.OK, button);
        }
        var mailsAfterThree = (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId))).Count;
        var (_, fourth) = await Browserless.GetAsync(client, $"/l/{token}");
        var refused = await Browserless.SubmitAsync(client, fourth, "Refuser l'offre");

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await Browserless.ReadAsync(refused)).Text().ShouldContain("patientez un peu avant de changer d'avis de nouveau");
        (await StateAsync(world, referralId)).Stage.ShouldBe(ReferralStage.AwaitingCompany, "the fourth answer changed nothing");
        var mailsAfter = await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId));
        mailsAfter.Count.ShouldBe(mailsAfterThree, "the refused fourth answer queued no mail");
        var queuedByAnswers = mailsAfter.Count - mailsBefore.Count;

        world.Clock.Now = Seed.Now.AddMinutes(11);
        var (_, later) = await Browserless.GetAsync(client, $"/l/{token}");
        (await Browserless.SubmitAsync(client, later, "Refuser l'offre")).StatusCode.ShouldBe(HttpStatusCode.OK, "ten minutes later the candidate may answer again");
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId))).Count.ShouldBeGreaterThan(mailsAfter.Count);
        queuedByAnswers.ShouldBeLessThanOrEqualTo(3 * 2, "three answers at most, each mailing at most the school and the company");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_dead_link_says_its_step_is_over_and_shows_no_live_state(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        var token = TokenIn(world.Sink.Messages().Single().Text!);
        await world.ActAsync(referralId, (r, now) => r.Cancel("Poste pourvu en interne", world.School.StaffActor(), now));
        using var client = world.App.CreateClient();

        var (status, page) = await Browserless.GetAsync(client, $"/l/{token}");

        status.ShouldBe(HttpStatusCode.OK);
        page.Text().ShouldContain("Cette étape est terminée");
        page.QuerySelectorAll("button").ShouldBeEmpty();
        page.Text().ShouldNotContain("Poste pourvu en interne");
        page.Text().ShouldNotContain("Où en est la mise en relation");
        page.Text().ShouldNotContain("annul", Case.Insensitive);
    }

    private static async Task<(Guid ReferralId, string Token)> CompanyLinkAsync(EmailWorld world)
    {
        var referralId = await world.ProposeAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.StaffActor(Party.Candidate), now));
        await world.DispatchAllAsync();
        var proposal = world.Sink.Messages().Single(m => m.To.Contains("sophie@example.org", StringComparison.Ordinal));
        return (referralId, TokenIn(proposal.Text!));
    }

    private static string TokenIn(string text) => LinkToken().Match(text).Groups[1].Value;

    private static async Task<(ReferralStage Stage, int Version, int Events)> StateAsync(EmailWorld world, Guid referralId)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(world.School.School.Id);
        var referral = await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referralId);
        return (referral.Stage, referral.Version, await db.ReferralEvents.CountAsync(e => e.ReferralId == referralId));
    }

    [GeneratedRegex("/l/([A-Za-z0-9_-]{43})")]
    private static partial Regex LinkToken();
}
