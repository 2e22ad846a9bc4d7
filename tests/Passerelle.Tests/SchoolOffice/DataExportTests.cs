using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
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

/// <summary>"Exporter les données" (issue 16): one ZIP a person can read, with everything the school holds about them.</summary>
[Trait(Category.Name, Category.Smtp)]
public class DataExportTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_candidates_export_holds_their_identity_every_referral_with_its_timeline_their_mails_and_their_documents_byte_for_byte(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        await world.App.Services.GetRequiredService<OutboxDelivery>().DispatchOnceAsync(CancellationToken.None); // Léa's offer mail
        using var staff = await world.StaffClientAsync("demo.ecole");
        Guid leaId;
        List<Guid> referralIds;
        List<Passerelle.Candidates.Document> documents;
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            leaId = await db.Candidates.Where(c => c.LastName == "DUPONT").Select(c => c.Id).SingleAsync();
            referralIds = await db.Referrals.Where(r => r.CandidateId == leaId).Select(r => r.Id).ToListAsync();
            documents = await db.Documents.Where(d => d.CandidateId == leaId).ToListAsync();
        }
        referralIds.ShouldNotBeEmpty();
        documents.ShouldNotBeEmpty();
        // Sophie looked at her CV through the mail link's page (as ProfileViews records it).
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId).ProfileViews.Add(new ProfileView
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, ReferralId = referralIds[0], ContactId = DemoData.ContactId,
                DocumentId = documents[0].Id, Channel = Channel.EmailLink, ViewedAt = Seed.Now,
            });
            await db.SaveChangesAsync();
        }

        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/candidats/{leaId}");
        await Browserless.EditAsync(staff, page, "Enregistrer", new Dictionary<string, string> { ["Form.Phone"] = "07 12 34 56 78" });
        (_, page) = await Browserless.GetAsync(staff, $"/ecole/candidats/{leaId}");
        var response = await Browserless.SubmitAsync(staff, page, "Exporter les données");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe("donnees-dupont-lea.zip");
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);

        var data = JsonNode.Parse(await new StreamReader(zip.GetEntry(DataExport.DataFile)!.Open()).ReadToEndAsync())!;
        data["school"]!.GetValue<string>().ShouldBe("Passerelle School");
        data["candidate"]!["lastName"]!.GetValue<string>().ShouldBe("DUPONT");
        data["candidate"]!["email"]!.GetValue<string>().ShouldBe("lea.dupont@example.org");
        var referrals = data["referrals"]!.AsArray();
        referrals.Select(r => r!["id"]!.GetValue<Guid>()).ShouldBe(referralIds, ignoreOrder: true);
        referrals[0]!["timeline"]!.AsArray().Select(t => t!["what"]!.GetValue<string>()).ShouldContain("Mise en relation proposée");
        var look = data["views"]!.AsArray().ShouldHaveSingleItem()!;
        (look["at"]!.GetValue<DateTimeOffset>(), look["contact"]!.GetValue<string>(), look["channel"]!.GetValue<string>(), look["referralId"]!.GetValue<Guid>())
            .ShouldBe((Seed.Now, "LEFEBVRE Sophie", "EmailLink", referralIds[0]));
        look["what"]!.GetValue<string>().ShouldStartWith(Passerelle.Candidates.Document.KindLabel(documents[0].Kind));
        var mail = data["mails"]!.AsArray().ShouldHaveSingleItem()!;
        mail["state"]!.GetValue<string>().ShouldBe("Sent");
        mail["text"]!.GetValue<string>().ShouldContain("Léa");
        // The edits of her record, with who made them.
        var edit = data["history"]!.AsArray().ShouldHaveSingleItem()!;
        edit["by"]!.GetValue<string>().ShouldBe("MARTIN Benoît");
        var phone = edit["changes"]!.AsArray().ShouldHaveSingleItem()!;
        (phone["field"]!.GetValue<string>(), phone["after"]!.GetValue<string>()).ShouldBe(("Téléphone", "07 12 34 56 78"));

        // Every document, byte for byte, where the JSON says it is.
        var listed = data["documents"]!.AsArray();
        listed.Count.ShouldBe(documents.Count);
        foreach (var document in documents)
        {
            var entry = listed.Single(d => d!["id"]!.GetValue<Guid>() == document.Id)!;
            var inZip = zip.GetEntry(entry["file"]!.GetValue<string>())!;
            using var copy = new MemoryStream();
            await inZip.Open().CopyToAsync(copy);
            copy.ToArray().ShouldBe(await File.ReadAllBytesAsync(Path.Combine(world.DocumentsFolder, document.StorageKey)));
        }
        var readme = await new StreamReader(zip.GetEntry(DataExport.ReadmeFile)!.Open()).ReadToEndAsync();
        readme.ShouldContain("droit d'accès");
        readme.ShouldContain(DataExport.DataFile);

        // Recorded in the candidate's history.
        (await Browserless.GetAsync(staff, $"/ecole/candidats/{leaId}")).Page.QuerySelector("ul.history")!.TextContent
            .ShouldContain("Export des données : archive ZIP remise");
        // Another school's staff get nothing.
        using var cfa = await world.StaffClientAsync("demo.cfa");
        var (_, cfaPage) = await Browserless.GetAsync(cfa, "/ecole/candidats");
        var token = cfaPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        (await cfa.PostAsync($"/ecole/candidats/{leaId}?handler=Export", new FormUrlEncodedContent([new("__RequestVerificationToken", token)])))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_contacts_export_holds_what_this_school_holds_and_the_other_school_does_not_see_it_was_made(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        await world.App.Services.GetRequiredService<OutboxDelivery>().DispatchOnceAsync(CancellationToken.None); // the push CV mail to Sophie
        using var staff = await world.StaffClientAsync("demo.ecole");
        // The other school corrects the shared contact's phone: in the history, without its name.
        using var cfa = await world.StaffClientAsync("demo.cfa");
        var (_, cfaContact) = await Browserless.GetAsync(cfa, $"/ecole/contacts/{DemoData.ContactId}");
        await Browserless.EditAsync(cfa, cfaContact, "Enregistrer le contact", new Dictionary<string, string> { ["Phone"] = "05 56 11 22 33" });
        // This school had invited her, and she looked at the profile pushed to her (the other school's looks are its own).
        Guid pushedId;
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            pushedId = await db.PushedProfiles.Where(p => p.ContactId == DemoData.ContactId).Select(p => p.Id).SingleAsync();
            var admin = await db.Staff.Where(x => x.UserName == "demo.admin").Select(x => x.Id).SingleAsync();
            var companyId = await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.CompanyId).SingleAsync();
            db.ContactInvitations.Add(new Passerelle.Companies.ContactInvitation
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, CompanyId = companyId, ContactId = DemoData.ContactId, Email = "sophie.lefebvre@laboriosam.example",
                InvitedByStaffId = admin, CreatedAt = Seed.Now.AddDays(-3), AnsweredAt = Seed.Now.AddDays(-2), Accepted = true,
            });
            db.ProfileViews.Add(new ProfileView
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, PushedProfileId = pushedId, ContactId = DemoData.ContactId, Channel = Channel.Portal,
                ViewedAt = Seed.Now,
            });
            await db.SaveChangesAsync();
        }
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}");
        var response = await Browserless.SubmitAsync(staff, page, "Exporter les données");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);
        var data = JsonNode.Parse(await new StreamReader(zip.GetEntry(DataExport.DataFile)!.Open()).ReadToEndAsync())!;
        data["contact"]!["email"]!.GetValue<string>().ShouldBe("sophie.lefebvre@laboriosam.example");
        data["contact"]!["company"]!.GetValue<string>().ShouldBe("Laboriosam Industries");
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var theirs = await db.Referrals.Where(r => r.ContactId == DemoData.ContactId).Select(r => r.Id).ToListAsync();
            data["referrals"]!.AsArray().Select(r => r!["id"]!.GetValue<Guid>()).ShouldBe(theirs, ignoreOrder: true, "this school's referrals, not the other's");
        }
        data["mails"]!.AsArray().ShouldContain(m => m!["template"]!.GetValue<string>() == TemplateKeys.PushToCompany);
        var pushed = data["pushedProfiles"]!.AsArray().ShouldHaveSingleItem()!;
        (pushed["id"]!.GetValue<Guid>(), pushed["candidate"]!.GetValue<string>()).ShouldBe((pushedId, "JOURDAN Guillaume"));
        var look = data["views"]!.AsArray().ShouldHaveSingleItem()!;
        (look["what"]!.GetValue<string>(), look["channel"]!.GetValue<string>(), look["pushedProfileId"]!.GetValue<Guid>()).ShouldBe(("Profil", "Portal", pushedId));
        var invitation = data["invitations"]!.AsArray().ShouldHaveSingleItem()!;
        (invitation["invitedBy"]!.GetValue<string>(), invitation["accepted"]!.GetValue<bool>()).ShouldBe(("DURAND Claire", true));
        zip.Entries.ShouldNotContain(e => e.FullName.StartsWith("documents/"));
        var edit = data["history"]!.AsArray().ShouldHaveSingleItem()!;
        edit["by"]!.GetValue<string>().ShouldBe(Passerelle.Changes.ChangeHistory.AnotherSchool);
        edit["changes"]![0]!["after"]!.GetValue<string>().ShouldBe("05 56 11 22 33");

        (await Browserless.GetAsync(staff, $"/ecole/contacts/{DemoData.ContactId}")).Page.QuerySelector("ul.history")!.TextContent
            .ShouldContain("Export des données : archive ZIP remise");
        (await Browserless.GetAsync(cfa, $"/ecole/contacts/{DemoData.ContactId}")).Page.Text()
            .ShouldNotContain("Export des données", Case.Sensitive, "another school's export is its own business");
    }
}
