using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Tests.Infrastructure;

/// <summary>A school with what a referral needs: staff, candidate with a document, company, contact, offer.</summary>
public sealed record SchoolFixture(School School, Staff Staff, Candidate Candidate, Document Document, Company Company, CompanyContact Contact, JobOffer Offer)
{
    public Actor StaffActor(Party? onBehalfOf = null) => Actor.Staff(Staff.Id, Staff.DisplayName, onBehalfOf);
    public Actor CandidateActor => Actor.Candidate(Candidate.Id, Candidate.DisplayName);
    public Actor ContactActor(Channel channel = Channel.Portal) => Actor.Contact(Contact.Id, Contact.DisplayName, channel);
}

public static class Seed
{
    private static int _siretCounter;

    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Adds a complete school (and its company) to the database.</summary>
    public static async Task<SchoolFixture> SchoolAsync(TestDatabase database, string name = "École Test")
    {
        var at = Now.AddDays(-30);
        var school = new School { Id = Guid.NewGuid(), Name = name, CreatedAt = at };
        var staff = new Staff
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, UserName = $"staff-{Guid.NewGuid():N}", PasswordHash = "x",
            LastName = "Martin", FirstName = "Benoît", Email = "benoit@example.org", Role = StaffRole.Recruiter, CreatedAt = at,
        };
        var candidate = new Candidate
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, LastName = "Techer", FirstName = "Margaud", Email = "margaud@example.org", CreatedAt = at,
        };
        var document = new Document
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, CandidateId = candidate.Id, Kind = DocumentKind.Cv, Title = "cv",
            ContentType = "application/pdf", SizeBytes = 1234, StorageKey = $"{Guid.NewGuid():N}", UploadedAt = at,
        };
        var company = new Company { Id = Guid.NewGuid(), Name = "Entreprise Test", Siret = NextSiret(), CreatedAt = at };
        var contact = new CompanyContact
        {
            Id = Guid.NewGuid(), CompanyId = company.Id, LastName = "Lefebvre", FirstName = "Sophie", Email = "sophie@example.org",
            UserName = $"contact-{Guid.NewGuid():N}", PasswordHash = "x", CreatedAt = at,
        };
        var offer = new JobOffer
        {
            Id = Guid.NewGuid(), SchoolId = school.Id, CompanyId = company.Id, Title = "Et laboriosam praesentium",
            Description = "Une offre", IsActive = true, CreatedAt = at,
        };

        await using var db = database.NewContext();
        db.ForSystem();
        db.AddRange(school, staff, candidate, document, company, contact, offer);
        db.Add(new SchoolContact { SchoolId = school.Id, ContactId = contact.Id, CreatedAt = at });
        db.Add(new SchoolCompany { SchoolId = school.Id, CompanyId = company.Id, CreatedAt = at });
        await db.SaveChangesAsync();
        return new SchoolFixture(school, staff, candidate, document, company, contact, offer);
    }

    /// <summary>Proposes a referral through the workflow and returns its id.</summary>
    public static async Task<Guid> ReferralAsync(TestDatabase database, SchoolFixture school)
    {
        await using var db = database.NewContext();
        db.ForSchool(school.School.Id);
        var actions = Actions(db);
        var (referral, result) = await actions.ProposeAsync(school.Candidate.Id, school.Offer.Id, school.Contact.Id,
            [school.Document.Id], school.StaffActor(), school.Staff.Id);
        result.Refusal.ShouldBeNull();
        return referral!.Id;
    }

    public static ReferralActions Actions(PasserelleDb db, TimeProvider? clock = null) =>
        new(db, clock ?? new FixedClock(Now));

    /// <summary>A SIRET that passes the Luhn check, different each call.</summary>
    public static string NextSiret()
    {
        var prefix = $"9{Interlocked.Increment(ref _siretCounter) + Random.Shared.Next(1_000_000, 9_000_000):D8}0000";
        for (var last = 0; last < 10; last++)
        {
            var candidate = prefix + last;
            if (Siret.IsValid(candidate))
                return candidate;
        }
        throw new InvalidOperationException("unreachable: one check digit always fits");
    }
}

public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
