using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>
/// Two people correcting one record (EditStamp): different fields both stand; the same field is refused to the second, who
/// is told what it holds now, keeps what they typed, and saves again on purpose.
/// </summary>
[Trait(Category.Name, Category.Smtp)]
public class EditConflictTests
{
    public enum Record { Offer, Candidate, Company, Contact, Template, Settings, Staff }

    public static TheoryData<DatabaseProvider, Record> Cases()
    {
        var cases = new TheoryData<DatabaseProvider, Record>();
        foreach (var provider in ((IEnumerable<object[]>)TestDatabase.Providers).Select(row => (DatabaseProvider)row[0]))
            foreach (var record in Enum.GetValues<Record>())
                cases.Add(provider, record);
        return cases;
    }

    /// <summary>
    /// The page, its button, two of its fields (the one both change, another only the first person changes, with what he
    /// types there), the conflict's label, and who may edit it (two sessions of one admin for the admins' pages).
    /// </summary>
    private sealed record Form(string Path, string Button, string Both, string Other, string Label, string OtherValue = "Valeur de Benoît",
        string First = "demo.ecole", string Second = "demo.admin");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Corrections_of_different_fields_both_stand_and_of_the_same_field_the_second_is_told(DatabaseProvider provider, Record record)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var form = await FormAsync(world, record);
        using var benoit = await world.StaffClientAsync(form.First);
        using var claire = await world.StaffClientAsync(form.Second);

        // Both open the page; Claire corrects one field, then Benoît another from his older page: both corrections stand.
        var (_, mine) = await Browserless.GetAsync(benoit, form.Path);
        var (_, hers) = await Browserless.GetAsync(claire, form.Path);
        (await Browserless.EditAsync(claire, hers, form.Button, new() { [form.Both] = "Valeur de Claire" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var merged = await Browserless.EditAsync(benoit, mine, form.Button, new() { [form.Other] = form.OtherValue });
        merged.StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await Browserless.ReadAsync(merged);
        Value(after, form.Both).ShouldBe("Valeur de Claire", "a field left as shown keeps the colleague's correction");
        Value(after, form.Other).ShouldBe(form.OtherValue);

        // Both change the same field: the second is refused, told what it holds now, and keeps what he typed.
        (_, mine) = await Browserless.GetAsync(benoit, form.Path);
        (_, hers) = await Browserless.GetAsync(claire, form.Path);
        (await Browserless.EditAsync(claire, hers, form.Button, new() { [form.Both] = "Seconde valeur de Claire" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await Browserless.EditAsync(benoit, mine, form.Button, new() { [form.Both] = "Seconde valeur de Benoît" });

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var told = await Browserless.ReadAsync(refused);
        told.Text().ShouldContain($"quelqu'un d'autre a modifié : {form.Label} (désormais « Seconde valeur de Claire »). Rien n'est enregistré");
        Value(told, form.Both).ShouldBe("Seconde valeur de Benoît", "what he typed is kept");
        Value(told, form.Other).ShouldBe(form.OtherValue);
        Value(await Browserless.ReadAsync(await claire.GetAsync(form.Path)), form.Both).ShouldBe("Seconde valeur de Claire", "nothing of his was saved");

        // Having read it, he saves again: his value stands.
        var again = await Browserless.EditAsync(benoit, told, form.Button, []);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        Value(await Browserless.ReadAsync(again), form.Both).ShouldBe("Seconde valeur de Benoît");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_form_refused_for_its_own_mistake_shows_the_merge_and_its_next_save_keeps_what_was_left_as_shown(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var form = await FormAsync(world, Record.Offer);
        using var benoit = await world.StaffClientAsync("demo.ecole");
        using var claire = await world.StaffClientAsync("demo.admin");
        var (_, mine) = await Browserless.GetAsync(benoit, form.Path);
        var (_, hers) = await Browserless.GetAsync(claire, form.Path);
        var first = await Browserless.ReadAsync(await Browserless.EditAsync(claire, hers, form.Button, new() { ["Location"] = "Pessac" }));

        // Benoît's older page, with a blank title: refused for that, the place shown as Claire saved it.
        var refused = await Browserless.EditAsync(benoit, mine, form.Button, new() { ["Title"] = " " });
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var shown = await Browserless.ReadAsync(refused);
        Value(shown, "Location").ShouldBe("Pessac");

        // Claire corrects the place again; Benoît fixes his title: her place stands, no conflict on a field he never touched.
        (await Browserless.EditAsync(claire, first, form.Button, new() { ["Location"] = "Mérignac" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var saved = await Browserless.EditAsync(benoit, shown, form.Button, new() { ["Title"] = "Titre de Benoît" });
        saved.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await Browserless.ReadAsync(saved);
        (Value(page, "Title"), Value(page, "Location")).ShouldBe(("Titre de Benoît", "Mérignac"));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_new_address_asked_for_meanwhile_is_not_replaced_unseen_by_another(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var path = $"/ecole/contacts/{DemoData.ContactId}";
        using var benoit = await world.StaffClientAsync("demo.ecole");
        using var claire = await world.StaffClientAsync("demo.admin");
        var (_, mine) = await Browserless.GetAsync(benoit, path);
        var (_, hers) = await Browserless.GetAsync(claire, path);
        (await Browserless.EditAsync(claire, hers, "Enregistrer le contact", new() { ["Email"] = "nouvelle.claire@example.org" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        // From his older page, another field only: saved, her request untouched.
        var phone = await Browserless.EditAsync(benoit, mine, "Enregistrer le contact", new() { ["Phone"] = "05 56 00 00 00" });
        phone.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PendingAsync(world)).ShouldBe("nouvelle.claire@example.org");

        // Another address from his older page: he is told hers is waiting, nothing changes; saving again is his decision.
        (_, mine) = await Browserless.GetAsync(benoit, path);
        (_, hers) = await Browserless.GetAsync(claire, path);
        (await Browserless.EditAsync(claire, hers, "Enregistrer le contact", new() { ["Email"] = "seconde.claire@example.org" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await Browserless.EditAsync(benoit, mine, "Enregistrer le contact", new() { ["Email"] = "nouvelle.benoit@example.org" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var told = await Browserless.ReadAsync(refused);
        told.Text().ShouldContain("quelqu'un d'autre a modifié : Nouvelle adresse e-mail (à confirmer) (désormais « seconde.claire@example.org »). Rien n'est enregistré");
        Value(told, "Email").ShouldBe("nouvelle.benoit@example.org");
        (await PendingAsync(world)).ShouldBe("seconde.claire@example.org");

        (await Browserless.EditAsync(benoit, told, "Enregistrer le contact", [])).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PendingAsync(world)).ShouldBe("nouvelle.benoit@example.org");

        // The contact confirms it; from a page that showed it waiting, typing that very address is no conflict: nothing waits.
        (_, mine) = await Browserless.GetAsync(benoit, path);
        await using (var db = world.Database.NewContext())
            await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == DemoData.ContactId).ExecuteUpdateAsync(set => set
                .SetProperty(c => c.Email, "nouvelle.benoit@example.org").SetProperty(c => c.PendingEmail, (string?)null)
                .SetProperty(c => c.PendingEmailRequestedAt, (DateTimeOffset?)null));
        (await Browserless.EditAsync(benoit, mine, "Enregistrer le contact", new() { ["Email"] = "nouvelle.benoit@example.org" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PendingAsync(world)).ShouldBeNull();
    }

    private static async Task<string?> PendingAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        return await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.PendingEmail).SingleAsync();
    }

    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    private static async Task<Form> FormAsync(PortalWorld world, Record record)
    {
        await using var db = world.Database.NewContext();
        db.ForSchool(DemoData.SchoolId);
        var companyId = await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.CompanyId).SingleAsync();
        return record switch
        {
            Record.Offer => new Form($"/ecole/offres/{await db.JobOffers.Where(o => o.CompanyId == companyId && !o.IsSpontaneous).Select(o => o.Id).FirstAsync()}",
                "Enregistrer l'offre", "Title", "Location", "Intitulé"),
            Record.Candidate => new Form($"/ecole/candidats/{await db.Candidates.OrderBy(c => c.LastName).Select(c => c.Id).FirstAsync()}",
                "Enregistrer", "Form.LastName", "Form.Phone", "Nom"),
            Record.Company => new Form($"/ecole/entreprises/{companyId}", "Enregistrer l'entreprise", "Edit.Name", "Edit.Address", "Nom"),
            Record.Contact => new Form($"/ecole/contacts/{DemoData.ContactId}", "Enregistrer le contact", "LastName", "Phone", "Nom"),
            Record.Template => new Form("/ecole/modeles/referral.offer_to_candidate", "Enregistrer", "Subject", "Body", "Objet",
                "<p>Valeur de Benoît</p>", First: "demo.admin"),
            Record.Settings => new Form("/ecole/parametres", "Enregistrer", "RefusalReasons", "LinkValidityDays", "Motifs de refus", "12", First: "demo.admin"),
            _ => new Form($"/ecole/equipe/{await db.Staff.Where(s => s.UserName == "demo.ecole").Select(s => s.Id).SingleAsync()}", "Enregistrer",
                "LastName", "FirstName", "Nom", First: "demo.admin"),
        };
    }

    private static string? Value(IHtmlDocument page, string name) => page.QuerySelector($"[name='{name}']") switch
    {
        IHtmlTextAreaElement area => area.Value,
        { } field => field.GetAttribute("value"),
        null => throw new InvalidOperationException($"No field {name} on the page: {page.Text()}"),
    };
}
