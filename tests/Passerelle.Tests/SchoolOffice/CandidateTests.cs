using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Candidates;
using Passerelle.Demo;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>Candidates and their documents in Passerelle École, including uploads that must be refused.</summary>
[Trait(Category.Name, Category.Smtp)]
public class CandidateTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Staff_add_a_candidate_then_upload_documents_of_each_accepted_type(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = await LoggedInAsync(world);
        var (_, list) = await Browserless.GetAsync(client, "/ecole/candidats");

        var invalid = await Browserless.SubmitAsync(client, list, "Ajouter le candidat", new Dictionary<string, string>
        {
            ["Form.LastName"] = "Martinez", ["Form.FirstName"] = "Inès", ["Form.Email"] = "ines martinez@example",
        });
        invalid.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(invalid)).Text().ShouldContain("L'adresse e-mail n'est pas valide.");

        var created = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, list, "Ajouter le candidat", new Dictionary<string, string>
        {
            ["Form.LastName"] = "Martinez", ["Form.FirstName"] = "Inès", ["Form.Email"] = "ines@example.org",
        }));
        created.Text().ShouldContain("MARTINEZ Inès est ajouté(e).");
        var candidateId = await CandidateIdAsync(world, "Martinez");
        // The same again (a double click, a colleague adding her too): her page, not a second Inès.
        var again = await Browserless.ReadAsync(await Browserless.SubmitAsync(client, list, "Ajouter le candidat", new Dictionary<string, string>
        {
            ["Form.LastName"] = "Martinez", ["Form.FirstName"] = "Inès", ["Form.Email"] = "Ines@Example.org",
        }));
        again.Text().ShouldContain("MARTINEZ Inès a déjà l'adresse Ines@Example.org : voici sa fiche.");
        await using (var db = world.Database.NewContext())
            (await db.ForSchool(Passerelle.Demo.DemoData.SchoolId).Candidates.CountAsync(c => c.LastName.ToUpper() == "MARTINEZ")).ShouldBe(1);

        foreach (var (name, bytes, kind) in new[]
        {
            ("cv.pdf", Passerelle.Demo.DemoPdf.Create("cv"), "Cv"),
            ("lettre.docx", Docx(), "CoverLetter"),
            ("diplome.jpg", new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3 }, "Diploma"),
            ("bulletin.png", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0 }, "Transcript"),
        })
        {
            var response = await UploadAsync(client, candidateId, name, bytes, kind);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, name);
        }

        var documents = await DocumentsAsync(world, candidateId);
        documents.Select(d => (d.Label, d.ContentType)).ShouldBe(
        [
            ("CV - cv", "application/pdf"), ("Lettre de motivation - lettre", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("Bulletin de notes - bulletin", "image/png"), ("Diplome / justificatif d'obtention - diplome", "image/jpeg"),
        ], ignoreOrder: true);
        documents.ShouldAllBe(d => d.StorageKey == DocumentStorage.NewKey(DemoData.SchoolId, d.Id), "the server chooses the stored name");
        var download = await client.GetAsync($"/ecole/candidats/{candidateId}/documents/{documents.Single(d => d.Kind == DocumentKind.Cv).Id}");
        download.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("CV - cv.pdf");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Abusive_uploads_are_refused_in_french_and_store_nothing(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = await LoggedInAsync(world);
        var margaud = await CandidateIdAsync(world, "TECHER");
        var before = (await DocumentsAsync(world, margaud)).Count;

        var executable = await UploadAsync(client, margaud, "cv.pdf", [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00], "Cv");
        (await Browserless.ReadAsync(executable)).Text().ShouldContain("Ce type de fichier n'est pas accepté");

        var huge = await UploadAsync(client, margaud, "enorme.pdf", [.. "%PDF-1.4"u8.ToArray(), .. new byte[50 * 1024 * 1024]], "Cv");
        (await Browserless.ReadAsync(huge)).Text().ShouldContain("Le fichier dépasse 10 Mo");

        var empty = await UploadAsync(client, margaud, "vide.pdf", [], "Cv");
        (await Browserless.ReadAsync(empty)).Text().ShouldContain("Le fichier est vide");

        var script = await UploadAsync(client, margaud, "cv.pdf", "%PDF-1.4\n<html><script>alert(document.cookie)</script></html>"u8.ToArray(), "Cv");
        (await Browserless.ReadAsync(script)).Text().ShouldContain("Ce fichier PDF est illisible ou endommagé");

        var traversal = await UploadAsync(client, margaud, "../../../etc/passwd.pdf", Passerelle.Demo.DemoPdf.Create("passwd"), "Other");
        traversal.StatusCode.ShouldBe(HttpStatusCode.OK);

        var documents = await DocumentsAsync(world, margaud);
        documents.Count.ShouldBe(before + 1, "only the well-formed PDF was stored");
        var stored = documents.Single(d => d.Kind == DocumentKind.Other);
        stored.Title.ShouldBe("passwd");
        stored.StorageKey.ShouldBe(DocumentStorage.NewKey(DemoData.SchoolId, stored.Id));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_document_saved_after_an_erasure_or_a_removal_it_did_not_see_leaves_no_row_and_no_file(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var storage = world.App.Services.GetRequiredService<DocumentStorage>();
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var pdf = Passerelle.Demo.DemoPdf.Create("CV");
        IFormFile Upload() => new FormFile(new MemoryStream(pdf), 0, pdf.Length, "File", "cv.pdf");
        int Files() => Directory.EnumerateFiles(world.DocumentsFolder, "*", SearchOption.AllDirectories).Count();
        var margaud = await CandidateIdAsync(world, "TECHER");

        // A new version of a document that was removed after the page read it (the upload takes a while).
        await using (var db = world.Database.NewContext().ForSchool(DemoData.SchoolId))
        {
            var stale = await db.Documents.FirstAsync(d => d.CandidateId == margaud && d.RemovedAt == null);
            var key = stale.StorageKey;
            await using (var other = world.Database.NewContext().ForSchool(DemoData.SchoolId))
                await other.Documents.Where(d => d.Id == stale.Id).ExecuteUpdateAsync(set => set.SetProperty(d => d.RemovedAt, Seed.Now));
            var files = Files();
            (await storage.ReplaceAsync(db, stale, Upload(), logger, Seed.Now, CancellationToken.None)).ShouldBe("introuvable");
            Files().ShouldBe(files, "the new version's file is deleted again");
            await using var check = world.Database.NewContext().ForSchool(DemoData.SchoolId);
            (await check.Documents.SingleAsync(d => d.Id == stale.Id)).StorageKey.ShouldBe(key);
        }

        // A new document for a candidate erased after the page looked.
        await using (var db = world.Database.NewContext().ForSchool(DemoData.SchoolId))
        {
            await db.Candidates.Where(c => c.Id == margaud).ExecuteUpdateAsync(set => set.SetProperty(c => c.ErasedAt, Seed.Now));
            var before = await db.Documents.CountAsync(d => d.CandidateId == margaud);
            var files = Files();
            var (document, refusal) = await storage.AddAsync(db, margaud, Upload(), DocumentKind.Cv, null, logger, Seed.Now, CancellationToken.None);
            (document, refusal).ShouldBe((null, DocumentStorage.CandidateErased));
            (await db.Documents.CountAsync(d => d.CandidateId == margaud)).ShouldBe(before);
            Files().ShouldBe(files);
        }
    }

    private static Task<HttpClient> LoggedInAsync(PortalWorld world) => world.StaffClientAsync("demo.ecole");

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid candidateId, string fileName, byte[] bytes, string kind) =>
        DocumentUploads.PostAsync(client, candidateId, fileName, bytes, new Dictionary<string, string> { ["Kind"] = kind });

    private static byte[] Docx()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in new[] { "[Content_Types].xml", "word/document.xml" })
            {
                using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
                writer.Write("<?xml version=\"1.0\"?><x/>");
            }
        }
        return stream.ToArray();
    }

    private static async Task<Guid> CandidateIdAsync(PortalWorld world, string lastName)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        return await db.Candidates.Where(c => c.LastName.ToUpper() == lastName.ToUpper()).Select(c => c.Id).SingleAsync();
    }

    private static async Task<List<Document>> DocumentsAsync(PortalWorld world, Guid candidateId)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        return await db.Documents.Where(d => d.CandidateId == candidateId).ToListAsync();
    }
}
