using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Demo;

/// <summary>The demo of the embedded default is the user document's example, created once.</summary>
public class DemoDataTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_demo_is_the_document_s_example(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var seed = database.NewContext())
            (await DemoData.EnsureCreatedAsync(seed, Seed.Now)).ShouldBeTrue();

        await using var db = database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var rows = await (
            from r in db.Referrals
            join c in db.Candidates on r.CandidateId equals c.Id
            join o in db.JobOffers on r.JobOfferId equals o.Id
            where c.LastName == "TECHER" || c.LastName == "JOURDAN"
            orderby c.LastName descending
            select new { Referral = r, Candidate = c.LastName + " " + c.FirstName, Offer = o.Title }).ToListAsync();

        rows.Select(r => r.Candidate).ShouldBe(["TECHER Margaud", "JOURDAN Guillaume"]);
        rows.ShouldAllBe(r => r.Offer == "Et laboriosam praesentium");
        rows.ShouldAllBe(r => ParisTime.Date(r.Referral.CreatedAt) == "15/05/2020" && ParisTime.Time(r.Referral.CreatedAt) == "15h41");

        var margaud = rows[0].Referral;
        margaud.OfferAnswer.ShouldBe(OfferAnswer.Accepted);
        ParisTime.Date(margaud.OfferAnsweredAt!.Value).ShouldBe("15/06/2020");
        ParisTime.Time(margaud.OfferAnsweredAt.Value).ShouldBe("12h07");
        var answer = await db.ReferralEvents.SingleAsync(e => e.ReferralId == margaud.Id && e.Kind == ReferralEventKind.OfferAccepted);
        answer.ActorName.ShouldBe("MARTIN Benoît");
        answer.OnBehalfOf.ShouldBe(Party.Candidate);
        var proposed = await db.ReferralEvents.SingleAsync(e => e.ReferralId == margaud.Id && e.Kind == ReferralEventKind.Proposed);
        proposed.ActorName.ShouldBe("MARTIN Benoît");

        var guillaume = rows[1].Referral;
        guillaume.OfferAnswer.ShouldBeNull();
        guillaume.Stage.ShouldBe(ReferralStage.AwaitingCandidate);

        (await SharedLabelsAsync(db, margaud.Id)).ShouldBe(["CV - cv", "Bulletin de notes - test_bulletin", "Diplome / justificatif d'obtention - test"], ignoreOrder: true);
        (await SharedLabelsAsync(db, guillaume.Id)).ShouldBe(["CV - CV_Guillaume", "Lettre de motivation - LM_Guillaume", "Autre - Lettre de recommandation"], ignoreOrder: true);

        var logins = await db.Staff.Select(s => new { s.UserName, s.LastName, s.FirstName, s.Role }).ToListAsync();
        logins.ShouldContain(s => s.UserName == "demo.ecole" && s.LastName == "MARTIN" && s.FirstName == "Benoît");
        logins.ShouldContain(s => s.UserName == "demo.admin" && s.Role == Passerelle.Schools.StaffRole.SchoolAdmin);
        var contact = await db.CompanyContacts.SingleAsync(c => c.UserName == "demo.entreprise");
        (await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contact.Id).Select(l => l.SchoolId).ToListAsync())
            .ShouldBe([DemoData.SchoolId, DemoData.SecondSchoolId], ignoreOrder: true);
        new Microsoft.AspNetCore.Identity.PasswordHasher<object>().VerifyHashedPassword(new object(), contact.PasswordHash, DemoData.Password)
            .ShouldBe(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Success);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_second_start_finds_the_demo_and_adds_nothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var first = database.NewContext())
            (await DemoData.EnsureCreatedAsync(first, Seed.Now)).ShouldBeTrue();

        await using (var second = database.NewContext())
            (await DemoData.EnsureCreatedAsync(second, Seed.Now)).ShouldBeFalse();

        await using var db = database.NewContext();
        (await db.Referrals.IgnoreQueryFilters().CountAsync()).ShouldBe(4);
        (await db.Schools.CountAsync()).ShouldBe(2);
        (await db.ReferralEvents.IgnoreQueryFilters().CountAsync()).ShouldBe(5);
        (await db.OutboxMessages.CountAsync()).ShouldBe(2, "today's offer mail and the pending push CV mail");
        (await db.PushedProfiles.IgnoreQueryFilters().CountAsync()).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_demo_sends_one_offer_mail_made_today_so_the_process_can_be_followed(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var seed = database.NewContext())
            await DemoData.EnsureCreatedAsync(seed, Seed.Now);

        await using var db = database.NewContext();
        var mail = await db.OutboxMessages.SingleAsync(m => m.ReferralId != null);
        mail.TemplateKey.ShouldBe(TemplateKeys.OfferToCandidate);
        mail.Recipient.ShouldBe(Recipient.Candidate);
        var referral = await db.ForSchool(DemoData.SchoolId).Referrals.SingleAsync(r => r.Id == mail.ReferralId);
        referral.CreatedAt.ShouldBe(Seed.Now);
        (await db.Candidates.SingleAsync(c => c.Id == referral.CandidateId)).LastName.ShouldBe("DUPONT");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_demo_school_has_the_push_cv_module_on_with_one_pending_push_to_the_demo_contact(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var seed = database.NewContext())
            await DemoData.EnsureCreatedAsync(seed, Seed.Now);

        await using var db = database.NewContext();
        (await db.Schools.SingleAsync(s => s.Id == DemoData.SchoolId)).PushCvEnabled.ShouldBeTrue();
        (await db.Schools.SingleAsync(s => s.Id == DemoData.SecondSchoolId)).PushCvEnabled.ShouldBeFalse("the module is off by default");
        db.ForSchool(DemoData.SchoolId);
        var pushed = await db.PushedProfiles.SingleAsync();
        (pushed.ContactId, pushed.State).ShouldBe((DemoData.ContactId, Passerelle.CvPushes.PushedProfileState.Pending));
        var guillaume = await db.Candidates.SingleAsync(c => c.Id == pushed.CandidateId);
        guillaume.LastName.ShouldBe("JOURDAN");
        guillaume.PushConsentAt.ShouldNotBeNull("only a candidate whose consent is recorded is pushed");
        var mail = await db.OutboxMessages.SingleAsync(m => m.CvPushId != null);
        (mail.TemplateKey, mail.Recipient).ShouldBe((TemplateKeys.PushToCompany, Recipient.CompanyContact));
    }

    private static Task<List<string>> SharedLabelsAsync(PasserelleDb db, Guid referralId) =>
        (from shared in db.ReferralDocuments
         join d in db.Documents on shared.DocumentId equals d.Id
         where shared.ReferralId == referralId
         select d).AsAsyncEnumerable().Select(d => d.Label).ToListAsync().AsTask();
}
