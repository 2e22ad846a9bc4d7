using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Storage;

/// <summary>A context opened for one school never reads or writes another school's rows.</summary>
public class TenantIsolationTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    /// <summary>Tables with a school column that are deliberately not filtered, and why.</summary>
    private static readonly Dictionary<Type, string> CrossSchool = new()
    {
        // The dispatcher sends every school's mails; pages read a referral's mails through the filtered referral.
        [typeof(Passerelle.Email.OutboxMessage)] = "nullable school: account mails of contacts belong to no school",
    };

    [Fact]
    public async Task Every_entity_with_a_school_column_is_filtered_by_school_unless_listed()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.NewContext();

        var withSchool = db.Model.GetEntityTypes().Where(e => e.FindProperty("SchoolId") is not null).ToList();
        withSchool.Count.ShouldBeGreaterThan(10);
        foreach (var entity in withSchool.Where(e => !CrossSchool.ContainsKey(e.ClrType)))
        {
            typeof(ISchoolOwned).IsAssignableFrom(entity.ClrType).ShouldBeTrue($"{entity.ClrType.Name} has a school column: make it ISchoolOwned");
            entity.GetDeclaredQueryFilters().ShouldNotBeEmpty($"{entity.ClrType.Name} is school-owned but not filtered");
        }
        foreach (var type in CrossSchool.Keys)
            typeof(ISchoolOwned).IsAssignableFrom(type).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Queries_for_one_school_never_return_another_school_s_rows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = await Seed.SchoolAsync(database, "École A");
        var b = await Seed.SchoolAsync(database, "École B");
        var referralOfA = await Seed.ReferralAsync(database, a);
        var referralOfB = await Seed.ReferralAsync(database, b);

        await using var db = database.NewContext();
        db.ForSchool(a.School.Id);

        (await db.Staff.Select(s => s.SchoolId).Distinct().ToListAsync()).ShouldBe([a.School.Id]);
        (await db.Candidates.Select(s => s.SchoolId).Distinct().ToListAsync()).ShouldBe([a.School.Id]);
        (await db.Documents.Select(s => s.SchoolId).Distinct().ToListAsync()).ShouldBe([a.School.Id]);
        (await db.SchoolContacts.Select(s => s.SchoolId).Distinct().ToListAsync()).ShouldBe([a.School.Id]);
        (await db.JobOffers.Select(s => s.SchoolId).Distinct().ToListAsync()).ShouldBe([a.School.Id]);
        (await db.Referrals.Select(s => s.Id).ToListAsync()).ShouldBe([referralOfA]);
        (await db.ReferralDocuments.Select(s => s.SchoolId).Distinct().ToListAsync()).ShouldBe([a.School.Id]);
        (await db.ReferralEvents.Select(s => s.ReferralId).Distinct().ToListAsync()).ShouldBe([referralOfA]);

        // Asking for B's rows by their ids finds nothing, even through a join from a shared table.
        (await db.Referrals.FindAsync(referralOfB)).ShouldBeNull();
        (await db.Candidates.AnyAsync(c => c.Id == b.Candidate.Id)).ShouldBeFalse();
        (await db.Documents.AnyAsync(d => d.Id == b.Document.Id)).ShouldBeFalse();
        var offersOfBsCompany = await db.Companies.Where(c => c.Id == b.Company.Id)
            .SelectMany(c => db.JobOffers.Where(o => o.CompanyId == c.Id)).ToListAsync();
        offersOfBsCompany.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_transition_on_another_school_s_referral_is_not_found_and_changes_nothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = await Seed.SchoolAsync(database, "École A");
        var b = await Seed.SchoolAsync(database, "École B");
        var referralOfB = await Seed.ReferralAsync(database, b);

        await using (var db = database.NewContext())
        {
            db.ForSchool(a.School.Id);
            var result = await Seed.Actions(db)
                .ApplyAsync(referralOfB, (r, now) => r.Cancel("Tentative", a.StaffActor(), now));
            result.Refusal!.Code.ShouldBe(RefusalCode.NotFound);
        }

        await using var check = database.NewContext();
        check.ForSchool(b.School.Id);
        (await check.Referrals.SingleAsync(r => r.Id == referralOfB)).Stage.ShouldBe(ReferralStage.AwaitingCandidate);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_school_cannot_refer_another_school_s_candidate_or_share_its_documents(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = await Seed.SchoolAsync(database, "École A");
        var b = await Seed.SchoolAsync(database, "École B");

        await using var db = database.NewContext();
        db.ForSchool(a.School.Id);
        var actions = Seed.Actions(db);

        (await actions.ProposeAsync(b.Candidate.Id, a.Offer.Id, a.Contact.Id, [], a.StaffActor(), a.Staff.Id)).Result.Refusal!.Code.ShouldBe(RefusalCode.NotFound);
        (await actions.ProposeAsync(a.Candidate.Id, b.Offer.Id, a.Contact.Id, [], a.StaffActor(), a.Staff.Id)).Result.Refusal!.Code.ShouldBe(RefusalCode.NotFound);
        (await actions.ProposeAsync(a.Candidate.Id, a.Offer.Id, b.Contact.Id, [], a.StaffActor(), a.Staff.Id)).Result.Refusal!.Code.ShouldBe(RefusalCode.NotFound);
        (await actions.ProposeAsync(a.Candidate.Id, a.Offer.Id, a.Contact.Id, [b.Document.Id], a.StaffActor(), a.Staff.Id)).Result.Refusal!.Code.ShouldBe(RefusalCode.NotFound);
        (await db.Referrals.CountAsync()).ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_candidate_is_never_proposed_to_a_contact_of_another_company_than_the_offer_s(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = await Seed.SchoolAsync(database, "École A");
        var b = await Seed.SchoolAsync(database, "École B");
        await using (var link = database.NewContext())
        {
            link.ForSchool(a.School.Id).SchoolContacts.Add(new Passerelle.Companies.SchoolContact { SchoolId = a.School.Id, ContactId = b.Contact.Id });
            await link.SaveChangesAsync();
        }

        await using var db = database.NewContext();
        db.ForSchool(a.School.Id);
        var (referral, result) = await Seed.Actions(db).ProposeAsync(a.Candidate.Id, a.Offer.Id, b.Contact.Id, [a.Document.Id], a.StaffActor(), a.Staff.Id);

        referral.ShouldBeNull("B's contact works with school A, but not for the offer's company");
        result.Refusal!.Code.ShouldBe(RefusalCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_context_without_a_school_sees_no_school_rows_and_writes_none(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = await Seed.SchoolAsync(database, "École A");
        await Seed.ReferralAsync(database, a);

        await using var db = database.NewContext();

        (await db.Referrals.CountAsync()).ShouldBe(0);
        (await db.Candidates.CountAsync()).ShouldBe(0);
        (await db.Referrals.IgnoreQueryFilters().CountAsync()).ShouldBe(1, "the rows are there; the scope hides them");
        db.Candidates.Add(new Candidate { Id = Guid.NewGuid(), SchoolId = a.School.Id, LastName = "X", FirstName = "Y", Email = "x@example.org" });
        await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_context_for_one_school_refuses_to_write_a_row_of_another(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = await Seed.SchoolAsync(database, "École A");
        var b = await Seed.SchoolAsync(database, "École B");

        await using var db = database.NewContext();
        db.ForSchool(a.School.Id);
        db.Candidates.Add(new Candidate { Id = Guid.NewGuid(), SchoolId = b.School.Id, LastName = "X", FirstName = "Y", Email = "x@example.org" });

        var error = await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        error.Message.ShouldContain("another school");
        Should.Throw<InvalidOperationException>(() => db.ForSchool(b.School.Id));
    }
}
