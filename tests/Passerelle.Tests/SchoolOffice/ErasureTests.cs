using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.PersonalData;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>"Effacer le candidat" (issue 16): checked, not assumed — nothing of the person is left anywhere Passerelle keeps data.</summary>
[Trait(Category.Name, Category.Smtp)]
public class ErasureTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;
    public static TheoryData<DatabaseProvider> PostgreSQLOnly => TestDatabase.PostgreSQLOnly;

    private const string LastName = "Quartzbleu";
    private const string FirstName = "Zéphyrine";
    private const string Email = "zephyrine.quartzbleu@example.org";
    private const string Phone = "06 98 76 54 32";
    private const string Misspelled = "Quarzbleu"; // as first typed, then corrected: a former value is theirs too
    private const string OfferId = "0193c2a0-0000-7000-8000-000000000301";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Erasure_leaves_nothing_of_the_candidate_in_the_database_the_documents_or_the_logs_and_the_statistics_keep_the_referral(DatabaseProvider provider)
    {
        var logs = new CapturedLogs();
        await using var world = await PortalWorld.CreateAsync(provider, logs);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        using var staff = await world.StaffClientAsync("demo.ecole");

        // A candidate with distinctive details, a document naming them, a referral with its mails, an answer and a comment.
        var (_, list) = await Browserless.GetAsync(staff, "/ecole/candidats");
        await Browserless.SubmitAsync(staff, list, "Ajouter le candidat", new Dictionary<string, string>
        {
            ["Form.LastName"] = Misspelled, ["Form.FirstName"] = FirstName, ["Form.Email"] = Email, ["Form.Phone"] = Phone,
        });
        Guid candidateId;
        await using (var db = world.Database.NewContext())
            candidateId = await db.Candidates.IgnoreQueryFilters().Where(c => c.Email == Email).Select(c => c.Id).SingleAsync();
        var (_, detail) = await Browserless.GetAsync(staff, $"/ecole/candidats/{candidateId}");
        await Browserless.EditAsync(staff, detail, "Enregistrer", new Dictionary<string, string> { ["Form.LastName"] = LastName });
        (await Browserless.GetAsync(staff, $"/ecole/candidats/{candidateId}")).Page.Text().ShouldContain($"Nom : « {Misspelled} » → « {LastName} »");
        (await DocumentUploads.PostAsync(staff, candidateId, $"CV {FirstName} {LastName}.pdf", DemoPdf.Create($"CV de {FirstName} {LastName.ToUpperInvariant()}"),
            new Dictionary<string, string> { ["Kind"] = "Cv" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (_, newReferral) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/nouvelle?offre={OfferId}");
        var documentId = newReferral.QuerySelectorAll("input[name=Documents]").Select(i => i.GetAttribute("value")!).Single(v => v.StartsWith(candidateId.ToString()));
        await Browserless.SubmitAsync(staff, newReferral, "Créer les mises en relation", new Dictionary<string, string>
        {
            ["ContactId"] = DemoData.ContactId.ToString(), ["CandidateIds"] = candidateId.ToString(), ["Documents"] = documentId,
        });
        Guid referralId;
        await using (var db = world.Database.NewContext())
            referralId = await db.Referrals.IgnoreQueryFilters().Where(r => r.CandidateId == candidateId).Select(r => r.Id).SingleAsync();
        var (_, referralPage) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{referralId}");
        await Browserless.SubmitAsync(staff, referralPage, "Le candidat accepte l'offre");
        await delivery.DispatchOnceAsync(CancellationToken.None);
        // A mail to them outside any referral (the retention warning) failed for good, and the school's platform was told, with
        // the SMTP server's reply quoting their address — as the dispatcher writes them.
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var warning = new OutboxMessage
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, TemplateKey = TemplateKeys.CandidateRetentionWarning, Recipient = Recipient.Candidate,
                ToAddress = Email, ToName = $"{LastName} {FirstName}", ToPersonId = candidateId, Subject = "Vos données", State = OutboxState.Failed,
                Attempts = 3, LastError = $"550 5.1.1 <{Email}>: Recipient address rejected", CreatedAt = world.Clock.Now, NextAttemptAt = world.Clock.Now,
            };
            var endpoint = new Passerelle.Webhooks.WebhookEndpoint
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, Url = "https://erp.example.org/passerelle", Secret = "protected", CreatedAt = world.Clock.Now,
                CreatedBy = "DURAND Claire",
            };
            var failure = Passerelle.Webhooks.WebhookEvents.Payload(warning, warning.LastError, world.Clock.Now);
            db.AddRange(warning, endpoint, new Passerelle.Webhooks.WebhookDelivery
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, EndpointId = endpoint.Id, EventType = Passerelle.Webhooks.WebhookEvents.MailFailed,
                Payload = System.Text.Json.JsonSerializer.Serialize(failure, Passerelle.Api.ApiJson.Options), CreatedAt = world.Clock.Now,
                State = Passerelle.Webhooks.WebhookDeliveryState.Sent, NextAttemptAt = world.Clock.Now,
            });
            await db.SaveChangesAsync();
        }
        (await DatabaseDump.TextAsync(world)).ShouldContain(LastName, Case.Insensitive, "the dump sees the candidate before the erasure");
        var sentBefore = world.Sink.Messages().Count;

        // Only an admin erases, after confirming.
        using var admin = await world.StaffClientAsync("demo.admin");
        var (_, page) = await Browserless.GetAsync(admin, $"/ecole/candidats/{candidateId}");
        page.Text().ShouldContain("1 mise(s) en relation en cours seront annulées");
        var unconfirmed = await Browserless.SubmitAsync(admin, page, "Effacer le candidat");
        unconfirmed.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.GetAsync(staff, $"/ecole/candidats/{candidateId}")).Page.Text().ShouldNotContain("Effacer le candidat", Case.Sensitive, "admins only");
        var done = await Browserless.ReadAsync(await Browserless.SubmitAsync(admin, page, "Effacer le candidat", new Dictionary<string, string> { ["confirm"] = "true" }));
        done.Text().ShouldContain("Le candidat est effacé : 1 document(s) supprimé(s), 1 mise(s) en relation en cours annulée(s)");
        done.Text().ShouldContain("Candidat effacé le");
        // Their history says a field was corrected, and when, no longer from what to what.
        done.Text().ShouldContain($"Nom : {Changes.ChangeHistory.ValuesErasedText}");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        // The company is told, without the name.
        var after = world.Sink.Messages().Skip(sentBefore).ToList();
        var toCompany = after.ShouldHaveSingleItem();
        toCompany.To.ShouldContain("sophie.lefebvre@laboriosam.example");
        (toCompany.Subject + toCompany.Text + toCompany.Html).ShouldNotContain(LastName, Case.Insensitive);

        // Nothing left: the whole database, the documents, the logs.
        var dump = await DatabaseDump.TextAsync(world);
        // (as written, and as JSON escapes the accent in a stored payload or mail data)
        foreach (var trace in new[] { LastName, FirstName, Email, Phone, "98 76 54 32", System.Text.Json.JsonEncodedText.Encode(FirstName).ToString(), Misspelled })
        {
            dump.ShouldNotContain(trace, Case.Insensitive, $"the database still holds '{trace}'");
            logs.Messages.ShouldNotContain(m => m.Contains(trace, StringComparison.OrdinalIgnoreCase), $"a log line holds '{trace}'");
            foreach (var file in Directory.EnumerateFiles(world.DocumentsFolder, "*", SearchOption.AllDirectories))
                Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)).ShouldNotContain(trace.ToUpperInvariant(), Case.Insensitive, file);
        }
        logs.Messages.ShouldContain(m => m.Contains($"Erased candidate {candidateId}"));
        // On SQLite, not even in the file's bytes: the freed space is zeroed (secure_delete), the write-ahead log checkpointed.
        if (world.Database.SqliteFile is { } sqliteFile)
        {
            foreach (var part in new[] { sqliteFile, sqliteFile + "-wal" }.Where(File.Exists))
            {
                await using var stream = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var bytes = new MemoryStream();
                await stream.CopyToAsync(bytes);
                var raw = Encoding.Latin1.GetString(bytes.ToArray());
                foreach (var trace in new[] { LastName, Email, "98 76 54 32", Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(FirstName)) })
                    raw.ShouldNotContain(trace, Case.Insensitive, $"{Path.GetFileName(part)} still holds '{trace}' in its bytes");
            }
        }

        // The statistics keep counting it: the referral is there, cancelled, anonymous.
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var referral = await db.Referrals.SingleAsync(r => r.Id == referralId);
            referral.Stage.ShouldBe(ReferralStage.Cancelled);
            (await db.ReferralEvents.CountAsync(e => e.ReferralId == referralId)).ShouldBe(3, "proposed, offer accepted, cancelled");
        }
        (await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{referralId}")).Page.Text().ShouldContain(Erasure.ErasedName);
        // Erased once: a second try changes nothing, another school cannot.
        var twice = await Browserless.SubmitAsync(admin, page, "Effacer le candidat", new Dictionary<string, string> { ["confirm"] = "true" });
        twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_edit_read_before_an_erasure_and_saved_after_it_does_not_bring_the_name_back(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        // The page (or the API, or an import) has read Léa to change her phone number…
        await using var editor = world.Database.NewContext().ForSchool(DemoData.SchoolId);
        var lea = await editor.Candidates.SingleAsync(c => c.Email == "lea.dupont@example.org");
        // …an admin erases her meanwhile…
        await using (var scope = world.App.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(DemoData.SchoolId);
            (await scope.ServiceProvider.GetRequiredService<Erasure>().EraseCandidateAsync(lea.Id, Actor.Staff(Guid.Empty, "test"), null, CancellationToken.None))
                .ShouldNotBeNull();
        }
        // …and the edit's save, which would write her name back with the phone, changes nothing.
        lea.Phone = "06 11 22 33 44";
        await Should.ThrowAsync<DbUpdateConcurrencyException>(() => editor.SaveChangesAsync());
        await using var db = world.Database.NewContext().ForSchool(DemoData.SchoolId);
        var row = await db.Candidates.SingleAsync(c => c.Id == lea.Id);
        (row.LastName, row.FirstName, row.Email, row.Phone).ShouldBe(("", Erasure.ErasedName, "", null));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_candidates_answer_saved_while_they_are_erased_changes_nothing_and_leaves_no_trace_of_them(DatabaseProvider provider)
    {
        await using var world = await Passerelle.Tests.Email.EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        var candidate = world.School.Candidate;

        // The erasure has claimed the candidate and read what it scrubs; their answer from the mail link is saved at that moment.
        Task<TransitionResult>? answering = null;
        var racing = new RaceStep(RaceStep.Inserting("change_records"), async () =>
        {
            answering = Task.Run(async () =>
            {
                await using var scope = world.App.Services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(world.School.School.Id);
                return await scope.ServiceProvider.GetRequiredService<ReferralActions>().ApplyAsync(referralId, (r, now) =>
                    r.AnswerOffer(OfferAnswer.Declined, Actor.Candidate(candidate.Id, "TECHER Margaud"), now, "Margaud reste à Quimperlé"));
            });
            await Task.WhenAny(answering, Task.Delay(TimeSpan.FromSeconds(2))); // done, or waiting for the erasure
        });
        await using (var scope = world.App.Services.CreateAsyncScope())
        await using (var db = world.Database.NewContext(racing).ForSchool(world.School.School.Id))
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(world.School.School.Id);
            var erasure = ActivatorUtilities.CreateInstance<Erasure>(scope.ServiceProvider, db);
            (await erasure.EraseCandidateAsync(candidate.Id, Actor.Staff(Guid.Empty, "test"), null, CancellationToken.None)).ShouldNotBeNull();
        }
        racing.Ran.ShouldBeTrue();

        // The answer waited for the erasure, then found the candidate erased: nothing of it was written.
        (await answering!.WaitAsync(TimeSpan.FromSeconds(60))).Refusal.ShouldNotBeNull("the answer is refused").Code.ShouldBe(RefusalCode.ChangedMeanwhile);
        var events = await world.QueryAsync(db => db.ReferralEvents.Where(e => e.ReferralId == referralId));
        events.ShouldNotContain(e => e.ActorKind == ActorKind.Candidate);
        events.ShouldAllBe(e => !(e.ActorName + e.Comment + e.Reason).Contains("Margaud"));
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId)))
            .ShouldAllBe(m => !(m.Data + m.Subject + m.TextBody + m.ToName).Contains("Margaud"));
        (await world.QueryAsync(db => db.Referrals.Where(r => r.Id == referralId))).Single().Stage.ShouldBe(ReferralStage.Cancelled);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_phone_number_saved_just_before_the_erasure_claims_the_candidate_is_erased_too(DatabaseProvider provider)
    {
        await using var world = await Passerelle.Tests.Email.EmailWorld.CreateAsync(provider);
        var candidateId = world.School.Candidate.Id;

        // The erasure has read the candidate; a colleague's edit adding a phone number is saved before the erasure claims them.
        Task? editing = null;
        var racing = new RaceStep(RaceStep.Updating("candidates"), async () =>
        {
            editing = Task.Run(async () =>
            {
                await using var db = world.Database.NewContext().ForSchool(world.School.School.Id);
                (await db.Candidates.SingleAsync(c => c.Id == candidateId)).Phone = "06 55 44 33 22";
                try
                {
                    await db.SaveChangesAsync();
                }
                catch (DbUpdateConcurrencyException)
                {
                    // SQLite: the erasure holds the write lock already; the edit waits, then finds the candidate erased.
                }
            });
            await Task.WhenAny(editing, Task.Delay(TimeSpan.FromSeconds(2)));
        });
        (await world.EraseCandidateAsync(racing)).ShouldNotBeNull();
        racing.Ran.ShouldBeTrue();
        await editing!.WaitAsync(TimeSpan.FromSeconds(60));

        var row = (await world.QueryAsync(db => db.Candidates.Where(c => c.Id == candidateId))).Single();
        (row.ErasedAt, row.Phone, row.Email).ShouldBe((row.ErasedAt!.Value, (string?)null, ""), "erased as the claim found them, the new phone with the rest");
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))] // on SQLite the proposal's save holds the write lock: the erasure waits for it, then cancels it
    public async Task A_referral_proposed_while_its_candidate_is_erased_is_cancelled_by_the_daily_job(DatabaseProvider provider)
    {
        await using var world = await Passerelle.Tests.Email.EmailWorld.CreateAsync(provider);
        var s = world.School;

        // The proposal has checked the candidate; the erasure runs to its end before the proposal's save.
        Task<Erased?>? erasing = null;
        var racing = new RaceStep(RaceStep.Inserting("referrals"), async () =>
        {
            erasing = Task.Run(() => world.EraseCandidateAsync());
            await Task.WhenAny(erasing, Task.Delay(TimeSpan.FromSeconds(2)));
        });
        Guid referralId;
        await using (var scope = world.App.Services.CreateAsyncScope())
        await using (var db = world.Database.NewContext(racing).ForSchool(s.School.Id))
        {
            var actions = ActivatorUtilities.CreateInstance<ReferralActions>(scope.ServiceProvider, db);
            var (referral, result) = await actions.ProposeAsync(s.Candidate.Id, s.Offer.Id, s.Contact.Id, [], s.StaffActor(), s.Staff.Id);
            result.Refusal.ShouldBeNull();
            referralId = referral!.Id;
        }
        (await erasing!.WaitAsync(TimeSpan.FromSeconds(60))).ShouldNotBeNull().Cancelled.ShouldBe(0, "the erasure did not see the referral");
        (await world.QueryAsync(db => db.Referrals.Where(r => r.Id == referralId))).Single().CancelledAt.ShouldBeNull();
        // Made through the API with an Idempotency-Key, the proposal's answer would be remembered with the name, after the erasure looked.
        await using (var db = world.Database.NewContext().ForSchool(s.School.Id))
        {
            var (key, _, _) = await Passerelle.Api.ApiKeys.CreateAsync(db, "ERP", await db.Staff.SingleAsync(x => x.Id == s.Staff.Id), Seed.Now, CancellationToken.None);
            db.IdempotentRequests.Add(new Passerelle.Api.IdempotentRequest
            {
                ApiKeyId = key!.Id, IdempotencyKey = "proposal-1", SchoolId = s.School.Id, RequestHash = [1], Status = 201, CreatedAt = Seed.Now,
                Response = System.Text.Json.JsonSerializer.Serialize(new
                {
                    body = new { items = new[] { new { id = referralId, candidate = new { id = s.Candidate.Id, lastName = "TECHER", firstName = "Margaud" } } } },
                }),
            });
            await db.SaveChangesAsync();
        }

        // The daily job finds it and cancels it as the erasure would have; the next run has nothing left.
        var retention = world.App.Services.GetRequiredService<Retention>();
        (await retention.CancelReferralsOfErasedCandidatesAsync(CancellationToken.None)).ShouldBe(1);
        (await retention.CancelReferralsOfErasedCandidatesAsync(CancellationToken.None)).ShouldBe(0);
        (await world.QueryAsync(db => db.IdempotentRequests)).ShouldBeEmpty("the remembered answer naming them went");
        var cancelled = (await world.QueryAsync(db => db.ReferralEvents.Where(e => e.ReferralId == referralId && e.Kind == ReferralEventKind.Cancelled))).Single();
        (cancelled.ActorName, cancelled.Reason).ShouldBe((Retention.Job.DisplayName, Retention.CandidateErased));
        await world.DispatchAllAsync();
        (await world.QueryAsync(db => db.OutboxMessages.Where(m => m.ReferralId == referralId && m.Recipient == Recipient.Candidate)))
            .ShouldAllBe(m => m.State == OutboxState.Skipped, "no mail goes to the erased candidate");
    }
}
