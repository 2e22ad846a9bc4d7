using System.Net;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Storage;
using Passerelle.Tests.Api;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Storage;

/// <summary>
/// A request holds one pooled connection while its handler works (HeldConnection), and never while the answer is written:
/// with a pool of one connection, a download its client leaves unread must not stop another request. Without the release,
/// the second request waits for the connection (Npgsql gives up after 15 s).
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
}
