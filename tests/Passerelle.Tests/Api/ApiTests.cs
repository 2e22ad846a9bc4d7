using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Passerelle.Api;
using Passerelle.Demo;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Api;

/// <summary>The JSON API through HTTP, on both providers: keys, isolation between schools, every resource, the answers.</summary>
public sealed class ApiTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_request_without_a_valid_key_gets_401_problem_details_in_French(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        foreach (var key in new[] { "", "pas_nimportequoi", "pas_" + new string('A', 43), world.Key[..^1] + (world.Key[^1] == 'A' ? 'B' : 'A') })
        {
            var response = await world.Client(key).GetAsync("/api/v1/candidates");
            var problem = await ApiWorld.ProblemAsync(response, 401);
            problem["detail"]!.GetValue<string>().ShouldContain("Authorization: Bearer");
            response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        }
        using var basic = world.App.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        await ApiWorld.ProblemAsync(await basic.GetAsync("/api/v1/candidates"), 401);

        (await world.Client().GetAsync("/api/v1/candidates")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using (var db = world.Db())
        {
            var key = await db.ApiKeys.SingleAsync();
            key.LastUsedAt.ShouldBe(Seed.Now, "the key's last use is recorded");
            (await ApiKeys.RevokeAsync(db, key.Id, Seed.Now, CancellationToken.None)).ShouldBeTrue();
        }
        await ApiWorld.ProblemAsync(await world.Client().GetAsync("/api/v1/candidates"), 401);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_key_in_use_is_read_once_a_moment_its_secret_checked_each_time_and_one_revoked_elsewhere_is_refused_within_that_moment(
        DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        var reads = new KeyStatements();
        await using var db = world.Database.NewContext(reads);
        var header = "Bearer " + world.Key;
        const int requests = 20;
        for (var i = 0; i < requests; i++)
            (await ApiKeys.FindAsync(db, header, CancellationToken.None)).ShouldNotBeNull();
        // One read, unless this test stalled for a whole RecheckAfter (then a second): never one per request.
        reads.Selects.ShouldBeLessThan(requests / 2);
        var altered = world.Key[..^2] + (world.Key[^2] == 'A' ? "BA" : "AA");
        (await ApiKeys.FindAsync(db, "Bearer " + altered, CancellationToken.None)).ShouldBeNull("the secret is compared on every request");

        // "Dernière utilisation" is written once a minute, not once a request: the process's copy of the key knows it was.
        var key = (await ApiKeys.FindAsync(db, header, CancellationToken.None))!;
        await ApiKeys.NoteUseAsync(db, key, Seed.Now, CancellationToken.None);
        var noted = (await ApiKeys.FindAsync(db, header, CancellationToken.None))!;
        noted.LastUsedAt.ShouldBe(Seed.Now);
        key.LastUsedAt.ShouldBeNull("a shared copy is never changed");
        await ApiKeys.NoteUseAsync(db, noted, Seed.Now.AddSeconds(30), CancellationToken.None);
        reads.Updates.ShouldBe(1);

        // Revoked by another instance (or the command line): refused here once the moment is over.
        var revokedAt = Stopwatch.GetTimestamp();
        await using (var elsewhere = world.Db())
            await elsewhere.ApiKeys.ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, Seed.Now));
        while (Stopwatch.GetElapsedTime(revokedAt) <= ApiKeys.RecheckAfter)
            await Task.Delay(50);
        (await ApiKeys.FindAsync(db, header, CancellationToken.None)).ShouldBeNull();
    }

    /// <summary>Counts the statements on api_keys a context sends: its reads (the key's look-up) and the others (its last use).</summary>
    private sealed class KeyStatements : DbCommandInterceptor
    {
        private int _selects, _updates;

        public int Selects => _selects;
        public int Updates => _updates;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) => Counted(command, ref _selects, result);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default) => Counted(command, ref _updates, result);

        private static ValueTask<T> Counted<T>(DbCommand command, ref int count, T result)
        {
            if (command.CommandText.Contains("api_keys", StringComparison.Ordinal))
                Interlocked.Increment(ref count);
            return ValueTask.FromResult(result);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_key_sees_only_its_school_another_schools_ids_answer_404(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        var otherReferral = await Seed.ReferralAsync(world.Database, world.Other);
        var other = world.Other;
        using var client = world.Client();
        foreach (var path in new[]
                 {
                     $"/api/v1/candidates/{other.Candidate.Id}", $"/api/v1/candidates/{other.Candidate.Id}/documents/{other.Document.Id}",
                     $"/api/v1/companies/{other.Company.Id}", $"/api/v1/contacts/{other.Contact.Id}", $"/api/v1/offers/{other.Offer.Id}",
                     $"/api/v1/referrals/{otherReferral}",
                 })
            await ApiWorld.ProblemAsync(await client.GetAsync(path), 404);

        var lists = await ApiWorld.GetAsync(client, "/api/v1/candidates");
        lists["items"]!.AsArray().Select(c => c!["id"]!.GetValue<Guid>()).ShouldBe([world.School.Candidate.Id]);
        (await ApiWorld.GetAsync(client, "/api/v1/referrals"))["items"]!.AsArray().ShouldBeEmpty();
        (await ApiWorld.GetAsync(client, "/api/v1/companies"))["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(world.School.Company.Id);

        var before = await world.CountsAsync();
        // Another school's candidate on this school's offer, this school's candidate on another school's offer or contact.
        foreach (var (candidate, offer, contact) in new[]
                 {
                     (other.Candidate.Id, world.School.Offer.Id, world.School.Contact.Id), (world.School.Candidate.Id, other.Offer.Id, world.School.Contact.Id),
                     (world.School.Candidate.Id, world.School.Offer.Id, other.Contact.Id),
                 })
        {
            var response = await client.PostAsync("/api/v1/referrals", ApiWorld.Json(new { offerId = offer, contactId = contact, candidates = new[] { new { candidateId = candidate } } }));
            await ApiWorld.ProblemAsync(response, 404);
        }
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/referrals/{otherReferral}/cancel", ApiWorld.Json(new { reason = "Offre pourvue" })), 404);
        await ApiWorld.ProblemAsync(await client.PutAsync($"/api/v1/candidates/{other.Candidate.Id}",
            ApiWorld.Json(new { lastName = "X", firstName = "Y", email = "x@example.org" })), 404);
        (await world.CountsAsync()).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Candidates_are_created_read_listed_and_upserted_by_external_id_with_the_back_office_checks(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        world.Clock.Now = Seed.Now.AddTicks(7_654_321); // finer than the database keeps
        var response = await client.PostAsync("/api/v1/candidates",
            ApiWorld.Json(new { lastName = "Dupont", firstName = "Léa", email = "lea.dupont@example.org", phone = "06 00 00 00 00", externalId = "ETU-1" }));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var created = await ApiWorld.BodyAsync(response);
        var id = created["id"]!.GetValue<Guid>();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/candidates/{id}");
        created["externalId"]!.GetValue<string>().ShouldBe("ETU-1");
        created["documents"]!.AsArray().ShouldBeEmpty();
        // What the create answers is what a read gives later, its time included (to the microsecond, as PostgreSQL keeps it).
        var read = await ApiWorld.GetAsync(client, $"/api/v1/candidates/{id}");
        JsonNode.DeepEquals(created, read).ShouldBeTrue($"created {created.ToJsonString()}\nread    {read.ToJsonString()}");
        created["createdAt"]!.GetValue<DateTimeOffset>().ShouldBe(Seed.Now.AddTicks(7_654_320));

        (await ApiWorld.GetAsync(client, "/api/v1/candidates/by-external-id/ETU-1"))["id"]!.GetValue<Guid>().ShouldBe(id);
        (await ApiWorld.GetAsync(client, "/api/v1/candidates?externalId=ETU-1"))["items"]!.AsArray().Single()!["email"]!.GetValue<string>().ShouldBe("lea.dupont@example.org");
        (await ApiWorld.GetAsync(client, "/api/v1/candidates?q=dupo"))["items"]!.AsArray().Count.ShouldBe(1);

        // Upsert: the existing one is updated (200), a new external id creates (201).
        var updated = await client.PutAsync("/api/v1/candidates/by-external-id/ETU-1", ApiWorld.Json(new { lastName = "Dupont", firstName = "Léa", email = "lea@example.org" }));
        updated.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ApiWorld.BodyAsync(updated))["email"]!.GetValue<string>().ShouldBe("lea@example.org");
        // In the candidate's history, under the key's name, as an edit in Passerelle École would be.
        (await ApiWorld.BodyAsync(await client.PutAsync($"/api/v1/candidates/{id}",
            ApiWorld.Json(new { lastName = "Dupont", firstName = "Léa", email = "lea@example.org", externalId = "ETU-1b" }))))["externalId"]!.GetValue<string>().ShouldBe("ETU-1b");
        await using (var db = world.Db())
        {
            var history = (await db.ChangeRecords.Where(c => c.SubjectId == id).ToListAsync())
                .SelectMany(c => c.Fields().Select(f => (f.Field, f.Before, f.After, c.ActorName))).ToList();
            history.ShouldBe([
                ("Adresse e-mail", "lea.dupont@example.org", "lea@example.org", "ERP (API)"), ("Téléphone", "06 00 00 00 00", null, "ERP (API)"),
                ("Identifiant externe", "ETU-1", "ETU-1b", "ERP (API)"),
            ], ignoreOrder: true);
        }
        (await client.PutAsync($"/api/v1/candidates/{id}", ApiWorld.Json(new { lastName = "Dupont", firstName = "Léa", email = "lea@example.org", externalId = "ETU-1" })))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var upserted = await client.PutAsync("/api/v1/candidates/by-external-id/ETU-2", ApiWorld.Json(new { lastName = "Martin", firstName = "Paul", email = "paul@example.org" }));
        upserted.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ApiWorld.BodyAsync(upserted))["externalId"]!.GetValue<string>().ShouldBe("ETU-2");

        // The back-office's checks, under the API's field names; nothing written.
        var before = await world.CountsAsync();
        var invalid = await ApiWorld.ProblemAsync(await client.PostAsync("/api/v1/candidates", ApiWorld.Json(new { lastName = "", firstName = "Léa", email = "pas-une-adresse" })), 422);
        invalid["errors"]!["lastName"]![0]!.GetValue<string>().ShouldBe("Indiquez le nom.");
        invalid["errors"]!["email"]![0]!.GetValue<string>().ShouldBe("L'adresse e-mail n'est pas valide.");
        var duplicate = await client.PostAsync("/api/v1/candidates", ApiWorld.Json(new { lastName = "Autre", firstName = "Léa", email = "autre@example.org", externalId = "ETU-2" }));
        (await ApiWorld.ProblemAsync(duplicate, 409))["detail"]!.GetValue<string>().ShouldContain("identifiant externe");
        (await world.CountsAsync()).ShouldBe(before);

        // The same external id in another school is another candidate.
        (await world.Client(world.OtherKey).PutAsync("/api/v1/candidates/by-external-id/ETU-2",
            ApiWorld.Json(new { lastName = "Martin", firstName = "Paul", email = "paul@example.org" }))).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_document_is_uploaded_checked_from_its_content_and_downloaded_byte_for_byte(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var candidate = world.School.Candidate.Id;
        var pdf = DemoPdf.Create("cv");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(pdf) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "CV Margaud.pdf" },
            { new StringContent("cv"), "kind" },
        };
        var response = await client.PostAsync($"/api/v1/candidates/{candidate}/documents", form);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var document = await ApiWorld.BodyAsync(response);
        document["title"]!.GetValue<string>().ShouldBe("CV Margaud");
        document["contentType"]!.GetValue<string>().ShouldBe("application/pdf");
        document["kind"]!.GetValue<string>().ShouldBe("cv");
        var download = await client.GetAsync(response.Headers.Location);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(pdf);
        (await ApiWorld.GetAsync(client, $"/api/v1/candidates/{candidate}"))["documents"]!.AsArray().Count.ShouldBe(2);
        using var titled = new MultipartFormDataContent
        {
            { new ByteArrayContent(pdf), "file", "scan.pdf" }, { new StringContent("transcript"), "kind" }, { new StringContent(" Bulletin 2024/2025 "), "title" },
        };
        var transcript = await client.PostAsync($"/api/v1/candidates/{candidate}/documents", titled);
        transcript.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await ApiWorld.BodyAsync(transcript))["title"]!.GetValue<string>().ShouldBe("Bulletin 2024/2025", "a title typed is no path");

        var before = await world.CountsAsync();
        using var script = new MultipartFormDataContent
        {
            { new ByteArrayContent("#!/bin/sh\necho"u8.ToArray()), "file", "cv.pdf" },
            { new StringContent("cv"), "kind" },
        };
        var refused = await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/candidates/{candidate}/documents", script), 422);
        refused["errors"]!["file"]![0]!.GetValue<string>().ShouldStartWith("Ce type de fichier n'est pas accepté");
        using var noKind = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "cv.pdf" }, { new StringContent("passeport"), "kind" } };
        (await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/candidates/{candidate}/documents", noKind), 422))["errors"]!["kind"]![0]!
            .GetValue<string>().ShouldContain("cv, coverLetter, transcript, diploma, other");
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/candidates/{candidate}/documents", ApiWorld.Json(new { file = "x" })), 415);
        using var big = new MultipartFormDataContent { { new ByteArrayContent(new byte[11 * 1024 * 1024]), "file", "cv.pdf" }, { new StringContent("cv"), "kind" } };
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/candidates/{candidate}/documents", big), 413);
        (await world.CountsAsync()).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Companies_contacts_and_offers_are_written_as_the_back_office_writes_them(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var before = await world.CountsAsync();
        var badSiret = await ApiWorld.ProblemAsync(await client.PostAsync("/api/v1/companies", ApiWorld.Json(new { name = "Acme", siret = "12345678901234" })), 422);
        badSiret["errors"]!["siret"]![0]!.GetValue<string>().ShouldStartWith("Ce SIRET n'est pas valide");
        (await world.CountsAsync()).ShouldBe(before);

        var siret = Seed.NextSiret();
        var company = await ApiWorld.PostAsync(client, "/api/v1/companies", new { name = "Acme", siret = $"{siret[..3]} {siret[3..6]} {siret[6..9]} {siret[9..]}", externalId = "ENT-1" });
        company["siret"]!.GetValue<string>().ShouldBe(siret);
        var companyId = company["id"]!.GetValue<Guid>();
        (await ApiWorld.ProblemAsync(await client.PostAsync("/api/v1/companies", ApiWorld.Json(new { name = "Acme", siret })), 409))["detail"]!
            .GetValue<string>().ShouldBe("Cette entreprise est déjà dans votre liste : Acme.");
        // Another school adding the same SIRET gets the same company in its list.
        var shared = await ApiWorld.PostAsync(world.Client(world.OtherKey), "/api/v1/companies", new { name = "Autre nom", siret });
        shared["id"]!.GetValue<Guid>().ShouldBe(companyId);
        shared["name"]!.GetValue<string>().ShouldBe("Acme");

        // Names, titles and places are kept on one line, whatever the platform's field held.
        var contact = await ApiWorld.PostAsync(client, "/api/v1/contacts",
            new { companyId, lastName = "Durand", firstName = "Claire\r\nMarie", email = "claire.durand@acme.example", externalId = "CT-1" });
        contact["firstName"]!.GetValue<string>().ShouldBe("Claire Marie");
        var contactId = contact["id"]!.GetValue<Guid>();
        await using (var db = world.Db())
        {
            var credentials = await db.OutboxMessages.SingleAsync(m => m.ToPersonId == contactId);
            credentials.TemplateKey.ShouldBe(TemplateKeys.ContactCredentials, "the contact's account is opened and its link mailed");
        }
        // The same address from the other school: an invitation (202), the account is not shown.
        var invited = await world.Client(world.OtherKey).PostAsync("/api/v1/contacts",
            ApiWorld.Json(new { companyId, lastName = "D", firstName = "C", email = "Claire.Durand@acme.example" }));
        invited.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await ApiWorld.BodyAsync(invited))["email"]!.GetValue<string>().ShouldBe("claire.durand@acme.example");
        await ApiWorld.ProblemAsync(await world.Client(world.OtherKey).GetAsync($"/api/v1/contacts/{contactId}"), 404);
        (await ApiWorld.GetAsync(client, $"/api/v1/contacts?companyId={companyId}"))["items"]!.AsArray().Single()!["externalId"]!.GetValue<string>().ShouldBe("CT-1");
        // Found by address too, whatever its case: a contact the school typed in before it had a platform.
        (await ApiWorld.GetAsync(client, "/api/v1/contacts?email=Claire.DURAND%40acme.example"))["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(contactId);
        (await ApiWorld.GetAsync(client, "/api/v1/contacts?email=personne%40acme.example"))["items"]!.AsArray().ShouldBeEmpty();
        (await ApiWorld.GetAsync(world.Client(world.OtherKey), "/api/v1/contacts?email=claire.durand%40acme.example"))["items"]!.AsArray()
            .ShouldBeEmpty("the other school was only able to invite them");
        (await ApiWorld.ProblemAsync(await client.GetAsync("/api/v1/contacts?email=claire"), 422))["errors"]!["email"].ShouldNotBeNull();

        var offer = await ApiWorld.PostAsync(client, "/api/v1/offers",
            new { companyId, title = "Alternance\n\tweb", description = "Deux ans\nau siège", location = "Bordeaux  Lac", startsOn = "2027-09-01", externalId = "OFF-1" });
        (offer["title"]!.GetValue<string>(), offer["description"]!.GetValue<string>(), offer["location"]!.GetValue<string>())
            .ShouldBe(("Alternance web", "Deux ans\nau siège", "Bordeaux Lac"), "a description keeps its lines");
        offer["active"]!.GetValue<bool>().ShouldBeTrue();
        offer["startsOn"]!.GetValue<string>().ShouldBe("2027-09-01");
        var offerId = offer["id"]!.GetValue<Guid>();
        var patched = await client.PatchAsync($"/api/v1/offers/{offerId}", ApiWorld.Json(new { active = false }));
        (await ApiWorld.BodyAsync(patched))["active"]!.GetValue<bool>().ShouldBeFalse();
        (await ApiWorld.GetAsync(client, "/api/v1/offers?active=false"))["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(offerId);

        // An inactive offer takes no referral: the workflow's own refusal.
        var candidate = world.School.Candidate.Id;
        var refused = await client.PostAsync("/api/v1/referrals", ApiWorld.Json(new { offerId, contactId, candidates = new[] { new { candidateId = candidate } } }));
        (await ApiWorld.ProblemAsync(refused, 422))["errors"]!["candidates[0]"]![0]!.GetValue<string>().ShouldBe("Cette offre est inactive : elle n'accepte plus de mise en relation.");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_resource_reads_by_id_and_filter_and_a_candidate_is_replaced_by_id(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var s = world.School;
        (await ApiWorld.GetAsync(client, $"/api/v1/companies/{s.Company.Id}"))["siret"]!.GetValue<string>().ShouldBe(s.Company.Siret);
        (await ApiWorld.GetAsync(client, $"/api/v1/companies?siret={s.Company.Siret}"))["items"]!.AsArray().Single()!["name"]!.GetValue<string>().ShouldBe("Entreprise Test");
        (await ApiWorld.GetAsync(client, $"/api/v1/contacts/{s.Contact.Id}"))["email"]!.GetValue<string>().ShouldBe("sophie@example.org");
        var offer = await ApiWorld.GetAsync(client, $"/api/v1/offers/{s.Offer.Id}");
        (offer["title"]!.GetValue<string>(), offer["companyId"]!.GetValue<Guid>(), offer["active"]!.GetValue<bool>()).ShouldBe(("Et laboriosam praesentium", s.Company.Id, true));
        (await ApiWorld.GetAsync(client, $"/api/v1/offers?companyId={s.Company.Id}&active=true"))["items"]!.AsArray().Count.ShouldBe(1);
        (await ApiWorld.GetAsync(client, $"/api/v1/contacts?companyId={s.Company.Id}"))["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(s.Contact.Id);

        var replaced = await client.PutAsync($"/api/v1/candidates/{s.Candidate.Id}",
            ApiWorld.Json(new { lastName = "Techer", firstName = "Margaud", email = "m.techer@example.org", phone = "07 00 00 00 00", externalId = "ETU-7" }));
        replaced.StatusCode.ShouldBe(HttpStatusCode.OK);
        var candidate = await ApiWorld.GetAsync(client, $"/api/v1/candidates/{s.Candidate.Id}");
        (candidate["email"]!.GetValue<string>(), candidate["phone"]!.GetValue<string>(), candidate["externalId"]!.GetValue<string>())
            .ShouldBe(("m.techer@example.org", "07 00 00 00 00", "ETU-7"));
        candidate["documents"]!.AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(s.Document.Id);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_referral_is_created_followed_and_answered_for_each_party_with_the_same_rules(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var s = world.School;
        world.Clock.Now = Seed.Now.AddTicks(1_234_567); // finer than the database keeps
        var created = await ApiWorld.PostAsync(client, "/api/v1/referrals",
            new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = s.Candidate.Id, sharedDocumentIds = new[] { s.Document.Id } } } });
        var referral = created["referrals"]![0]!;
        var id = referral["id"]!.GetValue<Guid>();
        referral["stage"]!.GetValue<string>().ShouldBe("awaitingCandidate");
        referral["candidate"]!["name"]!.GetValue<string>().ShouldBe("TECHER Margaud");
        referral["company"]!["name"]!.GetValue<string>().ShouldBe(s.Company.Name);
        // The create's answer is not read back, and says what reading the referral says: its names, its times to the microsecond.
        var readAfterCreate = (await ApiWorld.GetAsync(client, $"/api/v1/referrals/{id}"))["referral"];
        JsonNode.DeepEquals(referral, readAfterCreate).ShouldBeTrue($"created {referral.ToJsonString()}\nread    {readAfterCreate!.ToJsonString()}");
        referral["createdAt"]!.GetValue<DateTimeOffset>().ShouldBe(Seed.Now.AddTicks(1_234_560));
        await using (var db = world.Db())
            (await db.OutboxMessages.CountAsync(m => m.ReferralId == id && m.TemplateKey == TemplateKeys.OfferToCandidate)).ShouldBe(1, "the offer mail goes to the candidate");

        // The company cannot answer before the candidate: the rule's refusal, 409.
        var early = await client.PostAsync($"/api/v1/referrals/{id}/answers", ApiWorld.Json(new
        {
            party = "company", answer = "acceptCandidate", appointment = new { startsAt = Seed.Now.AddDays(5) },
        }));
        await ApiWorld.ProblemAsync(early, 409);
        // The company cannot answer for the candidate either.
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/referrals/{id}/answers", ApiWorld.Json(new { party = "company", answer = "acceptOffer" })), 409);

        var accepted = await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "acceptOffer", version = 1 }, 200);
        accepted["stage"]!.GetValue<string>().ShouldBe("awaitingCompany");
        accepted["version"]!.GetValue<int>().ShouldBe(2);
        // A stale version: 409, nothing changes.
        var stale = await client.PostAsync($"/api/v1/referrals/{id}/answers", ApiWorld.Json(new { party = "candidate", answer = "declineOffer", version = 1 }));
        (await ApiWorld.ProblemAsync(stale, 409))["detail"]!.GetValue<string>().ShouldContain("vient d'être modifiée");

        var appointment = new DateTimeOffset(2026, 3, 10, 14, 30, 0, TimeSpan.FromHours(1));
        var proposed = await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new
        {
            party = "company", answer = "acceptCandidate", version = 2,
            appointment = new { startsAt = appointment, location = "12 rue des Écoles, Bordeaux", comment = "Au plaisir" },
        }, 200);
        proposed["stage"]!.GetValue<string>().ShouldBe("awaitingAppointmentAnswer");
        proposed["appointment"]!["startsAt"]!.GetValue<DateTimeOffset>().ShouldBe(appointment);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "acceptAppointment" }, 200);
        // Once the candidate answered the appointment, the company's step is closed.
        var closed = await client.PostAsync($"/api/v1/referrals/{id}/answers", ApiWorld.Json(new { party = "company", answer = "refuseCandidate" }));
        (await ApiWorld.ProblemAsync(closed, 409))["detail"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        // The outcome only after the appointment.
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/referrals/{id}/outcome", ApiWorld.Json(new { outcome = "recruited" })), 409);
        world.Clock.Now = appointment.AddDays(1).ToUniversalTime();
        var outcome = await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/outcome", new { outcome = "recruited", party = "company" }, 200);
        outcome["stage"]!.GetValue<string>().ShouldBe("recruited");
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/referrals/{id}/cancel", ApiWorld.Json(new { reason = "Trop tard" })), 409);

        var read = await ApiWorld.GetAsync(client, $"/api/v1/referrals/{id}");
        read["sharedDocumentIds"]!.AsArray().Single()!.GetValue<Guid>().ShouldBe(s.Document.Id);
        var timeline = read["timeline"]!.AsArray();
        timeline.Select(e => e!["kind"]!.GetValue<string>()).ShouldBe(["proposed", "offerAccepted", "candidateAccepted", "appointmentAccepted", "recruited"]);
        timeline[0]!["title"]!.GetValue<string>().ShouldBe("ÉCOLE API - Mise en relation proposée par : ERP (API)");
        timeline[2]!["text"]!.GetValue<string>().ShouldBe("Le 02/03/2026 à 10h30 : Candidat accepté – RDV proposé le 10/03/2026 à 14h30, 12 rue des Écoles, Bordeaux");
        timeline.ShouldAllBe(e => e!["actedBy"]!.GetValue<string>() == "Action effectuée par ERP (API).");
        timeline[2]!["onBehalfOf"]!.GetValue<string>().ShouldBe("company");
        timeline[2]!["channel"]!.GetValue<string>().ShouldBe("api");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_school_cancels_through_the_api_and_a_refusal_takes_a_reason_from_its_list(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var id = await Seed.ReferralAsync(world.Database, world.School);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/answers", new { party = "candidate", answer = "acceptOffer" }, 200);
        var badReason = await client.PostAsync($"/api/v1/referrals/{id}/answers", ApiWorld.Json(new { party = "company", answer = "refuseCandidate", reason = "Pas de motif connu" }));
        (await ApiWorld.ProblemAsync(badReason, 422))["detail"]!.GetValue<string>().ShouldBe("Choisissez un motif dans la liste, ou aucun.");
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/referrals/{id}/cancel", ApiWorld.Json(new { reason = " " })), 422);
        var cancelled = await ApiWorld.PostAsync(client, $"/api/v1/referrals/{id}/cancel", new { reason = "Offre pourvue" }, 200);
        cancelled["stage"]!.GetValue<string>().ShouldBe("cancelled");
        cancelled["cancellationReason"]!.GetValue<string>().ShouldBe("Offre pourvue");
        await ApiWorld.ProblemAsync(await client.PostAsync($"/api/v1/referrals/{id}/answers", ApiWorld.Json(new { party = "company", answer = "refuseCandidate" })), 409);
        var timeline = (await ApiWorld.GetAsync(client, $"/api/v1/referrals/{id}"))["timeline"]!.AsArray();
        timeline[^1]!["text"]!.GetValue<string>().ShouldEndWith("Mise en relation annulée : Offre pourvue");
        timeline[^1]!["actedBy"]!.GetValue<string>().ShouldBe("Action effectuée par ERP (API).");
        timeline[0]!["actedBy"].ShouldBeNull("the staff member's own proposal names nobody else");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_same_idempotency_key_and_body_replays_the_first_answer_and_another_body_is_refused(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var s = world.School;
        var body = new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = s.Candidate.Id } } };
        HttpRequestMessage Request(object content, string key = "cle-1") =>
            new(HttpMethod.Post, "/api/v1/referrals") { Content = ApiWorld.Json(content), Headers = { { Idempotency.Header, key } } };

        var first = await client.SendAsync(Request(body));
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        var firstBody = await first.Content.ReadAsStringAsync();
        var again = await client.SendAsync(Request(body));
        again.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await again.Content.ReadAsStringAsync()).ShouldBe(firstBody);
        again.Headers.GetValues(Idempotency.ReplayedHeader).Single().ShouldBe("true");
        again.Headers.Location.ShouldBe(first.Headers.Location);
        await using (var db = world.Db())
            (await db.Referrals.CountAsync()).ShouldBe(1);

        var before = await world.CountsAsync();
        var other = await client.SendAsync(Request(new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = s.Candidate.Id, sharedDocumentIds = new[] { s.Document.Id } } } }));
        (await ApiWorld.ProblemAsync(other, 422))["errors"]![Idempotency.Header]![0]!.GetValue<string>().ShouldContain("a déjà servi pour une autre requête");
        // Without the key the same body is a new request: the workflow refuses a second open referral.
        (await ApiWorld.ProblemAsync(await client.PostAsync("/api/v1/referrals", ApiWorld.Json(body)), 422))["errors"]!["candidates[0]"]![0]!
            .GetValue<string>().ShouldBe("Ce candidat est déjà en relation pour cette offre.");
        // A refused creation is not remembered: the key stays free.
        var refusedKey = await client.SendAsync(Request(body, "cle-2"));
        await ApiWorld.ProblemAsync(refusedKey, 422);
        (await world.CountsAsync()).ShouldBe(before);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_identical_calls_at_the_same_moment_create_one_referral_and_give_the_same_answer(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        var s = world.School;
        var body = new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = s.Candidate.Id } } };
        for (var round = 0; round < 5; round++)
        {
            await using (var db = world.Database.NewContext())
            {
                db.ForSystem();
                await db.ReferralEvents.IgnoreQueryFilters().ExecuteDeleteAsync();
                await db.ReferralDocuments.IgnoreQueryFilters().ExecuteDeleteAsync();
                await db.ActionLinks.IgnoreQueryFilters().ExecuteDeleteAsync();
                await db.OutboxMessages.IgnoreQueryFilters().ExecuteDeleteAsync();
                await db.Referrals.IgnoreQueryFilters().ExecuteDeleteAsync();
            }
            var key = $"concurrent-{round}";
            using var start = new Barrier(2);
            var calls = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                using var client = world.Client();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/referrals") { Content = ApiWorld.Json(body), Headers = { { Idempotency.Header, key } } };
                start.SignalAndWait();
                var response = await client.SendAsync(request);
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            })).ToList();
            var answers = await Task.WhenAll(calls);
            answers.ShouldAllBe(a => a.StatusCode == HttpStatusCode.Created, string.Join("\n", answers.Select(a => a.Body)));
            answers[1].Body.ShouldBe(answers[0].Body);
            await using var check = world.Db();
            (await check.Referrals.CountAsync()).ShouldBe(1);
            (await check.OutboxMessages.CountAsync()).ShouldBe(1, "one offer mail");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cursor_paging_sees_every_row_once_while_rows_are_inserted(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var ids = new List<Guid> { world.School.Candidate.Id };
        for (var i = 0; i < 11; i++)
            ids.Add((await ApiWorld.PostAsync(client, "/api/v1/candidates", new { lastName = $"Nom{i}", firstName = "P", email = $"p{i}@example.org" }))["id"]!.GetValue<Guid>());

        // Rows created while the platform pages: the pages already read do not move, the new rows come at the end.
        var (seen, pages) = await ApiWorld.ReadAllPagesAsync(client, "/api/v1/candidates", 5, async () =>
        {
            for (var i = 0; i < 3; i++)
                ids.Add((await ApiWorld.PostAsync(client, "/api/v1/candidates", new { lastName = $"Nouveau{i}", firstName = "P", email = $"n{i}@example.org" }))["id"]!.GetValue<Guid>());
        });
        seen.ShouldBe(ids.Order().ToList(), "each row once, in id order, the new ones included");
        pages.ShouldBe(3);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Companies_contacts_and_offers_are_corrected_as_in_the_back_office_with_their_history(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var s = world.School;
        async Task<List<(string Field, string? Before, string? After, string By)>> HistoryAsync(Guid subject)
        {
            await using var db = world.Db();
            return [.. (await db.ChangeRecords.Where(c => c.SubjectId == subject).OrderBy(c => c.ChangedAt).ToListAsync())
                .SelectMany(c => c.Fields().Select(f => (f.Field, f.Before, f.After, c.ActorName)))];
        }
        static async Task<JsonObject> ChangeAsync(HttpClient client, string path, object body, int status = 200, HttpMethod? method = null)
        {
            var response = await client.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Put, path) { Content = ApiWorld.Json(body) });
            if (status != 200)
                return await ApiWorld.ProblemAsync(response, status);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            return JsonNode.Parse(text)!.AsObject();
        }

        // A company: its name and address for every school, its external id for this one; the history names the key.
        var company = await ChangeAsync(client, $"/api/v1/companies/{s.Company.Id}", new { name = "Entreprise Test SA", address = "1 rue du Port\n33000 Bordeaux", externalId = "ENT-9" });
        (company["name"]!.GetValue<string>(), company["address"]!.GetValue<string>(), company["externalId"]!.GetValue<string>(), company["siret"]!.GetValue<string>())
            .ShouldBe(("Entreprise Test SA", "1 rue du Port\n33000 Bordeaux", "ENT-9", s.Company.Siret));
        JsonNode.DeepEquals(company, await ApiWorld.GetAsync(client, $"/api/v1/companies/{s.Company.Id}")).ShouldBeTrue();
        (await HistoryAsync(s.Company.Id)).ShouldBe([("Nom", "Entreprise Test", "Entreprise Test SA", "ERP (API)"), ("Adresse", null, "1 rue du Port\n33000 Bordeaux", "ERP (API)")]);
        await ApiWorld.ProblemAsync(await client.PutAsync($"/api/v1/companies/{world.Other.Company.Id}", ApiWorld.Json(new { name = "X" })), 404);

        // Refused by the correction (a SIRET fixed by a referral) or by the external id (another company's): nothing changes, the
        // external id included.
        await ApiWorld.PostAsync(client, "/api/v1/referrals", new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = s.Candidate.Id } } });
        (await ChangeAsync(client, $"/api/v1/companies/{s.Company.Id}", new { name = "Autre nom", siret = Seed.NextSiret(), externalId = "ENT-10" }, 409))["detail"]!
            .GetValue<string>().ShouldStartWith("Le SIRET ne se modifie plus");
        await ApiWorld.PostAsync(client, "/api/v1/companies", new { name = "Voisine", siret = Seed.NextSiret(), externalId = "ENT-11" });
        (await ChangeAsync(client, $"/api/v1/companies/{s.Company.Id}", new { name = "Autre nom", externalId = "ENT-11" }, 409))["detail"]!
            .GetValue<string>().ShouldBe("Une autre entreprise de l'école porte déjà cet identifiant externe.");
        JsonNode.DeepEquals(company, await ApiWorld.GetAsync(client, $"/api/v1/companies/{s.Company.Id}")).ShouldBeTrue("nothing changed");
        (await HistoryAsync(s.Company.Id)).Count.ShouldBe(2);

        // A contact: a new address waits for its owner's confirmation, mailed to it; an address another account uses is refused.
        var contact = await ChangeAsync(client, $"/api/v1/contacts/{s.Contact.Id}",
            new { lastName = s.Contact.LastName, firstName = s.Contact.FirstName, email = "nouvelle.adresse@example.org", phone = "05 56 00 00 00", externalId = "CT-9" });
        (contact["email"]!.GetValue<string>(), contact["pendingEmail"]!.GetValue<string>(), contact["phone"]!.GetValue<string>(), contact["externalId"]!.GetValue<string>())
            .ShouldBe((s.Contact.Email, "nouvelle.adresse@example.org", "05 56 00 00 00", "CT-9"));
        await using (var db = world.Db())
            (await db.OutboxMessages.SingleAsync(m => m.TemplateKey == Passerelle.Referrals.TemplateKeys.ContactEmailConfirmation)).ToAddress.ShouldBe("nouvelle.adresse@example.org");
        (await HistoryAsync(s.Contact.Id)).Select(h => (h.Field, h.By)).ShouldBe([("Téléphone", "ERP (API)"), ("Nouvelle adresse e-mail (à confirmer)", "ERP (API)")]);
        var otherAccount = await ApiWorld.PostAsync(client, "/api/v1/contacts", new { companyId = s.Company.Id, lastName = "Autre", firstName = "A", email = "autre.compte@example.org" });
        await ChangeAsync(client, $"/api/v1/contacts/{s.Contact.Id}", new { lastName = "L", firstName = "F", email = "autre.compte@example.org", externalId = "CT-9" }, 409);
        await ChangeAsync(client, $"/api/v1/contacts/{otherAccount["id"]!.GetValue<Guid>()}", new { lastName = "Autre", firstName = "A", email = "autre.compte@example.org", externalId = "CT-9" }, 409);
        JsonNode.DeepEquals(contact, await ApiWorld.GetAsync(client, $"/api/v1/contacts/{s.Contact.Id}")).ShouldBeTrue("nothing changed");
        await ApiWorld.ProblemAsync(await client.PutAsync($"/api/v1/contacts/{world.Other.Contact.Id}", ApiWorld.Json(new { lastName = "L", firstName = "F", email = "x@example.org" })), 404);

        // An offer: every field, the state kept when not given; switching it off through PATCH is in its history too.
        var offer = await ChangeAsync(client, $"/api/v1/offers/{s.Offer.Id}",
            new { title = "Alternance développeur", description = "Deux ans\nà Bordeaux", contract = "apprenticeship", startsOn = "2027-09-01", externalId = "OFF-9" });
        (offer["title"]!.GetValue<string>(), offer["contract"]!.GetValue<string>(), offer["startsOn"]!.GetValue<string>(), offer["active"]!.GetValue<bool>(), offer["externalId"]!.GetValue<string>())
            .ShouldBe(("Alternance développeur", "apprenticeship", "2027-09-01", true, "OFF-9"));
        (await ChangeAsync(client, $"/api/v1/offers/{s.Offer.Id}", new { active = false }, method: HttpMethod.Patch))["active"]!.GetValue<bool>().ShouldBeFalse();
        (await HistoryAsync(s.Offer.Id)).Select(h => h.Field).ShouldBe(["Intitulé", "Description", "Contrat", "Début", "État"]);
        (await HistoryAsync(s.Offer.Id)).ShouldAllBe(h => h.By == "ERP (API)");
        var created = await ApiWorld.PostAsync(client, "/api/v1/offers", new { companyId = s.Company.Id, title = "Stage", description = "D", contract = "internship" });
        created["contract"]!.GetValue<string>().ShouldBe("internship");
        await ApiWorld.ProblemAsync(await client.PutAsync($"/api/v1/offers/{world.Other.Offer.Id}", ApiWorld.Json(new { title = "T", description = "D" })), 404);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Companies_and_contacts_are_paged_in_the_order_the_school_added_them_even_ones_another_school_knew_first(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        using var other = world.Client(world.OtherKey);
        var s = world.School;
        // Known first by the other school: their ids are older than anything this school adds below.
        var sharedSiret = Seed.NextSiret();
        var shared = (await ApiWorld.PostAsync(other, "/api/v1/companies", new { name = "Connue ailleurs", siret = sharedSiret }))["id"]!.GetValue<Guid>();
        await ApiWorld.PostAsync(other, "/api/v1/companies", new { name = "Entreprise Test", siret = s.Company.Siret });
        var sharedContact = (await ApiWorld.PostAsync(other, "/api/v1/contacts",
            new { companyId = s.Company.Id, lastName = "Déjà", firstName = "Là", email = "deja.la@example.org" }))["id"]!.GetValue<Guid>();
        var companies = new List<Guid> { s.Company.Id };
        var contacts = new List<Guid> { s.Contact.Id };
        for (var i = 0; i < 4; i++)
        {
            world.Clock.Now = world.Clock.Now.AddMinutes(1);
            companies.Add((await ApiWorld.PostAsync(client, "/api/v1/companies", new { name = $"Entreprise {i}", siret = Seed.NextSiret() }))["id"]!.GetValue<Guid>());
            contacts.Add((await ApiWorld.PostAsync(client, "/api/v1/contacts",
                new { companyId = s.Company.Id, lastName = $"Nom{i}", firstName = "P", email = $"contact{i}@example.org" }))["id"]!.GetValue<Guid>());
        }

        // While the platform pages, the school adds the company the other school knew first: it comes at the end, not among
        // the pages already read.
        var (seenCompanies, _) = await ApiWorld.ReadAllPagesAsync(client, "/api/v1/companies", 2, async () =>
        {
            world.Clock.Now = world.Clock.Now.AddMinutes(1);
            await ApiWorld.PostAsync(client, "/api/v1/companies", new { name = "Connue ailleurs", siret = sharedSiret });
        });
        seenCompanies.ShouldBe([.. companies, shared]);

        // The contact who worked with the other school joins this one when they accept its invitation in Passerelle Entreprises,
        // which adds this row.
        var (seenContacts, _) = await ApiWorld.ReadAllPagesAsync(client, "/api/v1/contacts", 2, async () =>
        {
            await using var db = world.Db();
            db.SchoolContacts.Add(new Passerelle.Companies.SchoolContact { SchoolId = s.School.Id, ContactId = sharedContact, CreatedAt = world.Clock.Now.AddMinutes(1) });
            await db.SaveChangesAsync();
        });
        seenContacts.ShouldBe([.. contacts, sharedContact]);

        // A cursor of another kind of list, or altered, is refused.
        var candidatesCursor = (await ApiWorld.GetAsync(client, "/api/v1/candidates?limit=1"))["nextCursor"];
        foreach (var cursor in new[] { candidatesCursor?.GetValue<string>() ?? "AAAAAAAAAAAAAAAAAAAAAA", new string('_', 32), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
            (await ApiWorld.ProblemAsync(await client.GetAsync($"/api/v1/companies?cursor={cursor}"), 422))["errors"]!["cursor"].ShouldNotBeNull();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Referrals_are_listed_by_cursor_with_filters(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var s = world.School;
        var candidates = new List<Guid>();
        for (var i = 0; i < 4; i++)
            candidates.Add((await ApiWorld.PostAsync(client, "/api/v1/candidates", new { lastName = $"Nom{i}", firstName = "P", email = $"p{i}@example.org" }))["id"]!.GetValue<Guid>());
        var created = await ApiWorld.PostAsync(client, "/api/v1/referrals",
            new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = candidates.Select(c => new { candidateId = c }).ToArray() });
        var ids = created["referrals"]!.AsArray().Select(r => r!["id"]!.GetValue<Guid>()).ToList();
        ids.Count.ShouldBe(4);
        world.Clock.Now = Seed.Now.AddHours(2);
        await ApiWorld.PostAsync(client, $"/api/v1/referrals/{ids[2]}/answers", new { party = "candidate", answer = "acceptOffer" }, 200);

        var first = await ApiWorld.GetAsync(client, "/api/v1/referrals?limit=3");
        var second = await ApiWorld.GetAsync(client, $"/api/v1/referrals?limit=3&cursor={first["nextCursor"]!.GetValue<string>()}");
        first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(r => r!["id"]!.GetValue<Guid>()).ShouldBe(ids.Order().ToList());
        second["nextCursor"].ShouldBeNull();

        (await ApiWorld.GetAsync(client, "/api/v1/referrals?stage=awaitingCompany"))["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(ids[2]);
        (await ApiWorld.GetAsync(client, $"/api/v1/referrals?updatedSince={Uri.EscapeDataString(Seed.Now.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssK"))}"))["items"]!
            .AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(ids[2]);
        (await ApiWorld.GetAsync(client, $"/api/v1/referrals?companyId={s.Company.Id}&offerId={s.Offer.Id}&contactId={s.Contact.Id}"))["items"]!.AsArray().Count.ShouldBe(4);
        (await ApiWorld.GetAsync(client, $"/api/v1/referrals?companyId={world.Other.Company.Id}"))["items"]!.AsArray().ShouldBeEmpty();
        (await ApiWorld.GetAsync(client, $"/api/v1/referrals?candidateId={candidates[0]}"))["items"]!.AsArray().Count.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Pushes_go_through_the_push_module_with_its_rules(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        using var client = world.Client();
        var s = world.School;
        var body = new { profiles = new[] { new { candidateId = s.Candidate.Id, documentIds = new[] { s.Document.Id } } }, contactIds = new[] { s.Contact.Id }, message = "Profil sérieux" };
        (await ApiWorld.ProblemAsync(await client.PostAsync("/api/v1/pushes", ApiWorld.Json(body)), 404))["detail"]!.GetValue<string>().ShouldContain("module push CV n'est pas activé");
        await ApiWorld.ProblemAsync(await client.GetAsync("/api/v1/pushes"), 404);

        await using (var db = world.Db())
        {
            await db.Schools.Where(x => x.Id == s.School.Id).ExecuteUpdateAsync(set => set.SetProperty(x => x.PushCvEnabled, true));
        }
        // With an Idempotency-Key, as a platform should send it: a refusal leaves the key free for the corrected request.
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Keyed() => new(HttpMethod.Post, "/api/v1/pushes") { Content = ApiWorld.Json(body), Headers = { { Idempotency.Header, key } } };
        var noConsent = await ApiWorld.ProblemAsync(await client.SendAsync(Keyed()), 422);
        noConsent["errors"]!["profiles"]![0]!.GetValue<string>().ShouldContain("n'a pas donné son accord");

        await using (var db = world.Db())
            await db.Candidates.Where(c => c.Id == s.Candidate.Id).ExecuteUpdateAsync(set => set.SetProperty(c => c.PushConsentAt, Seed.Now.AddDays(-1)));
        var first = await client.SendAsync(Keyed());
        var created = await ApiWorld.BodyAsync(first);
        first.StatusCode.ShouldBe(HttpStatusCode.Created, created.ToJsonString());
        first.Headers.Contains(Idempotency.ReplayedHeader).ShouldBeFalse();
        // Sent again after a lost answer: the first answer, and no second mail to the company.
        var replay = await client.SendAsync(Keyed());
        replay.StatusCode.ShouldBe(HttpStatusCode.Created);
        replay.Headers.GetValues(Idempotency.ReplayedHeader).Single().ShouldBe("true");
        replay.Headers.Location.ShouldBe(first.Headers.Location);
        JsonNode.DeepEquals(await ApiWorld.BodyAsync(replay), created).ShouldBeTrue();
        var push = created["pushes"]!.AsArray().Single()!;
        push["pushedBy"]!.GetValue<string>().ShouldBe("MARTIN Benoît", "the key acts in the name of its creator");
        push["message"]!.GetValue<string>().ShouldBe("Profil sérieux");
        var profile = push["profiles"]!.AsArray().Single()!;
        profile["state"]!.GetValue<string>().ShouldBe("pending");
        profile["documentIds"]!.AsArray().Single()!.GetValue<Guid>().ShouldBe(s.Document.Id);
        await using (var db = world.Db())
            (await db.OutboxMessages.CountAsync(m => m.TemplateKey == TemplateKeys.PushToCompany)).ShouldBe(1);

        var again = await ApiWorld.ProblemAsync(await client.PostAsync("/api/v1/pushes", ApiWorld.Json(body)), 422);
        again["detail"]!.GetValue<string>().ShouldContain("déjà");
        var pushId = push["id"]!.GetValue<Guid>();
        (await ApiWorld.GetAsync(client, $"/api/v1/pushes/{pushId}"))["contact"]!["name"]!.GetValue<string>().ShouldBe("LEFEBVRE Sophie");
        (await ApiWorld.GetAsync(client, "/api/v1/pushes?state=pending"))["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>().ShouldBe(pushId);
        (await ApiWorld.GetAsync(client, "/api/v1/pushes?state=meetingAsked"))["items"]!.AsArray().ShouldBeEmpty();
        await ApiWorld.ProblemAsync(await world.Client(world.OtherKey).GetAsync($"/api/v1/pushes/{pushId}"), 404);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_key_past_its_budget_gets_429_with_retry_after(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider, ("Api:RequestsPerMinute", "3"));
        using var client = world.Client();
        for (var i = 0; i < 3; i++)
            (await client.GetAsync("/api/v1/offers")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await client.GetAsync("/api/v1/offers");
        (await ApiWorld.ProblemAsync(refused, 429))["detail"]!.GetValue<string>().ShouldContain("plus de 3 requêtes en une minute");
        int.Parse(refused.Headers.GetValues("Retry-After").Single()).ShouldBeInRange(1, 60);
        (await world.Client(world.OtherKey).GetAsync("/api/v1/offers")).StatusCode.ShouldBe(HttpStatusCode.OK, "each key has its own budget");
    }

    [Fact]
    public async Task A_value_of_the_wrong_kind_is_refused_with_what_its_field_must_hold()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseProvider.Sqlite);
        using var client = world.Client();
        var s = world.School;
        var referral = (await ApiWorld.PostAsync(client, "/api/v1/referrals",
            new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = s.Candidate.Id } } }))["referrals"]![0]!["id"]!.GetValue<Guid>();
        var counts = await world.CountsAsync();
        var uuid = "doit être un identifiant Passerelle (UUID, par exemple 0195f1c2-7c1e-7d3a-9b1e-2f4c6a8d0e1f).";
        (string Method, string Path, string Body, string Field, string Message)[] cases =
        [
            ("POST", $"/api/v1/referrals/{referral}/answers", """{"party":"school","answer":"acceptOffer"}""", "party", "vaut l'une de ces valeurs : candidate, company."),
            ("POST", $"/api/v1/referrals/{referral}/outcome", """{"outcome":"recruited","party":"candidate"}""", "party", "vaut l'une de ces valeurs : school, company."),
            ("POST", $"/api/v1/referrals/{referral}/outcome", """{"outcome":"hired"}""", "outcome", "vaut l'une de ces valeurs : recruited, notRetained."),
            ("POST", $"/api/v1/referrals/{referral}/answers", """{"party":"candidate","answer":"acceptOffer","version":"1"}""", "version", "doit être un nombre entier."),
            ("POST", $"/api/v1/referrals/{referral}/answers", """{"party":"company","answer":"acceptCandidate","appointment":{"startsAt":"demain 10h"}}""",
                "appointment.startsAt", "doit être une date et une heure ISO 8601 avec son fuseau, par exemple 2027-01-15T14:30:00+01:00."),
            ("POST", "/api/v1/referrals", """{"offerId":"offre-12","contactId":null,"candidates":[]}""", "offerId", uuid),
            ("POST", "/api/v1/referrals", $$"""{"offerId":"{{s.Offer.Id}}","contactId":"{{s.Contact.Id}}","candidates":[{"candidateId":42}]}""", "candidates[0].candidateId", uuid),
            ("POST", "/api/v1/referrals", $$"""{"offerId":"{{s.Offer.Id}}","contactId":"{{s.Contact.Id}}","candidates":["{{s.Candidate.Id}}"]}""", "candidates[0]", "doit être un objet JSON ({ … })."),
            ("POST", "/api/v1/referrals", $$$"""{"offerId":"{{{s.Offer.Id}}}","contactId":"{{{s.Contact.Id}}}","candidates":{"candidateId":"{{{s.Candidate.Id}}}"}}""", "candidates", "doit être une liste ([ … ])."),
            ("POST", "/api/v1/offers", $$"""{"companyId":"{{s.Company.Id}}","title":"T","description":"D","startsOn":"15/01/2027"}""", "startsOn", "doit être une date AAAA-MM-JJ, par exemple 2027-01-15."),
            ("PATCH", $"/api/v1/offers/{s.Offer.Id}", """{"active":"non"}""", "active", "vaut true ou false."),
            ("POST", "/api/v1/candidates", """{"lastName":12,"firstName":"P","email":"p@example.org"}""", "lastName", "doit être un texte entre guillemets."),
        ];
        foreach (var (method, path, body, field, message) in cases)
        {
            var problem = await ApiWorld.ProblemAsync(await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = ApiWorld.Raw(body) }), 422);
            problem["errors"]![field]!.AsArray().Single()!.GetValue<string>().ShouldBe($"« {field} » {message}", body);
        }
        (await world.CountsAsync()).ShouldBe(counts);
    }
}
