using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Storage;
using Passerelle.Tests.Api;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Storage;

/// <summary>
/// A request holds one pooled connection while its handler works (HeldConnection), never while its body comes in nor while its
/// answer is written: with a pool of one connection, an upload still under way or a download its client leaves unread must not
/// stop another request. Were the connection held, the second request would wait for it (Npgsql gives up after 15 s).
/// </summary>
public sealed class HeldConnectionTests
{
    public static TheoryData<DatabaseProvider> PostgreSQLOnly => TestDatabase.PostgreSQLOnly;

    private static readonly byte[] Pdf = DemoPdf.OfSize("CV lent", 8 * 1024 * 1024);

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))]
    public async Task An_api_download_left_unread_holds_no_connection(DatabaseProvider provider)
    {
        provider.ShouldBe(DatabaseProvider.PostgreSQL);
        await using var world = await ApiWorld.WithPoolAsync(connections: 1);
        using var client = world.Client();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Pdf), "file", "cv.pdf" }, { new StringContent("cv"), "kind" } };
        var uploaded = await client.PostAsync($"/api/v1/candidates/{world.School.Candidate.Id}/documents", form);
        uploaded.StatusCode.ShouldBe(HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());

        using var slow = world.Client();
        using var download = await slow.GetAsync(uploaded.Headers.Location, HttpCompletionOption.ResponseHeadersRead);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var meanwhile = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        (await world.Client().GetAsync("/api/v1/candidates", meanwhile.Token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(Pdf);
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))]
    public async Task An_api_request_whose_body_is_still_coming_holds_no_connection(DatabaseProvider provider)
    {
        provider.ShouldBe(DatabaseProvider.PostgreSQL);
        await using var world = await ApiWorld.WithPoolAsync(connections: 1);
        var s = world.School;

        // A JSON body: the connection is held once ApiJson has read it, not from the key's check.
        var create = new HalfThenRest(JsonSerializer.SerializeToUtf8Bytes(new { offerId = s.Offer.Id, contactId = s.Contact.Id, candidates = new[] { new { candidateId = s.Candidate.Id } } }),
            "application/json");
        await AnotherRequestIsAnsweredMeanwhileAsync(world, s, world.Key, "/api/v1/referrals", create);

        // A document's upload (multipart), by the other school's key (not used yet): the same.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(DemoPdf.OfSize("CV", 64 * 1024)), "file", "cv.pdf" }, { new StringContent("cv"), "kind" } };
        var upload = new HalfThenRest(await form.ReadAsByteArrayAsync(), form.Headers.ContentType!.ToString());
        await AnotherRequestIsAnsweredMeanwhileAsync(world, world.Other, world.OtherKey, $"/api/v1/candidates/{world.Other.Candidate.Id}/documents", upload);
    }

    /// <summary>
    /// Posts <paramref name="body"/> with the school's key, half of it at first; once the key is checked (the request then waits
    /// for the rest), another request must be answered; then the rest goes and the post creates.
    /// </summary>
    private static async Task AnotherRequestIsAnsweredMeanwhileAsync(ApiWorld world, SchoolFixture school, string key, string path, HalfThenRest body)
    {
        using var slow = Streaming(world, key);
        var posted = slow.PostAsync(path, body);
        await body.HalfSent.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await KeyUsedAsync(world, school);
        using (var meanwhile = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            (await world.Client().GetAsync("/api/v1/candidates", meanwhile.Token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        body.Rest.SetResult();
        var answer = await posted;
        answer.StatusCode.ShouldBe(HttpStatusCode.Created, await answer.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))]
    public async Task A_page_download_left_unread_holds_no_connection(DatabaseProvider provider)
    {
        provider.ShouldBe(DatabaseProvider.PostgreSQL);
        await using var world = await PortalWorld.WithPoolAsync(connections: 1);
        using var staff = await world.StaffClientAsync("demo.ecole");
        var candidate = Guid.Parse("0193c2a0-0000-7000-8000-000000000401"); // TECHER Margaud in the demo
        (await DocumentUploads.PostAsync(staff, candidate, "cv-lent.pdf", Pdf, new Dictionary<string, string> { ["Kind"] = "Cv" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        Guid document;
        await using (var db = world.Database.NewContext())
            document = await db.Documents.IgnoreQueryFilters().Where(d => d.CandidateId == candidate && d.SizeBytes == Pdf.Length).Select(d => d.Id).SingleAsync();

        using var slow = await world.StaffClientAsync("demo.ecole");
        using var download = await slow.GetAsync($"/ecole/candidats/{candidate}/documents/{document}", HttpCompletionOption.ResponseHeadersRead);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var meanwhile = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        (await staff.GetAsync($"/ecole/candidats/{candidate}", meanwhile.Token)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(Pdf);
    }

    /// <summary>
    /// A client straight on the test server, whose body goes as it is written: the factory's own client buffers a request's
    /// body before sending it (to send it again after a redirect).
    /// </summary>
    private static HttpClient Streaming(ApiWorld world, string key)
    {
        var client = new HttpClient(world.App.Server.CreateHandler()) { BaseAddress = world.App.ClientOptions.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Until the school's key is marked used: the request that presented it is past its key's check.</summary>
    private static async Task KeyUsedAsync(ApiWorld world, SchoolFixture school)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            await using (var db = world.Database.NewContext())
            {
                if (await db.ApiKeys.IgnoreQueryFilters().AnyAsync(k => k.SchoolId == school.School.Id && k.LastUsedAt != null, patience.Token))
                    return;
            }
            await Task.Delay(20, patience.Token);
        }
    }

    /// <summary>A request body sent in two halves: the second once the test says so.</summary>
    private sealed class HalfThenRest : HttpContent
    {
        private readonly byte[] _body;

        public HalfThenRest(byte[] body, string contentType)
        {
            _body = body;
            Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        public TaskCompletionSource HalfSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Rest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, _body.Length / 2));
            await stream.FlushAsync();
            HalfSent.SetResult();
            await Rest.Task;
            await stream.WriteAsync(_body.AsMemory(_body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
