using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Email;
using Passerelle.Email.DevMailbox;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>Mails go through a real SMTP conversation, from the transition's transaction to the server.</summary>
[Trait(Category.Name, Category.Smtp)]
public partial class EmailDeliveryTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_step_mails_the_right_people_with_their_links_and_the_calendar_invitation(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();

        var offer = Single(world.Sink.Messages(), "margaud@example.org");
        offer.Subject.ShouldBe("École Test vous propose une offre : Et laboriosam praesentium");
        offer.From.ShouldContain("passerelle@passerelle.test");
        offer.Html!.ShouldContain("Bonjour Margaud,");
        offer.Text.ShouldNotBeNull();
        var offerToken = Token(offer.Html!, "accepter");
        offer.Text!.ShouldContain($"Accepter l'offre : https://passerelle.test/l/{offerToken}/accepter");
        offer.Text.ShouldContain($"Refuser l'offre : https://passerelle.test/l/{offerToken}/refuser");
        offer.Text.ShouldContain("fonctionnent jusqu'au 09/03/2026 à 10h30", customMessage: "7 days after 02/03/2026 09:30 UTC, in Paris time");

        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));
        await world.DispatchAllAsync();
        var messages = world.Sink.Messages();
        var proposal = Single(messages, "sophie@example.org");
        proposal.Subject.ShouldBe("Proposition de candidat : TECHER Margaud pour « Et laboriosam praesentium »");
        var companyToken = Token(proposal.Html!, "profil");
        foreach (var action in new[] { "profil", "offre", "accepter", "refuser" })
            proposal.Html!.ShouldContain($"https://passerelle.test/l/{companyToken}/{action}");
        Single(messages, "benoit@example.org").Subject.ShouldBe("TECHER Margaud a accepté l'offre « Et laboriosam praesentium »");

        var slot = new Appointment(Seed.Now.AddDays(5).AddHours(1), "12 rue des Écoles, Bordeaux", "Apportez votre CV");
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Accepted, slot, world.School.ContactActor(Channel.EmailLink), now));
        await world.DispatchAllAsync();
        var appointment = world.Sink.Messages().Where(m => m.To.Contains("margaud@example.org", StringComparison.Ordinal)).Last();
        appointment.Subject.ShouldBe("Rendez-vous proposé par Entreprise Test le 07/03/2026 à 11h30");
        appointment.Calendar.ShouldNotBeNull();
        appointment.Calendar.Method.ShouldBe("REQUEST");
        var (_, proposed) = CalendarTests.Read(appointment.Calendar.Text);
        (proposed.DtStart!.TzId, proposed.DtStart.Value, proposed.Sequence).ShouldBe(("Europe/Paris", new DateTime(2026, 3, 7, 11, 30, 0), 0));
        proposed.Uid.ShouldBe($"referral-{referralId:N}@passerelle");
        appointment.Attachments.ShouldContain(a => a.FileName == "invitation.ics");

        var later = slot with { StartsAt = slot.StartsAt.AddDays(1) };
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Accepted, later, world.School.ContactActor(), now));
        await world.DispatchAllAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerCandidate(CompanyAnswer.Refused, null, world.School.ContactActor(), now));
        await world.DispatchAllAsync();
        var toCandidate = world.Sink.Messages().Where(m => m.To.Contains("margaud@example.org", StringComparison.Ordinal)).ToList();
        var (_, moved) = CalendarTests.Read(toCandidate[^2].Calendar!.Text);
        (moved.Uid, moved.Sequence, moved.DtStart!.Value).ShouldBe((proposed.Uid, 1, new DateTime(2026, 3, 8, 11, 30, 0)));
        toCandidate[^1].Subject.ShouldBe("Rendez-vous du 08/03/2026 annulé : Et laboriosam praesentium");
        toCandidate[^1].Calendar!.Method.ShouldBe("CANCEL");
        var (_, cancelled) = CalendarTests.Read(toCandidate[^1].Calendar!.Text);
        (cancelled.Uid, cancelled.Sequence, cancelled.Status).ShouldBe((proposed.Uid, 2, Ical.Net.EventStatus.Cancelled));

        var kept = await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId));
        kept.ShouldAllBe(m => m.State == OutboxState.Sent && m.SentAt != null && m.HtmlBody != null);
        kept.ShouldAllBe(m => !m.HtmlBody!.Contains(offerToken) && !m.HtmlBody.Contains(companyToken), "the kept copy masks the personal links");
        world.Sink.Messages().Select(m => m.MessageId).ShouldBe(kept.OrderBy(m => m.SentAt).Select(m => m.MessageId), ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Links_of_a_step_that_closes_are_revoked_with_the_transition(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));
        await world.DispatchAllAsync();
        (await world.QueryAsync(db => db.ActionLinks.Where(l => l.RevokedAt == null))).Select(l => l.Step).ShouldBe([LinkStep.Offer, LinkStep.Company], ignoreOrder: true);

        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Declined, world.School.CandidateActor, now));

        var links = await world.QueryAsync(db => db.ActionLinks);
        links.Single(l => l.Step == LinkStep.Company).RevokedAt.ShouldBe(Seed.Now, "the candidate withdrew: the company's links stop working");
        links.Single(l => l.Step == LinkStep.Offer).RevokedAt.ShouldBeNull("the candidate may still change their mind");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_server_that_accepts_and_never_answers_delays_the_mail_and_never_loses_it(DatabaseProvider provider)
    {
        // A server that takes the connection and then says nothing (a stuck relay): no greeting, ever.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var held = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                held.Add(await silent.AcceptTcpClientAsync(stop.Token));
        });
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:SmtpPort", port), ("Email:SmtpTimeoutSeconds", "1"));
        await world.ProposeAsync();

        await world.DispatchAllAsync();

        var mail = (await world.QueryAsync(db => db.OutboxMessages)).ShouldHaveSingleItem();
        (mail.State, mail.Attempts, mail.LockedBy).ShouldBe((OutboxState.Pending, 1, null));
        mail.LastError.ShouldNotBeNull().ShouldContain("timed out", Case.Insensitive);
        mail.NextAttemptAt.ShouldBeGreaterThan(Seed.Now);
        held.ShouldNotBeEmpty("the dispatcher did reach the silent server");
        await stop.CancelAsync();
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var client in held)
            client.Dispose();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Mail_queued_while_the_smtp_server_is_down_is_delivered_once_it_is_back(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:RetryBaseSeconds", "60"));
        await world.Sink.StopAsync();
        var referralId = await world.ProposeAsync();
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));

        await world.DispatchAllAsync();
        var waiting = await world.QueryAsync(db => db.OutboxMessages);
        waiting.Count.ShouldBe(3);
        waiting.ShouldAllBe(m => m.State == OutboxState.Pending && m.Attempts == 1 && m.LastError != null && m.NextAttemptAt > Seed.Now);

        world.Clock.Now = Seed.Now.AddSeconds(30);
        await world.DispatchAllAsync();
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.Attempts > 1))).ShouldBeEmpty("nothing is retried before its back-off");

        await world.Sink.StartAgainAsync();
        world.Clock.Now = Seed.Now.AddMinutes(5);
        await world.DispatchAllAsync();
        await world.DispatchAllAsync();

        var delivered = await world.Sink.WaitForAsync(3);
        delivered.Count.ShouldBe(3);
        delivered.Select(m => m.MessageId).Distinct().Count().ShouldBe(3, "nothing sent twice");
        (await world.QueryAsync(db => db.OutboxMessages)).ShouldAllBe(m => m.State == OutboxState.Sent && m.Attempts == 2);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_mail_server_down_for_a_day_delays_mail_and_loses_none(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        await world.Sink.StopAsync();
        await world.ProposeAsync();
        var firstFailure = world.Clock.Now;

        // A weekend's worth of outage, hour after hour (the retries are an hour apart at most).
        for (var round = 0; round < 30; round++)
        {
            await world.DispatchAllAsync();
            world.Clock.Now = world.Clock.Now.AddHours(1);
        }
        var waiting = (await world.QueryAsync(db => db.OutboxMessages)).Single();
        waiting.State.ShouldBe(OutboxState.Pending, "an SMTP server down for 30 hours delays the mail; it does not fail it");
        waiting.Attempts.ShouldBeGreaterThan(8);
        waiting.FailingSince.ShouldBe(firstFailure);
        waiting.LastError.ShouldNotBeNullOrWhiteSpace();

        // The server back, the mail goes at its next try: within the hour (the longest delay, give or take its jitter).
        await world.Sink.StartAgainAsync();
        await TheHeldMailGoesAtItsNextTryAsync(world, TimeSpan.FromMinutes(75));
    }

    /// <summary>Once the server takes mail again: the one mail held goes at its next try, within <paramref name="delay"/>.</summary>
    private static async Task TheHeldMailGoesAtItsNextTryAsync(EmailWorld world, TimeSpan delay)
    {
        world.Clock.Now = world.Clock.Now.Add(delay);
        await world.DispatchAllAsync();
        (await world.Sink.WaitForAsync(1)).ShouldHaveSingleItem();
        (await world.QueryAsync(db => db.OutboxMessages)).Single().State.ShouldBe(OutboxState.Sent);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_relay_that_refuses_to_relay_holds_the_mail_until_it_is_set_right(DatabaseProvider provider)
    {
        // "554 5.7.1 Relay access denied" for every recipient: the relay's settings, not the mail's fault.
        await using var world = await EmailWorld.CreateAsync(provider);
        await world.Sink.StopAsync();
        world.Sink.DenyRelay = true;
        await world.Sink.StartAgainAsync();
        await world.ProposeAsync();
        await world.DispatchAllAsync();
        var held = (await world.QueryAsync(db => db.OutboxMessages)).Single();
        held.State.ShouldBe(OutboxState.Pending, "retried, not failed with every other mail");
        held.LastError.ShouldNotBeNull().ShouldContain("5.7.1");

        await world.Sink.StopAsync();
        world.Sink.DenyRelay = false;
        await world.Sink.StartAgainAsync();
        await TheHeldMailGoesAtItsNextTryAsync(world, TimeSpan.FromMinutes(2));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_mail_that_keeps_failing_for_the_retry_period_ends_failed_with_its_last_error(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:RetryHours", "1"), ("Email:RetryBaseSeconds", "1"));
        await world.Sink.StopAsync();
        await world.ProposeAsync();

        for (var round = 0; round < 6; round++)
        {
            await world.DispatchAllAsync();
            world.Clock.Now = world.Clock.Now.AddMinutes(10);
        }
        (await world.QueryAsync(db => db.OutboxMessages)).Single().State.ShouldBe(OutboxState.Pending, "50 minutes of the hour");

        world.Clock.Now = world.Clock.Now.AddMinutes(10);
        await world.DispatchAllAsync();
        var failed = (await world.QueryAsync(db => db.OutboxMessages)).Single();
        failed.State.ShouldBe(OutboxState.Failed, "an hour after its first failure");
        failed.Attempts.ShouldBe(7);
        failed.LastError.ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_malformed_address_fails_that_mail_at_once_and_delays_no_other(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        await using (var db = world.Database.NewContext())
        {
            var candidate = await db.ForSchool(world.School.School.Id).Candidates.SingleAsync();
            candidate.Email = "margaud techer@example";
            await db.SaveChangesAsync();
        }
        var referralId = await world.ProposeAsync();
        // The candidate's answer queues mail to the company contact and to the staff member, due with the candidate's.
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Accepted, world.School.CandidateActor, now));

        (await world.DispatchOnceAsync()).ShouldBe(3, "one round takes the three mails");
        await world.DispatchAllAsync();

        var mails = await world.QueryAsync(db => db.OutboxMessages);
        mails.Where(m => m.Recipient == Recipient.Candidate).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            m => m.State.ShouldBe(OutboxState.Failed), m => m.Attempts.ShouldBe(1), m => m.LastError.ShouldNotBeNullOrWhiteSpace());
        mails.Where(m => m.Recipient != Recipient.Candidate).Select(m => (m.State, m.Attempts))
            .ShouldBe([(OutboxState.Sent, 1), (OutboxState.Sent, 1)], "the other mails went out in the same round, at their first attempt");
        var received = world.Sink.Messages();
        received.Count.ShouldBe(2);
        Single(received, "sophie@example.org").Subject.ShouldBe("Proposition de candidat : TECHER Margaud pour « Et laboriosam praesentium »");
        Single(received, "benoit@example.org").Subject.ShouldBe("TECHER Margaud a accepté l'offre « Et laboriosam praesentium »");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_dispatcher_killed_between_sending_and_marking_causes_at_most_one_duplicate(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        await world.ProposeAsync();
        var realTransport = world.App.Services.GetRequiredService<IMailTransport>();
        using var processStops = new CancellationTokenSource();
        var doomed = ActivatorUtilities.CreateInstance<OutboxDelivery>(world.App.Services, new DiesAfterSending(realTransport, processStops));

        await Should.ThrowAsync<OperationCanceledException>(() => doomed.DispatchOnceAsync(processStops.Token));
        (await world.Sink.WaitForAsync(1)).Count.ShouldBe(1);

        await world.DispatchAllAsync();
        world.Sink.Messages().Count.ShouldBe(1, "the dead instance's claim holds until its lease ends");

        world.Clock.Now = Seed.Now.AddMinutes(3);
        await world.DispatchAllAsync();

        var received = await world.Sink.WaitForAsync(2);
        received.Count.ShouldBe(2);
        received.Select(m => m.MessageId).Distinct().Count().ShouldBe(1, "the duplicate has the same Message-ID");
        (await world.QueryAsync(db => db.OutboxMessages)).Single().State.ShouldBe(OutboxState.Sent);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_mail_claimed_before_its_candidate_is_erased_goes_out_without_what_the_erasure_removed(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:Parallelism", "1"));
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        // First in the queue, a mail the test holds at the SMTP server; behind it, in the same round, the school's notice
        // carrying the candidate's comment.
        await QueueStaffMailsAsync(world, referralId, 1);
        world.Clock.Now = Seed.Now.AddMinutes(1);
        await world.ActAsync(referralId, (r, now) => r.AnswerOffer(OfferAnswer.Declined, Actor.Candidate(world.School.Candidate.Id, "TECHER Margaud"), now,
            "Je préfère rester à Quimperlé"));
        world.Clock.Now = Seed.Now.AddMinutes(2);
        var transport = new HoldsTheFirstMail(world.App.Services.GetRequiredService<IMailTransport>());
        var delivery = ActivatorUtilities.CreateInstance<OutboxDelivery>(world.App.Services, transport);

        var round = delivery.DispatchOnceAsync(CancellationToken.None);
        await transport.FirstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.State == OutboxState.Pending && m.LockedBy == delivery.InstanceId))).Count
            .ShouldBe(2, "both mails are in the round");
        (await world.EraseCandidateAsync()).ShouldNotBeNull();
        transport.Release.SetResult();
        await round;
        await world.DispatchAllAsync(delivery);

        var notices = world.Sink.Messages().Where(m => m.Subject.Contains("a refusé l'offre", StringComparison.Ordinal)).ToList();
        notices.ShouldHaveSingleItem("the notice goes once, composed after the erasure");
        (notices[0].Subject + notices[0].Text + notices[0].Html).ShouldNotContain("Quimperlé");
        (notices[0].Subject + notices[0].Text + notices[0].Html).ShouldNotContain("Margaud", Case.Insensitive);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_mail_to_the_candidate_at_the_smtp_server_while_they_are_erased_is_not_written_back_with_their_name(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:Parallelism", "1"));
        // The offer mail to the candidate is composed and at the SMTP server when an admin erases the candidate.
        var (transport, round) = await OfferMailHeldAtTheServerAsync(world);
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.State == OutboxState.Pending)))
            .ShouldHaveSingleItem().Recipient.ShouldBe(Recipient.Candidate, "the mail held is the candidate's");
        (await world.EraseCandidateAsync()).ShouldNotBeNull();
        transport.Release.SetResult();
        await round;

        // It went out (it was at the server), but the dispatcher lost its claim: the copy stays as the erasure left it.
        await OfferMailAsTheErasureLeftItAsync(world);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_mail_marked_sent_while_the_erasure_reads_its_recipients_mails_does_not_keep_its_body(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:Parallelism", "1"));
        var (transport, round) = await OfferMailHeldAtTheServerAsync(world);

        // The erasure has read the candidate's mails when the SMTP server accepts the offer mail and the dispatcher marks it sent.
        var racing = new RaceStep(sql => sql.Contains("FROM outbox_messages", StringComparison.Ordinal) || sql.Contains("FROM \"outbox_messages\"", StringComparison.Ordinal),
            async () =>
            {
                transport.Release.SetResult();
                await Task.WhenAny(round, Task.Delay(TimeSpan.FromSeconds(2))); // marked, or waiting for the erasure
            }, after: true);
        (await world.EraseCandidateAsync(racing)).ShouldNotBeNull();
        racing.Ran.ShouldBeTrue();
        await round.WaitAsync(TimeSpan.FromSeconds(60));

        // The mark waited for the erasure and found its claim gone: the copy keeps no body, no address.
        await OfferMailAsTheErasureLeftItAsync(world);
    }

    /// <summary>A referral proposed, and a round of the dispatcher holding its offer mail (to the candidate) at the SMTP server.</summary>
    private static async Task<(HoldsTheFirstMail Transport, Task<int> Round)> OfferMailHeldAtTheServerAsync(EmailWorld world)
    {
        await world.ProposeAsync();
        var transport = new HoldsTheFirstMail(world.App.Services.GetRequiredService<IMailTransport>());
        var round = ActivatorUtilities.CreateInstance<OutboxDelivery>(world.App.Services, transport).DispatchOnceAsync(CancellationToken.None);
        await transport.FirstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (transport, round);
    }

    /// <summary>The offer mail to the erased candidate: skipped, with no body, address or name, whatever its round did.</summary>
    private static async Task OfferMailAsTheErasureLeftItAsync(EmailWorld world)
    {
        var mail = (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.TemplateKey == TemplateKeys.OfferToCandidate))).Single();
        (mail.State, mail.HtmlBody, mail.TextBody, mail.ToAddress, mail.ToName, mail.LastError)
            .ShouldBe((OutboxState.Skipped, (string?)null, (string?)null, (string?)null, (string?)null, MailComposer.RecipientErased));
        (mail.Subject ?? "").ShouldNotContain("Margaud", Case.Insensitive);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Mails_of_two_schools_composed_in_one_group_each_say_their_own_school_and_carry_their_own_links(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var other = await Seed.SchoolAsync(world.Database, "École Voisine");
        var ours = await world.ProposeAsync();
        var theirs = await Seed.ReferralAsync(world.Database, other);

        (await world.DispatchOnceAsync()).ShouldBe(2, "both offer mails in one round");

        var received = await world.Sink.WaitForAsync(2);
        received.Count(m => m.From.Contains($"{other.School.Name} via", StringComparison.Ordinal)).ShouldBe(1, "each school's name in its own mail");
        received.Count(m => m.From.Contains($"{world.School.School.Name} via", StringComparison.Ordinal)).ShouldBe(1);
        await using var db = world.Database.NewContext();
        var links = await db.ActionLinks.IgnoreQueryFilters().Where(l => l.ReferralId == ours || l.ReferralId == theirs).ToListAsync();
        links.Count.ShouldBe(2);
        links.Single(l => l.ReferralId == ours).SchoolId.ShouldBe(world.School.School.Id);
        links.Single(l => l.ReferralId == theirs).SchoolId.ShouldBe(other.School.Id);
        links.Single(l => l.ReferralId == theirs).RecipientId.ShouldBe(other.Candidate.Id);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_dispatchers_deliver_a_thousand_queued_mails_exactly_once_each(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:BatchSize", "25"));
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        await QueueStaffMailsAsync(world, referralId, 1000);

        var first = ActivatorUtilities.CreateInstance<OutboxDelivery>(world.App.Services);
        var second = ActivatorUtilities.CreateInstance<OutboxDelivery>(world.App.Services);
        await Task.WhenAll(Task.Run(() => world.DispatchAllAsync(first)), Task.Run(() => world.DispatchAllAsync(second)));

        var received = (await world.Sink.WaitForAsync(1001)).Where(m => m.To.Contains("benoit@example.org", StringComparison.Ordinal)).ToList();
        received.Count.ShouldBe(1000);
        received.Select(m => m.MessageId).Distinct().Count().ShouldBe(1000);
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.State != OutboxState.Sent))).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_full_queue_s_next_batch_is_claimed_and_sent_while_the_last_mails_of_the_one_before_are_still_going(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:Parallelism", "6"), ("Email:BatchSize", "3"));
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        var transport = new HoldsMailsInGroups(world.App.Services.GetRequiredService<IMailTransport>());
        var delivery = ActivatorUtilities.CreateInstance<OutboxDelivery>(world.App.Services, transport);
        await QueueStaffMailsAsync(world, referralId, 6);

        transport.HoldUntil(6);
        (await delivery.DispatchWhileFullAsync(CancellationToken.None)).ShouldBe(6);

        transport.Most.ShouldBe(6, "the three mails of the first batch are still going when the three of the second leave");
        (await world.Sink.WaitForAsync(7)).Count(m => m.To.Contains("benoit@example.org", StringComparison.Ordinal)).ShouldBe(6);
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.State != OutboxState.Sent))).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_dispatcher_sends_fewer_mails_at_once_while_web_requests_are_served_and_loses_none(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:Parallelism", "6"), ("Email:ParallelismUnderLoad", "2"));
        var referralId = await world.ProposeAsync();
        await world.DispatchAllAsync();
        var transport = new HoldsMailsInGroups(world.App.Services.GetRequiredService<IMailTransport>());
        var delivery = ActivatorUtilities.CreateInstance<OutboxDelivery>(world.App.Services, transport);
        var requests = world.App.Services.GetRequiredService<RequestsInFlight>();

        // A page is being served (its request waits until the dispatcher is done).
        await QueueStaffMailsAsync(world, referralId, 12);
        var pageDone = new TaskCompletionSource();
        var page = requests.TrackAsync(new DefaultHttpContext(), _ => pageDone.Task);
        transport.HoldUntil(2);
        await world.DispatchAllAsync(delivery);
        transport.Most.ShouldBe(2, "two mails at once while a page is served, never more");
        pageDone.SetResult();
        await page;

        // Nobody waiting: full speed.
        await QueueStaffMailsAsync(world, referralId, 12);
        transport.HoldUntil(6);
        await world.DispatchAllAsync(delivery);
        transport.Most.ShouldBe(6, "six mails at once (Email:Parallelism) when nobody waits");

        (await world.Sink.WaitForAsync(25)).Count(m => m.To.Contains("benoit@example.org", StringComparison.Ordinal)).ShouldBe(24);
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.State != OutboxState.Sent))).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_school_template_is_used_when_enabled(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(world.School.School.Id);
            db.EmailTemplates.Add(new EmailTemplate
            {
                SchoolId = world.School.School.Id, Key = TemplateKeys.OfferToCandidate, Enabled = true, UpdatedAt = Seed.Now,
                Subject = "{{candidat.prenom}}, une offre pour vous", Body = "<p>Offre : {{offre.titre}}</p><p>{{bouton liens.accepterOffre \"Oui\"}}</p>",
            });
            await db.SaveChangesAsync();
        }

        await world.ProposeAsync();
        await world.DispatchAllAsync();

        (await world.QueryAsync(db => db.OutboxMessages.Select(m => m.LastError))).ShouldAllBe(e => e == null);
        var mail = world.Sink.Messages().Single();
        mail.Subject.ShouldBe("Margaud, une offre pour vous");
        mail.Html!.ShouldContain("Offre : Et laboriosam praesentium");
        mail.Text!.ShouldContain("fonctionnent jusqu'au");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_background_dispatcher_sends_a_committed_mail_without_waiting_for_a_poll(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider, ("Email:DispatcherEnabled", "true"), ("Email:PollSeconds", "600"));

        await world.ProposeAsync();

        (await world.Sink.WaitForAsync(1, TimeSpan.FromSeconds(20))).Count.ShouldBe(1, "the transition wakes the dispatcher; the poll is ten minutes away");
    }

    private static SentMail Single(IEnumerable<SentMail> messages, string to) =>
        messages.Single(m => m.To.Contains(to, StringComparison.Ordinal));

    private static string Token(string html, string action)
    {
        var match = TokenPattern().Match(html.Replace($"/{action}\"", "\"", StringComparison.Ordinal));
        match.Success.ShouldBeTrue();
        return match.Groups[1].Value;
    }

    [GeneratedRegex("https://passerelle\\.test/l/([A-Za-z0-9_-]{43})\"")]
    private static partial Regex TokenPattern();

    /// <summary>Queues <paramref name="count"/> notifications to the referring staff member (benoit@example.org).</summary>
    internal static async Task QueueStaffMailsAsync(EmailWorld world, Guid referralId, int count)
    {
        await using var db = world.Database.NewContext();
        db.ForSystem();
        for (var i = 0; i < count; i++)
        {
            var message = Outbox.New(world.School.School.Id, TemplateKeys.SchoolCandidateAcceptedOffer, Recipient.ReferringStaff, Seed.Now);
            message.ReferralId = referralId;
            db.OutboxMessages.Add(message);
        }
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Holds each mail until a group of <c>size</c> mails is being sent at once, then lets the group go (sent for real),
    /// and records the most mails it had at once. The peak is reached because the test's gate waits for it, not by
    /// luck of timing; a dispatcher that never sends that many at once leaves its mails held, and they fail after
    /// 30 seconds (then Most tells how many it had).
    /// </summary>
    private sealed class HoldsMailsInGroups(IMailTransport real) : IMailTransport
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _group = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _size = 1;
        private int _arrived;
        private int _inside;

        public int Most { get; private set; }

        /// <summary>From now on, mails go in groups of <paramref name="size"/>; the count of the peak starts again.</summary>
        public void HoldUntil(int size)
        {
            lock (_lock)
                (_size, _arrived, Most) = (size, 0, 0);
        }

        public async Task SendAsync(ComposedMail mail, CancellationToken ct)
        {
            Task gate;
            lock (_lock)
            {
                Most = Math.Max(Most, ++_inside);
                gate = _group.Task;
                if (++_arrived % _size == 0)
                {
                    _group.SetResult();
                    _group = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            try
            {
                await gate.WaitAsync(TimeSpan.FromSeconds(30), ct);
                await real.SendAsync(mail, ct);
            }
            finally
            {
                lock (_lock)
                    _inside--;
            }
        }
    }

    /// <summary>Holds the first mail until the test releases it; the others go at once.</summary>
    internal sealed class HoldsTheFirstMail(IMailTransport real) : IMailTransport
    {
        private int _count;

        public TaskCompletionSource FirstArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task SendAsync(ComposedMail mail, CancellationToken ct)
        {
            if (Interlocked.Increment(ref _count) == 1)
            {
                FirstArrived.SetResult();
                await Release.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            await real.SendAsync(mail, ct);
        }
    }

    /// <summary>Sends for real, then the process stops before it can mark the mail sent.</summary>
    private sealed class DiesAfterSending(IMailTransport real, CancellationTokenSource processStops) : IMailTransport
    {
        public async Task SendAsync(ComposedMail mail, CancellationToken ct)
        {
            await real.SendAsync(mail, ct);
            await processStops.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
    }
}
