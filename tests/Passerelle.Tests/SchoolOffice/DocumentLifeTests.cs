using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Demo;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>Removing and replacing a candidate's documents (issue 16): the file goes, the referrals that shared it say so.</summary>
[Trait(Category.Name, Category.Smtp)]
public class DocumentLifeTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_removed_document_leaves_storage_and_its_referrals_say_document_retire_and_a_replaced_one_shows_its_new_version(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var staff = await world.StaffClientAsync("demo.ecole");
        var referral = await world.ReferralOfAsync("TECHER"); // shares three of Margaud's documents; she accepted the offer
        List<Document> shared;
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            shared = await (from d in db.Documents join s in db.ReferralDocuments on d.Id equals s.DocumentId where s.ReferralId == referral select d)
                .OrderBy(d => d.UploadedAt).ToListAsync();
        }
        shared.Count.ShouldBeGreaterThanOrEqualTo(2);
        var (removed, replaced) = (shared[0], shared[1]);
        var candidateId = removed.CandidateId;
        var removedFile = Path.Combine(world.DocumentsFolder, removed.StorageKey);
        File.Exists(removedFile).ShouldBeTrue();

        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/candidats/{candidateId}");
        var after = await Browserless.ReadAsync(await Browserless.SubmitAsync(staff, page, $"Retirer le document « {removed.Label} »"));
        after.Text().ShouldContain($"Le document « {removed.Label} » est retiré");
        after.QuerySelectorAll("ul.documents-managed a").Select(a => a.TextContent).ShouldNotContain(removed.Label);
        File.Exists(removedFile).ShouldBeFalse("the file is deleted from storage");
        (await staff.GetAsync($"/ecole/candidats/{candidateId}/documents/{removed.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var again = await Browserless.SubmitAsync(staff, page, $"Retirer le document « {removed.Label} »");
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict, "a second click from the same page");

        var retire = Document.RemovedLabel(removed.Kind);
        var (_, schoolView) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{referral}");
        schoolView.Text().ShouldContain(retire);
        schoolView.QuerySelectorAll("a.document").Select(a => a.TextContent).ShouldNotContain(retire);
        using var sophie = world.Client();
        await PortalWorld.LogInAsync(sophie, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(sophie, DemoData.SchoolId);
        var (_, companyView) = await Browserless.GetAsync(sophie, $"/entreprise/candidats/{referral}/profil");
        companyView.Text().ShouldContain(retire);
        companyView.Text().ShouldNotContain(removed.Title, Case.Sensitive, "the company no longer sees what it was called");
        (await sophie.GetAsync($"/entreprise/candidats/{referral}/documents/{removed.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Browserless.GetAsync(sophie, "/entreprise/candidats")).Page.Text().ShouldContain(retire);
        // Not offered for a new referral either.
        var (_, newReferral) = await Browserless.GetAsync(staff, "/ecole/mises-en-relation/nouvelle?offre=0193c2a0-0000-7000-8000-000000000301");
        newReferral.QuerySelectorAll("input[name=Documents]").Select(i => i.GetAttribute("value")).ShouldNotContain($"{candidateId}:{removed.Id}");

        // A new version: stored under a new name, the old file deleted, the company downloads the new bytes.
        var oldFile = Path.Combine(world.DocumentsFolder, replaced.StorageKey);
        var newBytes = DemoPdf.Create("nouvelle version du CV");
        var newVersion = new Dictionary<string, string> { ["Replaces"] = replaced.Id.ToString() };
        (await Browserless.ReadAsync(await DocumentUploads.PostAsync(staff, candidateId, "cv-2027.pdf", newBytes, newVersion))).Text()
            .ShouldContain($"La nouvelle version de « {replaced.Label} » est enregistrée");
        File.Exists(oldFile).ShouldBeFalse("the old version is deleted");
        var download = await sophie.GetAsync($"/entreprise/candidats/{referral}/documents/{replaced.Id}");
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync()).ShouldBe(newBytes);

        // A file refused as a new version changes nothing.
        var filesBefore = Directory.GetFiles(world.DocumentsFolder, "*", SearchOption.AllDirectories).Length;
        (await Browserless.ReadAsync(await DocumentUploads.PostAsync(staff, candidateId, "cv.pdf", [0x4D, 0x5A, 0x90, 0x00], newVersion))).Text()
            .ShouldContain("Ce type de fichier n'est pas accepté");
        Directory.GetFiles(world.DocumentsFolder, "*", SearchOption.AllDirectories).Length.ShouldBe(filesBefore, "a refused file is not stored");
        (await (await sophie.GetAsync($"/entreprise/candidats/{referral}/documents/{replaced.Id}")).Content.ReadAsByteArrayAsync()).ShouldBe(newBytes);

        // Another school's staff cannot remove it.
        // (with a valid form token of their own: the refusal is the school's, not the token's)
        using var cfa = await world.StaffClientAsync("demo.cfa");
        var (_, cfaPage) = await Browserless.GetAsync(cfa, "/ecole/candidats");
        var cfaToken = cfaPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        (await cfa.PostAsync($"/ecole/candidats/{candidateId}?handler=RemoveDocument&documentId={replaced.Id}",
            new FormUrlEncodedContent([new("__RequestVerificationToken", cfaToken)]))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using (var db = world.Database.NewContext())
            (await db.Documents.IgnoreQueryFilters().SingleAsync(d => d.Id == replaced.Id)).RemovedAt.ShouldBeNull();
    }
}
