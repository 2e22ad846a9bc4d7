using System.Net;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>Who saw what (issue 16): each look of a contact at a candidate's profile or document, on the school's referral page only.</summary>
[Trait(Category.Name, Category.Smtp)]
public class ProfileViewTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_school_sees_when_the_contact_opened_the_profile_and_downloaded_a_document_and_the_company_does_not(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var margaud = await world.ReferralOfAsync("TECHER"); // she accepted the offer: the company may open her profile
        var guillaume = await world.ReferralOfAsync("JOURDAN"); // not yet
        Guid documentId;
        string label;
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var document = await (from s in db.ReferralDocuments where s.ReferralId == margaud join d in db.Documents on s.DocumentId equals d.Id select d).FirstAsync();
            (documentId, label) = (document.Id, document.Label);
        }
        using var sophie = world.Client();
        await PortalWorld.LogInAsync(sophie, "demo.entreprise");
        await PortalWorld.ChooseSchoolAsync(sophie, DemoData.SchoolId);

        // Opening the profile records nothing; its page tells the server once shown (portal.js, links.js).
        var (_, profile) = await Browserless.GetAsync(sophie, $"/entreprise/candidats/{margaud}/profil");
        await using (var db = world.Database.NewContext())
            (await db.ForSchool(DemoData.SchoolId).ProfileViews.CountAsync()).ShouldBe(0, "opening the page records nothing");
        (await Browserless.SeenAsync(sophie, profile)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await Browserless.SeenAsync(sophie, profile)).StatusCode.ShouldBe(HttpStatusCode.NoContent); // a reload: the same look
        var firstLook = world.Clock.Now;
        world.Clock.Now = firstLook.AddMinutes(11);
        (await sophie.GetAsync($"/entreprise/candidats/{margaud}/documents/{documentId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Another of her documents whose file is gone from storage: a 404, and no look.
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            var other = await (from s in db.ReferralDocuments
                               where s.ReferralId == margaud
                               join d in db.Documents on s.DocumentId equals d.Id
                               where d.Id != documentId
                               select d).FirstAsync();
            File.Delete(Path.Combine(world.DocumentsFolder, other.StorageKey));
            (await sophie.GetAsync($"/entreprise/candidats/{margaud}/documents/{other.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        // Closed: the page has no seen form, and a post of one is refused.
        var (_, closed) = await Browserless.GetAsync(sophie, $"/entreprise/candidats/{guillaume}/profil");
        closed.QuerySelector("form[data-seen]").ShouldBeNull();
        var seenForm = profile.QuerySelector("form[data-seen]")!;
        seenForm.SetAttribute("action", seenForm.GetAttribute("action")!.Replace(margaud.ToString(), guillaume.ToString(), StringComparison.Ordinal));
        (await Browserless.SeenAsync(sophie, profile)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var staff = await world.StaffClientAsync("demo.ecole");
        var (_, page) = await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{margaud}");
        var views = page.QuerySelectorAll("ul.views li").Select(li => li.TextContent.Trim()).ToList();
        views.ShouldBe([
            $"{label} consulté par LEFEBVRE Sophie le {ParisTime.Date(world.Clock.Now)} à {ParisTime.Time(world.Clock.Now)}",
            $"Profil consulté par LEFEBVRE Sophie le {ParisTime.Date(firstLook)} à {ParisTime.Time(firstLook)}",
        ]);
        (await Browserless.GetAsync(staff, $"/ecole/mises-en-relation/{guillaume}")).Page.Text()
            .ShouldContain("L'entreprise n'a pas encore consulté le profil ni les documents du candidat.");

        // The company's own pages say nothing of it.
        foreach (var path in new[] { $"/entreprise/candidats/{margaud}", $"/entreprise/candidats/{margaud}/profil", "/entreprise/candidats" })
            (await Browserless.GetAsync(sophie, path)).Page.Text().ShouldNotContain("consulté par");
        // Another school's staff do not reach the page.
        using var cfa = await world.StaffClientAsync("demo.cfa");
        (await cfa.GetAsync($"/ecole/mises-en-relation/{margaud}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
