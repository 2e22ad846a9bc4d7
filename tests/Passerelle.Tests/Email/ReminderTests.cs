using Microsoft.Extensions.DependencyInjection;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

[Trait(Category.Name, Category.Smtp)]
public class ReminderTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_company_that_has_not_answered_is_reminded_once_before_its_links_expire(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:ReminderDaysBeforeExpiry", "2"));
        var referralId = await world.ProposeAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));
        await world.DispatchAllAsync();
        var reminders = world.App.Services.GetRequiredService<Reminders>();

        world.Clock.Now = Seed.Now.AddDays(4);
        (await reminders.QueueDueAsync(CancellationToken.None)).ShouldBe(0, "the links expire in 3 days: too early");

        world.Clock.Now = Seed.Now.AddDays(5.5);
        var queued = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => reminders.QueueDueAsync(CancellationToken.None)));
        queued.Sum().ShouldBe(1, "several instances checking at once send one reminder");
        (await reminders.QueueDueAsync(CancellationToken.None)).ShouldBe(0);
        await world.DispatchAllAsync();

        var reminder = world.Sink.Messages().Single(m => m.Subject.StartsWith("Rappel", StringComparison.Ordinal));
        reminder.Subject.ShouldBe("Rappel : TECHER Margaud attend votre réponse pour « Et laboriosam praesentium »");
        reminder.To.ShouldContain("sophie@example.org");
        reminder.Text!.ShouldContain("/accepter");
        reminder.Text!.ShouldContain("https://passerelle.test/entreprise");
        reminder.Text!.ShouldContain("fonctionnent jusqu'au 09/03/2026 à 10h30", customMessage: "the reminder's links expire with the original ones");
        var links = await world.QueryAsync(db => db.ActionLinks.Where(l => l.Step == LinkStep.Company));
        links.Count.ShouldBe(2);
        links.Select(l => l.ExpiresAt).Distinct().ShouldHaveSingleItem();

        world.Clock.Now = Seed.Now.AddDays(6.5);
        (await reminders.QueueDueAsync(CancellationToken.None)).ShouldBe(0, "at most one reminder per proposal");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_company_that_answered_is_not_reminded(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));
        await world.DispatchAllAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Refused, null, world.School.ContactActor(), now));

        world.Clock.Now = Seed.Now.AddDays(5.5);

        (await world.App.Services.GetRequiredService<Reminders>().QueueDueAsync(CancellationToken.None)).ShouldBe(0);
    }
}
