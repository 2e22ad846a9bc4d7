using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Referrals;

/// <summary>Concurrent answers on one referral: exactly one wins, the others are told it changed meanwhile.</summary>
public class ConcurrencyTests
{
    private const int Contenders = 24;

    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Conflicting_company_answers_at_once_give_one_winner_and_a_clean_timeline(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var referralId = await Seed.ReferralAsync(database, school);
        await ApplyAsync(database, school, referralId, (r, now) =>
            r.AnswerOffer(OfferAnswer.Accepted, school.StaffActor(Party.Candidate), now));
        var versionBefore = await VersionAsync(database, school, referralId);

        // Everyone reads the same version, then all write at once: accepts with different slots, refusals,
        // staff acting for the company, and the school cancelling.
        using var allRead = new Barrier(Contenders);
        // The barrier blocks one pool thread per contender after its async read: make sure there are enough.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Contenders * 2), io);
        var attempts = Enumerable.Range(0, Contenders).Select(i => Task.Factory.StartNew(() => ApplyAsync(database, school, referralId, (r, now) =>
        {
            allRead.SignalAndWait(TimeSpan.FromSeconds(30)).ShouldBeTrue();
            return (i % 4) switch
            {
                0 => r.AnswerCandidate(CompanyAnswer.Accepted, new Appointment(now.AddDays(1 + i), "Bordeaux", null), school.ContactActor(), now),
                1 => r.AnswerCandidate(CompanyAnswer.Refused, null, school.ContactActor(Channel.EmailLink), now),
                2 => r.AnswerCandidate(CompanyAnswer.Accepted, new Appointment(now.AddDays(2 + i), null, null), school.StaffActor(Party.Company), now),
                _ => r.Cancel($"Annulation {i}", school.StaffActor(), now),
            };
        }).GetAwaiter().GetResult(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var results = await Task.WhenAll(attempts);

        var winners = results.Where(r => r.Succeeded).ToList();
        winners.Count.ShouldBe(1);
        results.Where(r => !r.Succeeded).ShouldAllBe(r => r.Refusal!.Code == RefusalCode.ChangedMeanwhile);

        await using var db = database.NewContext();
        db.ForSchool(school.School.Id);
        var referral = await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referralId);
        var timeline = await db.ReferralEvents.AsNoTracking().Where(e => e.ReferralId == referralId).OrderBy(e => e.Sequence).ToListAsync();
        referral.Version.ShouldBe(versionBefore + 1);
        timeline.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, referral.Version), "no lost and no duplicate entry");
        var winner = winners[0].Event!;
        timeline[^1].Id.ShouldBe(winner.Id);
        referral.Stage.ShouldBe(winner.Kind switch
        {
            ReferralEventKind.CandidateAccepted => ReferralStage.AwaitingAppointmentAnswer,
            ReferralEventKind.CandidateRefused => ReferralStage.CompanyRefused,
            _ => ReferralStage.Cancelled,
        });
        if (winner.Kind == ReferralEventKind.CandidateAccepted)
            referral.AppointmentStartsAt.ShouldBe(winner.AppointmentStartsAt);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_loser_sees_the_winner_s_state_and_can_act_on_it(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        var referralId = await Seed.ReferralAsync(database, school);

        // Two tabs: the second reads, then the first one's acceptance lands before the second one writes.
        var late = await ApplyAsync(database, school, referralId, (staleRead, now) =>
        {
            ApplyAsync(database, school, referralId, (fresh, at) => fresh.AnswerOffer(OfferAnswer.Accepted, school.CandidateActor, at))
                .GetAwaiter().GetResult().Succeeded.ShouldBeTrue();
            return staleRead.AnswerOffer(OfferAnswer.Declined, school.CandidateActor, now);
        });

        late.Refusal!.Code.ShouldBe(RefusalCode.ChangedMeanwhile);
        late.Refusal.Message.ShouldContain("modifiée par quelqu'un d'autre");
        await using (var db = database.NewContext())
        {
            var current = await db.ForSchool(school.School.Id).Referrals.SingleAsync(r => r.Id == referralId);
            current.OfferAnswer.ShouldBe(OfferAnswer.Accepted);
            current.Version.ShouldBe(2);
        }

        // Reloaded, the candidate can still change their mind: the company has not answered.
        var retry = await ApplyAsync(database, school, referralId, (r, now) => r.AnswerOffer(OfferAnswer.Declined, school.CandidateActor, now));
        retry.Succeeded.ShouldBeTrue();
        retry.Event!.PreviousAnswer.ShouldBe(ReferralEventKind.OfferAccepted);
    }

    private static async Task<TransitionResult> ApplyAsync(
        TestDatabase database, SchoolFixture school, Guid referralId, Func<Referral, DateTimeOffset, TransitionResult> transition)
    {
        await using var db = database.NewContext();
        db.ForSchool(school.School.Id);
        return await Seed.Actions(db).ApplyAsync(referralId, transition);
    }

    private static async Task<int> VersionAsync(TestDatabase database, SchoolFixture school, Guid referralId)
    {
        await using var db = database.NewContext();
        db.ForSchool(school.School.Id);
        return await db.Referrals.Where(r => r.Id == referralId).Select(r => r.Version).SingleAsync();
    }
}
