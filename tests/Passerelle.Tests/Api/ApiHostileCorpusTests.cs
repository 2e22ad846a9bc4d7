using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Passerelle.Api;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Api;

/// <summary>
/// Malformed and hostile API requests, each with its exact status and a problem details answer in French: wrong types,
/// missing fields, oversize bodies, bad SIRET, unknown enum values, bad cursors, a replayed idempotency key with another
/// body, wrong content types, no key, a revoked key, another school's ids. No 5xx, and the database unchanged afterwards.
/// </summary>
public sealed class ApiHostileCorpusTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    /// <summary>One request: what it sends (placeholders in braces), the status it must get, a field its errors must name.</summary>
    private sealed record Attack(string Name, string Method, string Path, string? Body = null, int Status = 422, string? Field = null,
        string ContentType = "application/json", string? Key = "{key}", (string Name, string Value)[]? Headers = null, byte[]? Bytes = null);

    private static IEnumerable<Attack> Corpus()
    {
        const string candidate = """{"lastName":"Nom","firstName":"Prénom","email":"nom@example.org"}""";
        // No key, or not a valid one.
        yield return new("no key", "GET", "/api/v1/candidates", Status: 401, Key: null);
        yield return new("empty bearer", "GET", "/api/v1/candidates", Status: 401, Key: "");
        yield return new("basic scheme", "GET", "/api/v1/candidates", Status: 401, Key: null, Headers: [("Authorization", "Basic dXNlcjpwYXNz")]);
        yield return new("key without prefix", "GET", "/api/v1/candidates", Status: 401, Key: "{keyWithoutPrefix}");
        yield return new("key too short", "GET", "/api/v1/candidates", Status: 401, Key: "pas_abc");
        yield return new("well-formed unknown key", "GET", "/api/v1/candidates", Status: 401, Key: "pas_" + new string('A', 43));
        yield return new("key with a changed secret", "GET", "/api/v1/candidates", Status: 401, Key: "{alteredKey}");
        yield return new("key with trailing text", "GET", "/api/v1/candidates", Status: 401, Key: "{key} x");
        yield return new("revoked key", "GET", "/api/v1/candidates", Status: 401, Key: "{revokedKey}");
        yield return new("revoked key writing", "POST", "/api/v1/candidates", candidate, 401, Key: "{revokedKey}");
        yield return new("key in the query string", "GET", "/api/v1/candidates?api_key={key}", Status: 401, Key: null);
        // Addresses and methods.
        yield return new("unknown resource", "GET", "/api/v1/nothing", Status: 404);
        yield return new("unknown version", "GET", "/api/v2/candidates", Status: 404, Key: null);
        yield return new("id not a uuid", "GET", "/api/v1/candidates/12345", Status: 404);
        yield return new("unknown candidate", "GET", "/api/v1/candidates/{random}", Status: 404);
        yield return new("unknown external id", "GET", "/api/v1/candidates/by-external-id/inconnu", Status: 404);
        yield return new("unknown referral", "GET", "/api/v1/referrals/{random}", Status: 404);
        yield return new("path traversal", "GET", "/api/v1/candidates/..%2F..%2Fadmin", Status: 404);
        yield return new("DELETE a list", "DELETE", "/api/v1/candidates", Status: 405);
        yield return new("PUT the referral list", "PUT", "/api/v1/referrals", "{}", 405);
        yield return new("PATCH a candidate", "PATCH", "/api/v1/candidates/{candidate}", "{}", 405);
        yield return new("DELETE a referral", "DELETE", "/api/v1/referrals/{referral}", Status: 405);
        // Another school's ids.
        yield return new("other school's candidate", "GET", "/api/v1/candidates/{otherCandidate}", Status: 404);
        yield return new("other school's candidate update", "PUT", "/api/v1/candidates/{otherCandidate}", candidate, 404);
        yield return new("other school's document", "GET", "/api/v1/candidates/{otherCandidate}/documents/{otherDocument}", Status: 404);
        yield return new("other school's document upload", "POST", "/api/v1/candidates/{otherCandidate}/documents", "x", 404, ContentType: "multipart/form-data; boundary=x");
        yield return new("other school's company", "GET", "/api/v1/companies/{otherCompany}", Status: 404);
        yield return new("other school's contact", "GET", "/api/v1/contacts/{otherContact}", Status: 404);
        yield return new("other school's offer", "GET", "/api/v1/offers/{otherOffer}", Status: 404);
        yield return new("other school's offer change", "PATCH", "/api/v1/offers/{otherOffer}", """{"active":false}""", 404);
        yield return new("other school's referral", "GET", "/api/v1/referrals/{otherReferral}", Status: 404);
        yield return new("other school's referral answer", "POST", "/api/v1/referrals/{otherReferral}/answers", """{"party":"candidate","answer":"acceptOffer"}""", 404);
        yield return new("other school's referral cancel", "POST", "/api/v1/referrals/{otherReferral}/cancel", """{"reason":"x"}""", 404);
        yield return new("other school's referral outcome", "POST", "/api/v1/referrals/{otherReferral}/outcome", """{"outcome":"recruited"}""", 404);
        yield return new("other school's candidate referred", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[{"candidateId":"{otherCandidate}"}]}""", 404);
        yield return new("other school's offer referred", "POST", "/api/v1/referrals", """{"offerId":"{otherOffer}","contactId":"{contact}","candidates":[{"candidateId":"{candidate}"}]}""", 404);
        yield return new("other school's contact referred", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{otherContact}","candidates":[{"candidateId":"{candidate}"}]}""", 404);
        yield return new("other school's document shared", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[{"candidateId":"{candidate}","sharedDocumentIds":["{otherDocument}"]}]}""", 404);
        yield return new("contact for other school's company", "POST", "/api/v1/contacts", """{"companyId":"{otherCompany}","lastName":"A","firstName":"B","email":"ab@example.org"}""", 404);
        yield return new("offer for other school's company", "POST", "/api/v1/offers", """{"companyId":"{otherCompany}","title":"T","description":"D"}""", 404);
        yield return new("other school's push", "GET", "/api/v1/pushes/{random}", Status: 404);
        yield return new("other school's company corrected", "PUT", "/api/v1/companies/{otherCompany}", """{"name":"Rachetée"}""", 404);
        yield return new("other school's contact corrected", "PUT", "/api/v1/contacts/{otherContact}", """{"lastName":"A","firstName":"B","email":"ab@example.org"}""", 404);
        yield return new("other school's offer corrected", "PUT", "/api/v1/offers/{otherOffer}", """{"title":"T","description":"D"}""", 404);
        // Content types.
        yield return new("text/plain", "POST", "/api/v1/candidates", candidate, 415, ContentType: "text/plain");
        yield return new("form-urlencoded", "POST", "/api/v1/candidates", "lastName=Nom", 415, ContentType: "application/x-www-form-urlencoded");
        yield return new("xml", "POST", "/api/v1/referrals", "<referral/>", 415, ContentType: "application/xml");
        yield return new("json in latin-1", "POST", "/api/v1/candidates", candidate, 415, ContentType: "application/json; charset=iso-8859-1");
        yield return new("no content type", "POST", "/api/v1/candidates", candidate, 415, ContentType: "");
        yield return new("json for a document", "POST", "/api/v1/candidates/{candidate}/documents", """{"file":"x"}""", 415);
        // Not JSON, or not an object.
        yield return new("empty body", "POST", "/api/v1/candidates", "", 400);
        yield return new("truncated JSON", "POST", "/api/v1/candidates", """{"lastName":"Nom" """, 400);
        yield return new("trailing comma", "POST", "/api/v1/candidates", """{"lastName":"Nom",}""", 400);
        yield return new("single quotes", "POST", "/api/v1/candidates", "{'lastName':'Nom'}", 400);
        yield return new("array body", "POST", "/api/v1/referrals", "[]", 400);
        yield return new("null body", "POST", "/api/v1/referrals", "null", 400);
        yield return new("string body", "POST", "/api/v1/referrals/{referral}/answers", "\"acceptOffer\"", 400);
        yield return new("invalid UTF-8", "POST", "/api/v1/candidates", null, 400, Bytes: [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        yield return new("nested too deep", "POST", "/api/v1/candidates", new string('[', 40) + new string(']', 40), 400);
        yield return new("body over 1 MB", "POST", "/api/v1/candidates", "{\"lastName\":\"" + new string('a', 1_100_000) + "\"}", 413);
        yield return new("answer body over 1 MB", "POST", "/api/v1/referrals/{referral}/answers", "{\"comment\":\"" + new string('é', 600_000) + "\"}", 413);
        // Wrong types and unknown values.
        yield return new("name as a number", "POST", "/api/v1/candidates", """{"lastName":123,"firstName":"P","email":"a@example.org"}""", Field: "lastName");
        // A NUL character (PostgreSQL cannot store it): in a body, nested in a body, in a filter.
        yield return new("NUL in a name", "POST", "/api/v1/candidates", """{"lastName":"Du\u0000rand","firstName":"P","email":"a@example.org"}""", Field: "lastName");
        yield return new("NUL in a company name", "POST", "/api/v1/companies", """{"name":"Ac\u0000me","siret":"{siret}"}""", Field: "name");
        yield return new("NUL in a list's filter", "GET", "/api/v1/candidates?externalId=a%00b", Field: "externalId");
        yield return new("email as an array", "POST", "/api/v1/candidates", """{"lastName":"N","firstName":"P","email":["a@example.org"]}""", Field: "email");
        yield return new("unknown field", "POST", "/api/v1/candidates", """{"lastName":"N","firstName":"P","email":"a@example.org","isAdmin":true}""", Field: "isAdmin");
        yield return new("offer id not a uuid", "POST", "/api/v1/referrals", """{"offerId":"42","contactId":"{contact}","candidates":[{"candidateId":"{candidate}"}]}""", Field: "offerId");
        yield return new("candidates not a list", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":"{candidate}"}""", Field: "candidates");
        yield return new("version as text", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"candidate","answer":"acceptOffer","version":"un"}""", Field: "version");
        yield return new("version as a numeric text", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"candidate","answer":"acceptOffer","version":"1"}""", Field: "version");
        yield return new("unknown party", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"boss","answer":"acceptOffer"}""", Field: "party");
        yield return new("party as a number", "POST", "/api/v1/referrals/{referral}/answers", """{"party":0,"answer":"acceptOffer"}""", Field: "party");
        yield return new("unknown answer", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"candidate","answer":"maybe"}""", Field: "answer");
        yield return new("answer in another case", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"candidate","answer":"AcceptOffer!"}""", Field: "answer");
        yield return new("unknown outcome", "POST", "/api/v1/referrals/{referral}/outcome", """{"outcome":"hired"}""", Field: "outcome");
        yield return new("appointment date not a date", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"company","answer":"acceptCandidate","appointment":{"startsAt":"demain"}}""", Field: "appointment.startsAt");
        yield return new("start date impossible", "POST", "/api/v1/offers", """{"companyId":"{company}","title":"T","description":"D","startsOn":"2027-02-30"}""", Field: "startsOn");
        yield return new("active as text", "PATCH", "/api/v1/offers/{offer}", """{"active":"non"}""", Field: "active");
        yield return new("unknown contract", "PUT", "/api/v1/offers/{offer}", """{"title":"T","description":"D","contract":"cdi"}""", Field: "contract");
        yield return new("company corrected with a bad SIRET", "PUT", "/api/v1/companies/{company}", """{"name":"N","siret":"12345678901234"}""", Field: "siret");
        yield return new("company corrected without name", "PUT", "/api/v1/companies/{company}", """{"address":"Bordeaux"}""", Field: "name");
        yield return new("contact corrected with a bad e-mail", "PUT", "/api/v1/contacts/{contact}", """{"lastName":"A","firstName":"B","email":"pas une adresse"}""", Field: "email");
        yield return new("offer corrected with a title too long", "PUT", "/api/v1/offers/{offer}", "{\"title\":\"" + new string('t', 201) + "\",\"description\":\"D\"}", Field: "title");
        yield return new("unknown document kind", "POST", "/api/v1/candidates/{candidate}/documents", null, Field: "kind", ContentType: "multipart");
        // Missing or invalid fields.
        yield return new("empty candidate", "POST", "/api/v1/candidates", "{}", Field: "lastName");
        yield return new("bad e-mail", "POST", "/api/v1/candidates", """{"lastName":"N","firstName":"P","email":"pas une adresse"}""", Field: "email");
        yield return new("name too long", "POST", "/api/v1/candidates", "{\"lastName\":\"" + new string('N', 101) + "\",\"firstName\":\"P\",\"email\":\"a@example.org\"}", Field: "lastName");
        yield return new("external id too long", "POST", "/api/v1/candidates", "{\"lastName\":\"N\",\"firstName\":\"P\",\"email\":\"a@example.org\",\"externalId\":\"" + new string('x', 101) + "\"}", Field: "externalId");
        yield return new("external id with spaces around", "POST", "/api/v1/candidates", """{"lastName":"N","firstName":"P","email":"a@example.org","externalId":" ETU "}""", Field: "externalId");
        yield return new("external id differs from the address", "PUT", "/api/v1/candidates/by-external-id/ETU-1", """{"lastName":"N","firstName":"P","email":"a@example.org","externalId":"ETU-2"}""", Field: "externalId");
        yield return new("bad SIRET key", "POST", "/api/v1/companies", """{"name":"Acme","siret":"12345678901234"}""", Field: "siret");
        yield return new("SIRET with letters", "POST", "/api/v1/companies", """{"name":"Acme","siret":"ABCDEFGHIJKLMN"}""", Field: "siret");
        yield return new("SIRET too short", "POST", "/api/v1/companies", """{"name":"Acme","siret":"123"}""", Field: "siret");
        yield return new("company without name", "POST", "/api/v1/companies", """{"siret":"{siret}"}""", Field: "name");
        yield return new("contact without company", "POST", "/api/v1/contacts", """{"lastName":"A","firstName":"B","email":"ab@example.org"}""", Field: "companyId");
        yield return new("contact with a bad e-mail", "POST", "/api/v1/contacts", """{"companyId":"{company}","lastName":"A","firstName":"B","email":"ab@"}""", Field: "email");
        yield return new("offer without title", "POST", "/api/v1/offers", """{"companyId":"{company}","description":"D"}""", Field: "title");
        // Control characters alone are a blank name once kept on one line (Common/OneLine).
        yield return new("candidate named by control characters", "POST", "/api/v1/candidates", """{"lastName":"\u0001\u0002","firstName":"Léa","email":"cc@example.org"}""", Field: "lastName");
        yield return new("contact named by control characters", "POST", "/api/v1/contacts", """{"companyId":"{company}","lastName":"A","firstName":"\u0007","email":"cc@example.org"}""", Field: "firstName");
        yield return new("offer titled by control characters", "POST", "/api/v1/offers", """{"companyId":"{company}","title":"\u001b\r\n","description":"D"}""", Field: "title");
        yield return new("company named by control characters", "POST", "/api/v1/companies", """{"name":"\u0001","siret":"{siret}"}""", Field: "name");
        yield return new("offer change without active", "PATCH", "/api/v1/offers/{offer}", "{}", Field: "active");
        yield return new("referral without candidates", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[]}""", Field: "candidates");
        yield return new("referral without offer", "POST", "/api/v1/referrals", """{"contactId":"{contact}","candidates":[{"candidateId":"{candidate}"}]}""", Field: "offerId");
        yield return new("referral with a null candidate", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[null]}""", Field: "candidates[0].candidateId");
        yield return new("same candidate twice", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[{"candidateId":"{candidate}"},{"candidateId":"{candidate}"}]}""", Field: "candidates");
        yield return new("51 candidates", "POST", "/api/v1/referrals", "{\"offerId\":\"{offer}\",\"contactId\":\"{contact}\",\"candidates\":[" + string.Join(",", Enumerable.Repeat("{\"candidateId\":\"{random}\"}", 51)) + "]}", Field: "candidates");
        yield return new("already referred to that offer", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[{"candidateId":"{candidate}"}]}""", Field: "candidates[0]");
        yield return new("answer without party", "POST", "/api/v1/referrals/{referral}/answers", """{"answer":"acceptOffer"}""", Field: "party");
        yield return new("answer as the school", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"school","answer":"acceptOffer"}""", Field: "party");
        yield return new("acceptCandidate without appointment", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"company","answer":"acceptCandidate"}""", Field: "appointment.startsAt");
        yield return new("appointment with another answer", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"candidate","answer":"acceptOffer","appointment":{"startsAt":"2030-01-01T10:00:00Z"}}""", Field: "appointment");
        yield return new("comment too long", "POST", "/api/v1/referrals/{referral}/answers", "{\"party\":\"candidate\",\"answer\":\"acceptOffer\",\"comment\":\"" + new string('c', 2001) + "\"}", Field: "comment");
        yield return new("cancel without reason", "POST", "/api/v1/referrals/{referral}/cancel", "{}", Field: "reason");
        yield return new("outcome as the candidate", "POST", "/api/v1/referrals/{referral}/outcome", """{"outcome":"recruited","party":"candidate"}""", Field: "party");
        yield return new("push without profiles", "POST", "/api/v1/pushes", """{"contactIds":["{contact}"]}""", Field: "profiles");
        // Workflow refusals.
        yield return new("stale version", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"candidate","answer":"acceptOffer","version":0}""", 409);
        yield return new("company before the candidate", "POST", "/api/v1/referrals/{referral}/answers", """{"party":"company","answer":"refuseCandidate"}""", 409);
        yield return new("outcome before an appointment", "POST", "/api/v1/referrals/{referral}/outcome", """{"outcome":"recruited"}""", 409);
        yield return new("external id already taken", "POST", "/api/v1/candidates", """{"lastName":"N","firstName":"P","email":"a@example.org","externalId":"ETU-1"}""", 409);
        yield return new("company already listed", "POST", "/api/v1/companies", """{"name":"Encore","siret":"{siret}"}""", 409);
        yield return new("contact already working with the school", "POST", "/api/v1/contacts", """{"companyId":"{company}","lastName":"A","firstName":"B","email":"{contactEmail}"}""", 409);
        // Idempotency keys.
        yield return new("replayed key, another body", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[{"candidateId":"{candidate2}"}]}""",
            Field: Idempotency.Header, Headers: [(Idempotency.Header, "cle-deja-utilisee")]);
        yield return new("idempotency key too long", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[{"candidateId":"{candidate2}"}]}""", 400,
            Headers: [(Idempotency.Header, new string('k', 201))]);
        yield return new("idempotency key with spaces", "POST", "/api/v1/referrals", """{"offerId":"{offer}","contactId":"{contact}","candidates":[{"candidateId":"{candidate2}"}]}""", 400,
            Headers: [(Idempotency.Header, "une clé")]);
        // Query strings.
        yield return new("limit zero", "GET", "/api/v1/referrals?limit=0", Field: "limit");
        yield return new("limit too large", "GET", "/api/v1/candidates?limit=100000", Field: "limit");
        yield return new("limit not a number", "GET", "/api/v1/offers?limit=abc", Field: "limit");
        yield return new("negative limit", "GET", "/api/v1/companies?limit=-5", Field: "limit");
        yield return new("cursor not ours", "GET", "/api/v1/referrals?cursor=abc", Field: "cursor");
        yield return new("cursor of other length", "GET", "/api/v1/candidates?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAA", Field: "cursor");
        yield return new("unknown stage", "GET", "/api/v1/referrals?stage=won", Field: "stage");
        yield return new("stage in another case", "GET", "/api/v1/referrals?stage=AwaitingCandidate", Field: "stage");
        yield return new("offer filter not a uuid", "GET", "/api/v1/referrals?offerId=1", Field: "offerId");
        yield return new("updatedSince not a date", "GET", "/api/v1/referrals?updatedSince=hier", Field: "updatedSince");
        yield return new("updatedSince without zone", "GET", "/api/v1/referrals?updatedSince=2026-01-01T00:00:00", Field: "updatedSince");
        yield return new("active not a boolean", "GET", "/api/v1/offers?active=oui", Field: "active");
        yield return new("bad SIRET filter", "GET", "/api/v1/companies?siret=123", Field: "siret");
        yield return new("unknown push state", "GET", "/api/v1/pushes?state=lost", Field: "state");
        yield return new("search too long", "GET", "/api/v1/candidates?q=" + new string('q', 101), Field: "q");
        yield return new("a filter the list does not take", "GET", "/api/v1/candidates?updatedSince=2026-01-01T00:00:00Z", Field: "updatedSince");
        yield return new("a misspelt filter", "GET", "/api/v1/referrals?stages=awaitingCompany", Field: "stages");
        yield return new("a parameter without a value", "GET", "/api/v1/offers?actif", Field: "actif");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_hostile_request_gets_its_exact_problem_and_changes_nothing(DatabaseProvider provider)
    {
        await using var world = await ApiWorld.CreateAsync(provider);
        var s = world.School;
        using var client = world.Client();
        await using (var db = world.Db())
            await db.Schools.Where(x => x.Id == s.School.Id).ExecuteUpdateAsync(set => set.SetProperty(x => x.PushCvEnabled, true));
        // What the attacks lean on: a referral, a candidate with an external id, a used idempotency key, a revoked key.
        var referral = await Seed.ReferralAsync(world.Database, s);
        var otherReferral = await Seed.ReferralAsync(world.Database, world.Other);
        await ApiWorld.PostAsync(client, "/api/v1/candidates", new { lastName = "Externe", firstName = "Un", email = "un@example.org", externalId = "ETU-1" });
        var candidate2 = (await ApiWorld.PostAsync(client, "/api/v1/candidates", new { lastName = "Deux", firstName = "D", email = "deux@example.org" }))["id"]!.GetValue<Guid>();
        var first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/referrals")
        {
            Content = ApiWorld.Json(new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = candidate2 } } }),
            Headers = { { Idempotency.Header, "cle-deja-utilisee" } },
        });
        first.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        // The same body as the first, but a different candidate: for the replay attack, a new free candidate.
        candidate2 = (await ApiWorld.PostAsync(client, "/api/v1/candidates", new { lastName = "Trois", firstName = "T", email = "trois@example.org" }))["id"]!.GetValue<Guid>();
        var revoked = await ApiWorld.KeyAsync(world.Database, s, "Ancien ERP");
        await using (var db = world.Db())
        {
            var id = (await db.ApiKeys.SingleAsync(k => k.Name == "Ancien ERP")).Id;
            await ApiKeys.RevokeAsync(db, id, Seed.Now, CancellationToken.None);
        }
        var altered = world.Key[..^2] + (world.Key[^2] == 'A' ? "BA" : "AA");
        var values = new Dictionary<string, string>
        {
            ["{key}"] = world.Key, ["{keyWithoutPrefix}"] = world.Key["pas_".Length..], ["{alteredKey}"] = altered, ["{revokedKey}"] = revoked,
            ["{candidate}"] = s.Candidate.Id.ToString(), ["{candidate2}"] = candidate2.ToString(), ["{offer}"] = s.Offer.Id.ToString(),
            ["{contact}"] = s.Contact.Id.ToString(), ["{company}"] = s.Company.Id.ToString(), ["{referral}"] = referral.ToString(),
            ["{siret}"] = s.Company.Siret, ["{contactEmail}"] = s.Contact.Email,
            ["{otherCandidate}"] = world.Other.Candidate.Id.ToString(), ["{otherDocument}"] = world.Other.Document.Id.ToString(),
            ["{otherCompany}"] = world.Other.Company.Id.ToString(), ["{otherContact}"] = world.Other.Contact.Id.ToString(),
            ["{otherOffer}"] = world.Other.Offer.Id.ToString(), ["{otherReferral}"] = otherReferral.ToString(),
        };
        string Fill(string text)
        {
            foreach (var (placeholder, value) in values)
                text = text.Replace(placeholder, value, StringComparison.Ordinal);
            while (text.Contains("{random}", StringComparison.Ordinal))
                text = new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape("{random}")).Replace(text, Guid.NewGuid().ToString(), 1);
            return text;
        }

        var attacks = Corpus().ToList();
        attacks.Count.ShouldBeGreaterThanOrEqualTo(80);
        attacks.Select(a => a.Name).ShouldBeUnique();
        var before = await world.CountsAsync();
        var failures = new List<string>();
        foreach (var attack in attacks)
        {
            using var http = world.App.CreateClient();
            using var request = new HttpRequestMessage(new HttpMethod(attack.Method), Fill(attack.Path));
            if (attack.Key is { } key)
                request.Headers.TryAddWithoutValidation("Authorization", key.Length == 0 ? "Bearer " : $"Bearer {Fill(key)}");
            foreach (var (name, value) in attack.Headers ?? [])
                request.Headers.TryAddWithoutValidation(name, value);
            if (attack.ContentType == "multipart")
            {
                request.Content = new MultipartFormDataContent { { new ByteArrayContent(Passerelle.Demo.DemoPdf.Create("cv")), "file", "cv.pdf" }, { new StringContent("passeport"), "kind" } };
            }
            else if (attack.Bytes is { } bytes)
            {
                request.Content = new ByteArrayContent(bytes);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(attack.ContentType);
            }
            else if (attack.Body is { } body)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Fill(body)));
                if (attack.ContentType.Length > 0)
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", attack.ContentType);
            }
            var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status != attack.Status || response.Content.Headers.ContentType?.MediaType != ApiProblem.ContentType)
            {
                failures.Add($"{attack.Name}: {status} {response.Content.Headers.ContentType} (expected {attack.Status}) {text[..Math.Min(300, text.Length)]}");
                continue;
            }
            var problem = System.Text.Json.Nodes.JsonNode.Parse(text)!;
            if (problem["title"]?.GetValue<string>() != ApiWorld.FrenchTitles.GetValueOrDefault(status) || string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()))
                failures.Add($"{attack.Name}: title or detail missing: {text}");
            else if (attack.Field is { } field && problem["errors"]?[field] is null)
                failures.Add($"{attack.Name}: errors.{field} missing: {text}");
        }
        failures.ShouldBeEmpty(string.Join("\n", failures));
        (await world.CountsAsync()).ShouldBe(before);
    }
}
