using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Companies;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.PersonalData;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>
/// Contacts and staff switched off for longer than the retention period are erased (issue 16) — checked in a dump of the
/// whole database and in the logs, like a candidate's erasure.
/// </summary>
[Trait(Category.Name, Category.Smtp)]
public class AccountErasureTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;
    public static TheoryData<DatabaseProvider> PostgreSQLOnly => TestDatabase.PostgreSQLOnly;

    private const string OfferId = "0193c2a0-0000-7000-8000-000000000301";

    // A contact and a staff member with distinctive details.
    private const string ContactLastName = "Quillonnet";
    private const string ContactFirstName = "Aurélien";
    private const string ContactEmail = "aurelien.quillonnet@entreprise.example";
    private const string ContactLogin = "aurelien.q";
    private const string ContactPhone = "07 11 22 33 44";
    private const string StaffLastName = "Brindavoine";
    private const string StaffFirstName = "Hortense";
    private const string StaffEmail = "hortense.brindavoine@ecole.example";
    // As they were first typed, then corrected: the former values are theirs too.
    private const string ContactMisspelled = "Quilonet";
    private const string StaffMisspelled = "Hortence";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_contact_and_a_staff_member_switched_off_longer_than_the_retention_period_are_erased_once_and_leave_nothing(DatabaseProvider provider)
    {
        var logs = new CapturedLogs();
        await using var world = await PortalWorld.CreateAsync(provider, logs);
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        var (contactId, staffId) = await AddPeopleAsync(world);
        // Both first typed with a mistake, corrected below.
        await using (var db = world.Database.NewContext())
        {
            await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == contactId)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.LastName, ContactMisspelled.ToUpperInvariant()));
            await db.Staff.IgnoreQueryFilters().Where(s => s.Id == staffId).ExecuteUpdateAsync(set => set.SetProperty(s => s.FirstName, StaffMisspelled));
        }

        // The staff member proposes a candidate to the contact; the candidate accepts; the contact reads the mail and refuses in the portal.
        using var hortense = await world.StaffClientAsync(StaffEmail);
        var (_, newReferral) = await Browserless.GetAsync(hortense, $"/ecole/mises-en-relation/nouvelle?offre={OfferId}");
        var candidateId = await NewCandidateAsync(world, hortense);
        var created = await Browserless.SubmitAsync(hortense, newReferral, "Créer les mises en relation", new Dictionary<string, string>
        {
            ["ContactId"] = contactId.ToString(), ["CandidateIds"] = candidateId,
        });
        (await Browserless.ReadAsync(created)).Text().ShouldContain("mise en relation créée");
        // She records the candidate's consent to push CV; a webhook endpoint says she registered it (when she was an admin).
        var (_, candidatePage) = await Browserless.GetAsync(hortense, $"/ecole/candidats/{candidateId}");
        (await Browserless.ReadAsync(await Browserless.SubmitAsync(hortense, candidatePage, "Enregistrer l'accord",
            new Dictionary<string, string> { ["consent"] = "true" }))).Text().ShouldContain($"par {StaffLastName.ToUpperInvariant()} {StaffMisspelled}");
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId).WebhookEndpoints.Add(new Passerelle.Webhooks.WebhookEndpoint
            {
                Id = Guid.NewGuid(), SchoolId = DemoData.SchoolId, Url = "https://erp.example.org/passerelle", Secret = "protected",
                CreatedAt = Seed.Now, CreatedBy = $"{StaffLastName.ToUpperInvariant()} {StaffMisspelled}",
            });
            await db.SaveChangesAsync();
        }
        Guid referralId;
        await using (var db = world.Database.NewContext())
            referralId = await db.Referrals.IgnoreQueryFilters().Where(r => r.ContactId == contactId).Select(r => r.Id).SingleAsync();
        var (_, referralPage) = await Browserless.GetAsync(hortense, $"/ecole/mises-en-relation/{referralId}");
        await Browserless.SubmitAsync(hortense, referralPage, "Le candidat accepte l'offre");
        await delivery.DispatchOnceAsync(CancellationToken.None);
        using var aurelien = world.Client();
        (await PortalWorld.LogInAsync(aurelien, ContactLogin, "pas le bon mot de passe")).Page.Text().ShouldContain("incorrect");
        (await PortalWorld.LogInAsync(aurelien, ContactLogin)).Status.ShouldBe(HttpStatusCode.OK);
        await PortalWorld.ChooseSchoolAsync(aurelien, DemoData.SchoolId);
        var (_, suivi) = await Browserless.GetAsync(aurelien, $"/entreprise/candidats/{referralId}");
        await Browserless.SubmitAsync(aurelien, suivi, "Refuser le candidat");

        // An admin corrects the contact's name and phone and the staff member's first name, then switches both off.
        using var admin = await world.StaffClientAsync("demo.admin");
        var (_, contactPage) = await Browserless.GetAsync(admin, $"/ecole/contacts/{contactId}");
        await Browserless.EditAsync(admin, contactPage, "Enregistrer le contact", new Dictionary<string, string>
        {
            ["LastName"] = ContactLastName.ToUpperInvariant(), ["Phone"] = ContactPhone,
        });
        var (_, staffPage) = await Browserless.GetAsync(admin, $"/ecole/equipe/{staffId}");
        await Browserless.EditAsync(admin, staffPage, "Enregistrer", new Dictionary<string, string> { ["FirstName"] = StaffFirstName });
        (_, contactPage) = await Browserless.GetAsync(admin, $"/ecole/contacts/{contactId}");
        contactPage.Text().ShouldContain($"Nom : « {ContactMisspelled.ToUpperInvariant()} » → « {ContactLastName.ToUpperInvariant()} »");
        await Browserless.SubmitAsync(admin, contactPage, "Désactiver le contact");
        (_, staffPage) = await Browserless.GetAsync(admin, $"/ecole/equipe/{staffId}");
        staffPage.Text().ShouldContain($"Prénom : « {StaffMisspelled} » → « {StaffFirstName} »");
        await Browserless.SubmitAsync(admin, staffPage, "Désactiver le compte");
        var dump = await DatabaseDump.TextAsync(world);
        dump.ShouldContain(ContactLastName, Case.Insensitive, "the dump sees them before");
        dump.ShouldContain(StaffLastName, Case.Insensitive);

        // The school keeps data 24 months; one day short of it, nothing; past it, each once — two runs at once.
        await using (var db = world.Database.NewContext())
            await db.Schools.Where(s => s.Id == DemoData.SchoolId).ExecuteUpdateAsync(set => set.SetProperty(s => s.RetentionMonths, 24));
        var retention = world.App.Services.GetRequiredService<Retention>();
        var switchedOffAt = world.Clock.Now;
        world.Clock.Now = switchedOffAt.AddMonths(24).AddDays(-1);
        (await retention.EraseSwitchedOffAccountsAsync(CancellationToken.None)).ShouldBe(0);
        world.Clock.Now = switchedOffAt.AddMonths(24).AddMinutes(1);
        (await Task.WhenAll(retention.EraseSwitchedOffAccountsAsync(CancellationToken.None), retention.EraseSwitchedOffAccountsAsync(CancellationToken.None)))
            .Sum().ShouldBe(2, "the contact and the staff member, each once");
        (await retention.EraseSwitchedOffAccountsAsync(CancellationToken.None)).ShouldBe(0);

        dump = await DatabaseDump.TextAsync(world);
        foreach (var trace in new[]
        {
            ContactLastName, ContactFirstName, ContactEmail, ContactLogin, ContactPhone, System.Text.Json.JsonEncodedText.Encode(ContactFirstName).ToString(),
            StaffLastName, StaffFirstName, StaffEmail, ContactMisspelled, StaffMisspelled,
        })
        {
            dump.ShouldNotContain(trace, Case.Insensitive, $"the database still holds '{trace}'");
            logs.Messages.ShouldNotContain(m => m.Contains(trace, StringComparison.OrdinalIgnoreCase), $"a log line holds '{trace}'");
        }
        logs.Messages.ShouldContain(m => m.Contains($"Erased company contact {contactId}"));
        logs.Messages.ShouldContain(m => m.Contains($"Erased staff member {staffId}"));

        // The referral stays, anonymous, for the statistics; the erased cannot come back. (Two years on: a new session.)
        using var laterAdmin = await world.StaffClientAsync("demo.admin");
        var (_, referral) = await Browserless.GetAsync(laterAdmin, $"/ecole/mises-en-relation/{referralId}");
        referral.Text().ShouldContain(AccountErasure.ErasedContactName);
        referral.Text().ShouldContain(AccountErasure.ErasedStaffName);
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            (await db.Referrals.SingleAsync(r => r.Id == referralId)).Stage.ShouldBe(ReferralStage.CompanyRefused);
        }
        (_, contactPage) = await Browserless.GetAsync(laterAdmin, $"/ecole/contacts/{contactId}");
        contactPage.Text().ShouldContain("Contact effacé le");
        // Their history says what was corrected and when, no longer from what to what.
        contactPage.Text().ShouldContain($"Nom : {Changes.ChangeHistory.ValuesErasedText}");
        contactPage.Text().ShouldContain("Accès : « Actif » → « Désactivé »");
        // A school the contact also works with sees the same: which fields another school corrected, and when.
        await using (var db = world.Database.NewContext())
        {
            var seen = await Changes.ChangeHistory.LoadAsync(db.ForSchool(DemoData.SecondSchoolId), Changes.ChangeSubject.CompanyContact, contactId, CancellationToken.None);
            seen.ShouldContain(line => line.Who == Changes.ChangeHistory.AnotherSchool && line.Fields.Any(f => f.Field == "Nom" && f.ValuesErased));
        }
        contactPage.QuerySelectorAll("button").Select(b => b.TextContent).ShouldNotContain("Réactiver le contact");
        (_, staffPage) = await Browserless.GetAsync(laterAdmin, $"/ecole/equipe/{staffId}");
        staffPage.Text().ShouldContain("Compte effacé le");
        staffPage.Text().ShouldContain($"Prénom : {Changes.ChangeHistory.ValuesErasedText}");
        staffPage.QuerySelectorAll("button").Select(b => b.TextContent).ShouldNotContain("Réactiver le compte");
        (await PortalWorld.LogInAsync(world.Client(), ContactLogin)).Page.Text().ShouldContain("incorrect");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_correction_read_before_a_contacts_erasure_and_saved_after_it_does_not_bring_them_back(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (contactId, staffId) = await AddPeopleAsync(world);
        await using (var db = world.Database.NewContext())
            await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contactId)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.DeactivatedAt, (DateTimeOffset?)world.Clock.Now));

        // The contact page (or the API) has read the contact to correct their phone number…
        await using var editor = world.Database.NewContext().ForSchool(DemoData.SchoolId);
        var contact = await editor.CompanyContacts.SingleAsync(c => c.Id == contactId);
        // …the retention erases them meanwhile…
        await using (var scope = world.App.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            (await scope.ServiceProvider.GetRequiredService<AccountErasure>().EraseContactAsync(contactId, CancellationToken.None)).ShouldBeTrue();
        }
        // …and the correction, whose save would write their name back with the phone, is refused and changes nothing.
        var edit = new Changes.ContactEdit(ContactLastName, ContactFirstName, ContactPhone, ContactEmail);
        (await Changes.Corrections.EditContactAsync(editor, contact, edit, staffId, "Hortense", world.Clock.Now, CancellationToken.None))
            .ShouldBe((Changes.Corrections.ContactErased, null));
        await using (var db = world.Database.NewContext())
        {
            var row = await db.CompanyContacts.IgnoreQueryFilters().SingleAsync(c => c.Id == contactId);
            (row.LastName, row.FirstName, row.Email, row.Phone).ShouldBe(("", AccountErasure.ErasedContactName, "", null));
            (await db.ChangeRecords.IgnoreQueryFilters().CountAsync(r => r.SubjectId == contactId)).ShouldBe(0);
        }

        // Read after the erasure, the contact is not corrected either, and their page offers no correction.
        await using (var later = world.Database.NewContext().ForSchool(DemoData.SchoolId))
        {
            var erased = await later.CompanyContacts.SingleAsync(c => c.Id == contactId);
            (await Changes.Corrections.EditContactAsync(later, erased, edit, staffId, "Hortense", world.Clock.Now, CancellationToken.None))
                .ShouldBe((Changes.Corrections.ContactErased, null));
        }
        using var admin = await world.StaffClientAsync("demo.admin");
        var (_, page) = await Browserless.GetAsync(admin, $"/ecole/contacts/{contactId}");
        page.Text().ShouldContain("Contact effacé le");
        page.QuerySelectorAll("button").Select(b => b.TextContent).ShouldNotContain("Enregistrer le contact");
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))] // on SQLite the confirmation's save holds the write lock the erasure waits for
    public async Task An_address_confirmed_while_the_contact_is_erased_is_refused_and_does_not_come_back(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (contactId, _) = await AddPeopleAsync(world);
        var raw = await SwitchedOffWithANewAddressToConfirmAsync(world, contactId);

        // The owner clicks "Confirmer cette adresse": the link is read as valid, and the retention erases the contact just before
        // the confirmation's save.
        var erasing = new RaceStep(RaceStep.Updating("company_contacts"), async () =>
        {
            await using var scope = world.App.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            (await scope.ServiceProvider.GetRequiredService<AccountErasure>().EraseContactAsync(contactId, CancellationToken.None)).ShouldBeTrue();
        });
        await using (var confirming = world.Database.NewContext(erasing))
            (await Changes.Corrections.ConfirmEmailAsync(confirming, raw, world.Clock.Now, CancellationToken.None))
                .ShouldBe((null, Changes.Corrections.InvalidConfirmation));
        erasing.Ran.ShouldBeTrue();
        await using (var db = world.Database.NewContext())
        {
            var row = await db.CompanyContacts.IgnoreQueryFilters().SingleAsync(c => c.Id == contactId);
            (row.LastName, row.FirstName, row.Email, row.PendingEmail, row.UserName).ShouldBe(("", AccountErasure.ErasedContactName, "", null, $"efface-{contactId:N}"));
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_contact_switched_on_again_while_the_retention_erases_them_stays_active_and_is_not_erased(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (contactId, staffId) = await AddPeopleAsync(world);
        await using (var db = world.Database.NewContext())
            await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contactId)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.DeactivatedAt, (DateTimeOffset?)world.Clock.Now));

        // An admin clicks "Réactiver le contact"; the retention job starts erasing them between the check (an UPDATE of the
        // contact's row that holds it) and the switch's save.
        Task<bool>? erasing = null;
        var racing = new RaceStep(RaceStep.Updating("company_contacts"), after: true, step: async () =>
        {
            erasing = Task.Run(async () =>
            {
                await using var scope = world.App.Services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
                return await scope.ServiceProvider.GetRequiredService<AccountErasure>().EraseContactAsync(contactId, CancellationToken.None);
            });
            await Task.WhenAny(erasing, Task.Delay(TimeSpan.FromSeconds(2))); // done, or waiting for the switch
        });
        await using (var admin = world.Database.NewContext(racing).ForSchool(DemoData.SchoolId))
            (await Changes.Deactivations.SetContactActiveAsync(admin, contactId, true, staffId, "Admin", world.Clock.Now, CancellationToken.None)).ShouldBeNull();
        (await erasing!.WaitAsync(TimeSpan.FromSeconds(60))).ShouldBeFalse("switched on again, the contact is no longer for the retention");

        await using (var db = world.Database.NewContext())
        {
            var contact = await db.CompanyContacts.IgnoreQueryFilters().SingleAsync(c => c.Id == contactId);
            (contact.ErasedAt, contact.LastName).ShouldBe(((DateTimeOffset?)null, ContactLastName.ToUpperInvariant()));
            (await db.SchoolContacts.IgnoreQueryFilters().SingleAsync(l => l.ContactId == contactId)).DeactivatedAt.ShouldBeNull();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Referrals_handed_over_while_their_staff_member_is_erased_leave_no_name_in_the_colleagues_history(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (_, staffId) = await AddPeopleAsync(world);
        Guid colleague;
        await using (var db = world.Database.NewContext())
        {
            await db.Staff.IgnoreQueryFilters().Where(s => s.Id == staffId)
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.DeactivatedAt, (DateTimeOffset?)world.Clock.Now));
            var open = await db.Referrals.IgnoreQueryFilters().Where(r => r.SchoolId == DemoData.SchoolId && r.CancelledAt == null && r.Outcome == null)
                .Select(r => r.Id).FirstAsync();
            await db.Referrals.IgnoreQueryFilters().Where(r => r.Id == open).ExecuteUpdateAsync(set => set.SetProperty(r => r.CreatedByStaffId, staffId));
            colleague = await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == "demo.admin").Select(s => s.Id).SingleAsync();
        }

        // An admin hands the member's referrals over to a colleague; the retention job erases the member at that moment.
        Task<bool>? erasing = null;
        var racing = new RaceStep(RaceStep.Updating("referrals"), async () =>
        {
            erasing = Task.Run(async () =>
            {
                await using var scope = world.App.Services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(DemoData.SchoolId);
                return await scope.ServiceProvider.GetRequiredService<AccountErasure>().EraseStaffAsync(staffId, CancellationToken.None);
            });
            await Task.WhenAny(erasing, Task.Delay(TimeSpan.FromSeconds(2))); // done, or waiting for the hand-over
        });
        await using (var admin = world.Database.NewContext(racing).ForSchool(DemoData.SchoolId))
            (await Changes.Deactivations.HandOverReferralsAsync(admin, staffId, colleague, colleague, "Admin", world.Clock.Now, CancellationToken.None)).ShouldBe(1);
        (await erasing!.WaitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue();

        await using (var db = world.Database.NewContext())
        {
            var history = (await db.ChangeRecords.IgnoreQueryFilters().Where(r => r.SubjectId == colleague).ToListAsync()).SelectMany(r => r.Fields()).ToList();
            history.ShouldContain(f => f.Field == "Mises en relation reçues", "the colleague's history says what they received");
            history.ShouldAllBe(f => !(f.After ?? "").Contains(StaffLastName, StringComparison.OrdinalIgnoreCase), "but not from whom by name");
        }
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))] // on SQLite the invitation's save holds the write lock: the erasure waits, then scrubs it
    public async Task A_contact_invited_by_another_school_while_they_are_erased_is_not_invited_and_their_address_is_not_kept(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (contactId, _) = await AddPeopleAsync(world);
        Guid companyId, otherStaff;
        await using (var db = world.Database.NewContext())
        {
            await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contactId)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.DeactivatedAt, (DateTimeOffset?)world.Clock.Now));
            companyId = await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == contactId).Select(c => c.CompanyId).SingleAsync();
            otherStaff = await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == "demo.cfa").Select(s => s.Id).SingleAsync();
        }

        // The other school adds the contact by their address (an invitation); the retention erases them at that moment.
        Task<bool>? erasing = null;
        var racing = new RaceStep(RaceStep.Inserting("contact_invitations"), async () =>
        {
            erasing = Task.Run(async () =>
            {
                await using var scope = world.App.Services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
                return await scope.ServiceProvider.GetRequiredService<AccountErasure>().EraseContactAsync(contactId, CancellationToken.None);
            });
            await Task.WhenAny(erasing, Task.Delay(TimeSpan.FromSeconds(2)));
        });
        await using (var db = world.Database.NewContext(racing).ForSchool(DemoData.SecondSchoolId))
        {
            var added = await CompanyRecords.AddContactAsync(db, companyId, "Quillonnet", "Aurélien", ContactEmail, null, null, otherStaff, world.Clock.Now,
                CancellationToken.None);
            (added.Invitation, added.Problem).ShouldBe((null, "Ce contact vient d'être effacé : ajoutez-le à nouveau, comme un nouveau contact."));
        }
        (await erasing!.WaitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue();
        (await DatabaseDump.TextAsync(world)).ShouldNotContain(ContactEmail, Case.Insensitive);
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))] // on SQLite the two switches are one writer after the other anyway
    public async Task Two_schools_switching_a_shared_contact_off_at_once_end_their_sessions(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (contactId, _) = await AddPeopleAsync(world);
        Guid admin, otherAdmin;
        string stamp;
        await using (var db = world.Database.NewContext())
        {
            db.ForSystem().SchoolContacts.Add(new SchoolContact { SchoolId = DemoData.SecondSchoolId, ContactId = contactId, CreatedAt = world.Clock.Now });
            await db.SaveChangesAsync();
            admin = await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == "demo.admin").Select(s => s.Id).SingleAsync();
            otherAdmin = await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == "demo.cfa").Select(s => s.Id).SingleAsync();
            stamp = await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == contactId).Select(c => c.SecurityStamp).SingleAsync();
        }

        // The first school has switched its link off and found the other school's still on; the other school switches its own
        // off at that moment.
        Task<string?>? second = null;
        var racing = new RaceStep(sql => sql.Contains("EXISTS", StringComparison.Ordinal) && sql.Contains("school_contacts", StringComparison.Ordinal), after: true,
            step: async () =>
            {
                second = Task.Run(async () =>
                {
                    await using var db = world.Database.NewContext().ForSchool(DemoData.SecondSchoolId);
                    return await Changes.Deactivations.SetContactActiveAsync(db, contactId, false, otherAdmin, "Camille", world.Clock.Now, CancellationToken.None);
                });
                await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(2))); // done, or waiting for the first switch
            });
        await using (var db = world.Database.NewContext(racing).ForSchool(DemoData.SchoolId))
            (await Changes.Deactivations.SetContactActiveAsync(db, contactId, false, admin, "Claire", world.Clock.Now, CancellationToken.None)).ShouldBeNull();
        racing.Ran.ShouldBeTrue();
        (await second!.WaitAsync(TimeSpan.FromSeconds(60))).ShouldBeNull();

        // Switched off everywhere: whichever came second ended their sessions.
        await using (var db = world.Database.NewContext())
            (await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == contactId).Select(c => c.SecurityStamp).SingleAsync()).ShouldNotBe(stamp);
    }

    [Theory]
    [MemberData(nameof(PostgreSQLOnly))] // on SQLite one writer at a time: no deadlock to have
    public async Task An_address_confirmed_in_the_middle_of_the_contacts_erasure_waits_for_it_instead_of_deadlocking(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var (contactId, _) = await AddPeopleAsync(world);
        var raw = await SwitchedOffWithANewAddressToConfirmAsync(world, contactId);

        // The erasure has claimed the contact and is about to delete their links when the owner confirms the new address: the
        // confirmation (its link, then the contact) and the erasure (the contact, then the links) would each hold what the
        // other waits for.
        Task<(CompanyContact?, string?)>? confirming = null;
        var racing = new RaceStep(sql => sql.Contains("DELETE FROM account_tokens", StringComparison.Ordinal), async () =>
        {
            confirming = Task.Run(async () =>
            {
                await using var db = world.Database.NewContext();
                return await Changes.Corrections.ConfirmEmailAsync(db, raw, world.Clock.Now, CancellationToken.None);
            });
            await Task.WhenAny(confirming, Task.Delay(TimeSpan.FromSeconds(2)));
        });
        await using (var scope = world.App.Services.CreateAsyncScope())
        await using (var db = world.Database.NewContext(racing).ForSystem())
            (await ActivatorUtilities.CreateInstance<AccountErasure>(scope.ServiceProvider, db).EraseContactAsync(contactId, CancellationToken.None)).ShouldBeTrue();
        racing.Ran.ShouldBeTrue();
        (await confirming!.WaitAsync(TimeSpan.FromSeconds(60))).ShouldBe((null, Changes.Corrections.InvalidConfirmation));
        await using (var db = world.Database.NewContext())
            (await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == contactId).Select(c => new { c.Email, c.PendingEmail }).SingleAsync())
                .ShouldBe(new { Email = "", PendingEmail = (string?)null });
    }

    /// <summary>The contact, switched off everywhere, has a new address waiting for them to confirm it: the link's token.</summary>
    private static async Task<string> SwitchedOffWithANewAddressToConfirmAsync(PortalWorld world, Guid contactId)
    {
        var requestedAt = world.Clock.Now;
        var (token, raw) = Accounts.AccountToken.Create(Accounts.AccountKind.CompanyContact, contactId, Accounts.AccountTokenPurpose.EmailChange, requestedAt);
        await using var db = world.Database.NewContext();
        await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contactId)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.DeactivatedAt, (DateTimeOffset?)requestedAt));
        await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == contactId).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.PendingEmail, "nouvelle.adresse@entreprise.example").SetProperty(c => c.PendingEmailRequestedAt, requestedAt));
        db.ForSystem().AccountTokens.Add(token);
        await db.SaveChangesAsync();
        return raw;
    }

    private static async Task<string> NewCandidateAsync(PortalWorld world, HttpClient staff)
    {
        var (_, list) = await Browserless.GetAsync(staff, "/ecole/candidats");
        await Browserless.SubmitAsync(staff, list, "Ajouter le candidat", new Dictionary<string, string>
        {
            ["Form.LastName"] = "MOREAU", ["Form.FirstName"] = "Jules", ["Form.Email"] = "jules.moreau@example.org",
        });
        await using var db = world.Database.NewContext();
        return (await db.Candidates.IgnoreQueryFilters().Where(c => c.Email == "jules.moreau@example.org").Select(c => c.Id).SingleAsync()).ToString();
    }

    private static async Task<(Guid Contact, Guid Staff)> AddPeopleAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        db.ForSystem();
        var companyId = await db.CompanyContacts.Where(c => c.Id == DemoData.ContactId).Select(c => c.CompanyId).SingleAsync();
        var contact = new CompanyContact
        {
            Id = Guid.NewGuid(), CompanyId = companyId, LastName = ContactLastName.ToUpperInvariant(), FirstName = ContactFirstName, Email = ContactEmail,
            UserName = ContactLogin, CreatedAt = Seed.Now, SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        contact.PasswordHash = new PasswordHasher<CompanyContact>().HashPassword(contact, DemoData.Password);
        var staff = Staff.NewAccount(DemoData.SchoolId, StaffEmail, StaffLastName.ToUpperInvariant(), StaffFirstName, StaffRole.Recruiter, Seed.Now);
        staff.PasswordHash = new PasswordHasher<Staff>().HashPassword(staff, DemoData.Password);
        db.AddRange(contact, new SchoolContact { SchoolId = DemoData.SchoolId, ContactId = contact.Id, CreatedAt = Seed.Now }, staff);
        await db.SaveChangesAsync();
        return (contact.Id, staff.Id);
    }
}
