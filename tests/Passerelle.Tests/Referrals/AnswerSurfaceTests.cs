using System.Net;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Referrals;

/// <summary>
/// The rules are the same through every door (ReferralActions.AnswerAsync): the company portal and the back-office
/// give the same answer to the same mistake, and two clicks at once give one outcome.
/// </summary>
[Trait(Category.Name, Category.Smtp)]
public class AnswerSurfaceTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    private const string CompanyAccepts = "Accepter le candidat";
    private const string SchoolAcceptsForCompany = "L'entreprise accepte le candidat";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_clicks_at_once_on_the_same_referral_give_one_answer_and_the_loser_queues_no_mail(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var margaud = await world.ReferralOfAsync("TECHER");
        var (company, school) = await BothSidesAsync(world);
        var (_, companyPage) = await Browserless.GetAsync(company, $"/entreprise/candidats/{margaud}");
        var (_, schoolPage) = await Browserless.GetAsync(school, $"/ecole/mises-en-relation/{margaud}");
        var mailsBefore = await MailsAsync(world, margaud);

        // The contact accepts in the portal while the school records, at the same moment, the answer given by phone.
        var responses = await Task.WhenAll(
            Browserless.SubmitAsync(company, companyPage, CompanyAccepts, Appointment("2026-03-09", "10")),
            Browserless.SubmitAsync(school, schoolPage, SchoolAcceptsForCompany, Appointment("2026-03-10", "15")));

        responses.Select(r => r.StatusCode).ShouldBe([HttpStatusCode.OK, HttpStatusCode.Conflict], ignoreOrder: true);
        var loser = await Browserless.ReadAsync(responses.Single(r => r.StatusCode == HttpStatusCode.Conflict));
        loser.Text().ShouldContain("La mise en relation vient d'être modifiée par quelqu'un d'autre. Voici son état actuel ; votre action n'a pas été enregistrée.");
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        (await db.ReferralEvents.CountAsync(e => e.ReferralId == margaud && e.Kind == ReferralEventKind.CandidateAccepted)).ShouldBe(1);
        // The winner's two mails (the appointment to the candidate, the notice to the school), none for the loser.
        (await MailsAsync(world, margaud) - mailsBefore).ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_appointment_in_the_past_or_beyond_two_years_is_refused_the_same_way_in_the_portal_and_the_back_office(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var margaud = await world.ReferralOfAsync("TECHER");
        var (company, school) = await BothSidesAsync(world);

        // The clock says 02/03/2026 10h30 (Paris): 10h00 that day has passed, 2028-03-03 is more than two years ahead.
        foreach (var (date, hour, message) in new[]
        {
            ("2026-03-02", "10", "La date du rendez-vous doit être dans le futur."),
            ("2028-03-03", "10", "La date du rendez-vous doit être dans les deux ans qui viennent."),
        })
        {
            var (_, companyPage) = await Browserless.GetAsync(company, $"/entreprise/candidats/{margaud}");
            var fromCompany = await Browserless.SubmitAsync(company, companyPage, CompanyAccepts, Appointment(date, hour));
            var (_, schoolPage) = await Browserless.GetAsync(school, $"/ecole/mises-en-relation/{margaud}");
            var fromSchool = await Browserless.SubmitAsync(school, schoolPage, SchoolAcceptsForCompany, Appointment(date, hour));

            foreach (var response in new[] { fromCompany, fromSchool })
            {
                response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
                (await Browserless.ReadAsync(response)).QuerySelector("[role=alert]")!.TextContent.Trim().ShouldBe(message);
            }
        }
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        (await db.Referrals.SingleAsync(r => r.Id == margaud)).CompanyAnswer.ShouldBeNull("nothing was recorded");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_outcome_is_offered_and_accepted_only_once_the_confirmed_appointment_has_taken_place(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var margaud = await world.ReferralOfAsync("TECHER");
        var (company, school) = await BothSidesAsync(world);
        var (_, page) = await Browserless.GetAsync(company, $"/entreprise/candidats/{margaud}");
        await Browserless.SubmitAsync(company, page, CompanyAccepts, Appointment("2026-03-09", "14"));
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            (await Seed.Actions(db, world.Clock).ApplyAsync(margaud, (r, now) =>
                r.AnswerAppointment(AppointmentAnswer.Accepted, Actor.Candidate(r.CandidateId, "TECHER Margaud"), now))).Succeeded.ShouldBeTrue();
        }
        const string notYet = "Le résultat s'enregistre après le rendez-vous, prévu le 09/03/2026 à 14h00.";

        var (_, companyBefore) = await Browserless.GetAsync(company, $"/entreprise/candidats/{margaud}");
        var (_, schoolBefore) = await Browserless.GetAsync(school, $"/ecole/mises-en-relation/{margaud}");
        foreach (var before in new[] { companyBefore, schoolBefore })
        {
            before.Text().ShouldContain(notYet);
            before.QuerySelectorAll("button[name=outcome]").ShouldBeEmpty();
        }
        // A form kept from elsewhere is refused by the same rule, with the same sentence.
        var forced = await company.PostAsync($"/entreprise/candidats/{margaud}?handler=Outcome", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["outcome"] = "Recruited", ["__RequestVerificationToken"] = companyBefore.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
        }));
        forced.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Browserless.ReadAsync(forced)).QuerySelector("[role=alert]")!.TextContent.Trim().ShouldBe(notYet);

        world.Clock.Now = new DateTimeOffset(2026, 3, 9, 13, 30, 0, TimeSpan.Zero); // 14h30 in Paris: the interview is over
        await PortalWorld.LogInAsync(company, "demo.entreprise"); // a week later: the sessions have ended
        await PortalWorld.ChooseSchoolAsync(company, DemoData.SchoolId);
        await PortalWorld.LogInStaffAsync(school, "demo.ecole");
        var (_, companyAfter) = await Browserless.GetAsync(company, $"/entreprise/candidats/{margaud}");
        companyAfter.Text().ShouldNotContain(notYet);
        var recruited = await Browserless.SubmitAsync(company, companyAfter, "Candidat recruté");
        recruited.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Browserless.ReadAsync(recruited)).Text().ShouldContain("C'est noté : le candidat est recruté.");
        var (_, schoolAfter) = await Browserless.GetAsync(school, $"/ecole/mises-en-relation/{margaud}");
        schoolAfter.QuerySelectorAll("button[name=outcome]").Select(b => b.TextContent).ShouldBe(["Recruté", "Non retenu"]);
    }

    /// <summary>
    /// The company contact in the portal (the demo school chosen) and MARTIN Benoît in the back-office; in-memory
    /// clients of the world's app, released with it.
    /// </summary>
    private static async Task<(HttpClient Company, HttpClient School)> BothSidesAsync(PortalWorld world)
    {
        var company = world.Client();
        await PortalWorld.LogInAsync(company, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(company, DemoData.SchoolId);
        return (company, await world.StaffClientAsync("demo.ecole"));
    }

    private static Dictionary<string, string> Appointment(string date, string hour) => new()
    {
        ["Appointment.Date"] = date, ["Appointment.Hour"] = hour, ["Appointment.Minute"] = "00",
    };

    private static async Task<int> MailsAsync(PortalWorld world, Guid referralId)
    {
        await using var db = world.Database.NewContext();
        return await db.OutboxMessages.CountAsync(m => m.ReferralId == referralId);
    }
}
