using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Api;
using Passerelle.Changes;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.PersonalData;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;
using Passerelle.Webhooks;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>The retention period (issue 16): exactly the right candidates warned then erased, once, whatever runs the job at the same time.</summary>
[Trait(Category.Name, Category.Smtp)]
public class RetentionTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_job_warns_then_erases_exactly_the_candidates_past_the_schools_period_once_even_run_twice_at_the_same_time(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var retention = world.App.Services.GetRequiredService<Retention>();
        var start = world.Clock.Now;

        // The admin sets 6 months (less is refused).
        using var admin = await world.StaffClientAsync("demo.admin");
        var (_, settings) = await Browserless.GetAsync(admin, "/ecole/parametres");
        var tooShort = await Browserless.EditAsync(admin, settings, "Enregistrer", new Dictionary<string, string> { ["RetentionMonths"] = "3" });
        tooShort.StatusCode.ShouldBe(System.Net.HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(tooShort)).Text().ShouldContain("La durée de conservation va de 6 à 120 mois.");
        await Browserless.EditAsync(admin, settings, "Enregistrer", new Dictionary<string, string> { ["RetentionMonths"] = "6" });

        // The demo's 2020 candidates are past it; Léa, referred today, is not. The other school keeps its 120 months. Those
        // past it are warned first (two runs at once warn each once), and erased 30 days later, not before.
        var (stale, fresh) = await CandidatesAsync(world);
        stale.ShouldNotBeEmpty();
        fresh.ShouldContain("DUPONT");
        var warnedFirst = await Task.WhenAll(retention.RunAsync(CancellationToken.None), retention.RunAsync(CancellationToken.None));
        (warnedFirst.Sum(r => r.Warned), warnedFirst.Sum(r => r.Erased)).ShouldBe((stale.Count, 0));
        world.Clock.Now = start.AddDays(29);
        (await retention.RunAsync(CancellationToken.None)).ShouldBe((0, 0), "not before 30 days after the warning");
        world.Clock.Now = start.AddDays(30);
        var first = await Task.WhenAll(retention.RunAsync(CancellationToken.None), retention.RunAsync(CancellationToken.None));
        first.Sum(r => r.Erased).ShouldBe(stale.Count, "two runs at once erase each candidate once");
        first.Sum(r => r.Warned).ShouldBe(0);
        var (_, left) = await CandidatesAsync(world);
        left.ShouldBe(fresh, ignoreOrder: true);
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var notes = await db.ChangeRecords.Where(r => r.SubjectKind == ChangeSubject.Candidate).ToListAsync();
            notes.Count.ShouldBe(stale.Count, "one erasure recorded per candidate");
            notes.ShouldAllBe(n => n.ActorName == "Passerelle (durée de conservation)");
            (await db.Candidates.CountAsync(c => c.ErasedAt == null && c.LastName == "JOURDAN")).ShouldBe(0);
        }
        (await retention.RunAsync(CancellationToken.None)).ShouldBe((0, 0), "nothing more to do");

        // 30 days before her date, Léa (last activity today) is warned, once.
        world.Clock.Now = start.AddMonths(5).AddDays(-1);
        (await retention.RunAsync(CancellationToken.None)).ShouldBe((0, 0), "not yet");
        world.Clock.Now = start.AddMonths(6).AddDays(-30);
        var warned = await Task.WhenAll(retention.RunAsync(CancellationToken.None), retention.RunAsync(CancellationToken.None));
        warned.Sum(r => r.Warned).ShouldBe(fresh.Count);
        warned.Sum(r => r.Erased).ShouldBe(0);
        (await retention.RunAsync(CancellationToken.None)).ShouldBe((0, 0), "warned once");
        var sent = world.Sink.Messages().Count;
        await world.App.Services.GetRequiredService<OutboxDelivery>().DispatchOnceAsync(CancellationToken.None);
        var warning = world.Sink.Messages().Skip(sent).Single(m => m.To.Contains("lea.dupont@example.org") && m.Subject.Contains("effacées"));
        warning.Subject.ShouldBe($"Passerelle School : vos données seront effacées le {ParisTime.Date(start.AddMonths(6))}");

        // At the date she is erased (her warning came 30 days before it).
        world.Clock.Now = start.AddMonths(6).AddDays(-1);
        (await retention.RunAsync(CancellationToken.None)).Erased.ShouldBe(0);
        world.Clock.Now = start.AddMonths(6).AddDays(1);
        (await retention.RunAsync(CancellationToken.None)).Erased.ShouldBe(fresh.Count);
        (await CandidatesAsync(world)).Fresh.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_candidate_active_again_after_the_jobs_list_was_made_is_not_erased(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var staff = await world.StaffClientAsync("demo.ecole");
        Guid candidateId;
        DateTimeOffset listed;
        await using (var db = world.Database.NewContext().ForSchool(DemoData.SchoolId))
        {
            var jourdan = await db.Candidates.SingleAsync(c => c.LastName == "JOURDAN");
            candidateId = jourdan.Id;
            listed = new[] { jourdan.CreatedAt }.Concat(await db.Referrals.Where(r => r.CandidateId == candidateId).Select(r => r.UpdatedAt).ToListAsync()).Max();
        }
        listed.ShouldBeLessThan(world.Clock.Now.AddMonths(-24), "a 2020 candidate of the demo, past any period");
        // The job's list saw that last activity; before it reaches the candidate, the school adds a document to their file.
        (await DocumentUploads.PostAsync(staff, candidateId, "CV.pdf", DemoPdf.Create("CV"), new Dictionary<string, string> { ["Kind"] = "Cv" }))
            .StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);

        async Task<Erased?> EraseAsync(DateTimeOffset lastActivity)
        {
            await using var scope = world.App.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(DemoData.SchoolId);
            return await scope.ServiceProvider.GetRequiredService<Erasure>()
                .EraseCandidateAsync(candidateId, Retention.Job, null, Retention.Expired, CancellationToken.None, lastActivity);
        }
        (await EraseAsync(listed)).ShouldBeNull("the document came after what the list saw");
        await using (var db = world.Database.NewContext().ForSchool(DemoData.SchoolId))
        {
            var kept = await db.Candidates.SingleAsync(c => c.Id == candidateId);
            (kept.LastName, kept.ErasedAt).ShouldBe(("JOURDAN", null));
            (await db.ChangeRecords.CountAsync(r => r.SubjectId == candidateId && r.ActorName == Retention.Job.DisplayName)).ShouldBe(0, "no erasure recorded either");
        }
        (await EraseAsync(world.Clock.Now)).ShouldNotBeNull("with what is now its last activity, the same call erases");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_daily_sweep_removes_remembered_API_answers_after_a_day_and_finished_webhook_deliveries_after_30_days(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var now = world.Clock.Now;
        await using (var db = world.Database.NewContext().ForSchool(DemoData.SchoolId))
        {
            var admin = await db.Staff.FirstAsync(s => s.Role == Passerelle.Schools.StaffRole.SchoolAdmin);
            var (key, _, _) = await ApiKeys.CreateAsync(db, "ERP", admin, now, CancellationToken.None);
            foreach (var (name, age) in new[] { ("old", TimeSpan.FromHours(25)), ("recent", TimeSpan.FromHours(23)) })
                db.IdempotentRequests.Add(new IdempotentRequest
                {
                    ApiKeyId = key!.Id, IdempotencyKey = name, SchoolId = DemoData.SchoolId, RequestHash = [1], Status = 201, Response = "{}", CreatedAt = now - age,
                });
            var endpoint = new WebhookEndpoint
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, Url = "https://erp.example.org/hooks", Secret = "x", CreatedAt = now - TimeSpan.FromDays(90), CreatedBy = "test",
            };
            db.WebhookEndpoints.Add(endpoint);
            foreach (var (type, state, age, lastTried) in new[]
                     {
                         ("sent.old", WebhookDeliveryState.Sent, 31, 31), ("failed.old", WebhookDeliveryState.Failed, 31, 31),
                         ("pending.old", WebhookDeliveryState.Pending, 31, 31), ("sent.recent", WebhookDeliveryState.Sent, 29, 29),
                         ("sent.again.yesterday", WebhookDeliveryState.Sent, 40, 1),
                     })
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, EndpointId = endpoint.Id, EventType = type, Payload = "{}", State = state,
                    CreatedAt = now - TimeSpan.FromDays(age), NextAttemptAt = now - TimeSpan.FromDays(lastTried),
                });
            await db.SaveChangesAsync();
        }

        var retention = world.App.Services.GetRequiredService<Retention>();
        (await retention.SweepIntegrationsAsync(CancellationToken.None)).ShouldBe((1, 2));
        (await retention.SweepIntegrationsAsync(CancellationToken.None)).ShouldBe((0, 0), "idempotent");
        await using (var db = world.Database.NewContext().ForSchool(DemoData.SchoolId))
        {
            (await db.IdempotentRequests.Select(r => r.IdempotencyKey).ToListAsync()).ShouldBe(["recent"]);
            (await db.WebhookDeliveries.Select(d => d.EventType).ToListAsync()).ShouldBe(["pending.old", "sent.recent", "sent.again.yesterday"], ignoreOrder: true,
                "a delivery still to make stays, whatever its age, and one sent again lately counts from then");
        }
    }

    /// <summary>The demo school's candidates not erased, split by whether their last activity is before six months ago.</summary>
    private static async Task<(List<string> Stale, List<string> Fresh)> CandidatesAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var limit = world.Clock.Now.AddMonths(-6);
        var candidates = await db.Candidates.Where(c => c.ErasedAt == null).Select(c => new { c.Id, c.LastName, c.CreatedAt }).ToListAsync();
        var referrals = await db.Referrals.Select(r => new { r.CandidateId, r.UpdatedAt }).ToListAsync();
        var documents = await db.Documents.Select(d => new { d.CandidateId, d.UploadedAt }).ToListAsync();
        var stale = new List<string>();
        var fresh = new List<string>();
        foreach (var c in candidates)
        {
            var last = new[] { c.CreatedAt }.Concat(referrals.Where(r => r.CandidateId == c.Id).Select(r => r.UpdatedAt))
                .Concat(documents.Where(d => d.CandidateId == c.Id).Select(d => d.UploadedAt)).Max();
            (last < limit ? stale : fresh).Add(c.LastName);
        }
        return (stale, fresh);
    }
}
