using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Companies;
using Passerelle.CvPushes;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Demo;

/// <summary>
/// The demo of the embedded default, modelled on the user document: school staff MARTIN Benoît referred
/// TECHER Margaud and JOURDAN Guillaume on 15/05/2020 at 15h41 for "Et laboriosam praesentium"; Margaud's
/// acceptance of 15/06/2020 was recorded by MARTIN Benoît on her behalf. The company contact also works with
/// a second school. DUPONT Léa is referred at the first start, and her offer mail is sent, so that the whole
/// process can be followed from the mailbox. Created once; every later start finds it and changes nothing.
/// </summary>
public static class DemoData
{
    public const string Password = "Passerelle2020!";

    public static readonly IReadOnlyList<(string UserName, string Who)> Logins =
    [
        ("demo.entreprise", "contact entreprise LEFEBVRE Sophie (Passerelle Entreprises)"),
        ("demo.ecole", "chargé de relations entreprises MARTIN Benoît (Passerelle École)"),
        ("demo.admin", "administratrice école DURAND Claire (Passerelle École)"),
        ("demo.cfa", "administratrice de la seconde école, ROUSSEL Camille (Passerelle École)"),
    ];

    public static readonly Guid SchoolId = new("0193c2a0-0000-7000-8000-000000000001");
    public static readonly Guid SecondSchoolId = new("0193c2a0-0000-7000-8000-000000000002");
    public static readonly Guid ContactId = new("0193c2a0-0000-7000-8000-000000000101");

    /// <summary>Adds the demo if it is not there; returns true when it was created now.</summary>
    public static async Task<bool> EnsureCreatedAsync(PasserelleDb db, DateTimeOffset now, DocumentStorage? storage = null, CancellationToken ct = default)
    {
        db.ForSystem();
        if (await db.Schools.AnyAsync(s => s.Id == SchoolId, ct))
        {
            await WriteFilesAsync(db, storage, ct);
            return false;
        }

        var hasher = new PasswordHasher<object>();
        string Hash() => hasher.HashPassword(new object(), Password);
        var created = ParisTime.ToUtc(new DateTime(2020, 1, 6, 9, 0, 0));
        var referredAt = ParisTime.ToUtc(new DateTime(2020, 5, 15, 15, 41, 0));
        var acceptedAt = ParisTime.ToUtc(new DateTime(2020, 6, 15, 12, 7, 0));

        // The document's referrals date from 2020: the demo schools keep candidates for the longest period, so the retention
        // job does not erase the demo.
        var school = new School
        {
            Id = SchoolId, Name = "Passerelle School", CreatedAt = created, PushCvEnabled = true, RetentionMonths = School.MaximumRetentionMonths,
        };
        var secondSchool = new School { Id = SecondSchoolId, Name = "CFA des Métiers de Bordeaux", CreatedAt = created, RetentionMonths = School.MaximumRetentionMonths };
        var martin = NewStaff(SchoolId, "demo.ecole", "MARTIN", "Benoît", "benoit.martin@passerelle-school.example", StaffRole.Recruiter);
        var durand = NewStaff(SchoolId, "demo.admin", "DURAND", "Claire", "claire.durand@passerelle-school.example", StaffRole.SchoolAdmin);
        var roussel = NewStaff(SecondSchoolId, "demo.cfa", "ROUSSEL", "Camille", "camille.roussel@cfa-bordeaux.example", StaffRole.SchoolAdmin);

        var company = new Company { Id = Id(201), Name = "Laboriosam Industries", Siret = "90123456700013", CreatedAt = created };
        var contact = new CompanyContact
        {
            Id = ContactId, CompanyId = company.Id, LastName = "LEFEBVRE", FirstName = "Sophie",
            Email = "sophie.lefebvre@laboriosam.example", Phone = "05 56 00 00 00",
            UserName = "demo.entreprise", PasswordHash = Hash(), CreatedAt = created,
        };
        var offer = new JobOffer
        {
            Id = Id(301), SchoolId = SchoolId, CompanyId = company.Id, Title = "Et laboriosam praesentium",
            Description = "Mission en alternance au sein de l'équipe technique : maintenance, qualité et amélioration continue.",
            Location = "Bordeaux (33)", StartsOn = new DateOnly(2020, 9, 1), IsActive = true, CreatedAt = created,
        };
        var secondOffer = new JobOffer
        {
            Id = Id(302), SchoolId = SecondSchoolId, CompanyId = company.Id, Title = "Technicien·ne de maintenance en alternance",
            Description = "Alternance de 24 mois : maintenance préventive et curative des lignes de production.",
            Location = "Mérignac (33)", StartsOn = new DateOnly(2020, 9, 14), IsActive = true, CreatedAt = created,
        };

        var margaud = NewCandidate(401, SchoolId, "TECHER", "Margaud", "margaud.techer@example.org", created);
        var guillaume = NewCandidate(402, SchoolId, "JOURDAN", "Guillaume", "guillaume.jourdan@example.org", created);
        var lina = NewCandidate(403, SecondSchoolId, "NGUYEN", "Lina", "lina.nguyen@example.org", created);
        var lea = NewCandidate(404, SchoolId, "DUPONT", "Léa", "lea.dupont@example.org", created);
        Document[] documents =
        [
            NewDocument(501, margaud, DocumentKind.Cv, "cv", created),
            NewDocument(502, margaud, DocumentKind.Transcript, "test_bulletin", created),
            NewDocument(503, margaud, DocumentKind.Diploma, "test", created),
            NewDocument(504, guillaume, DocumentKind.Cv, "CV_Guillaume", created),
            NewDocument(505, guillaume, DocumentKind.CoverLetter, "LM_Guillaume", created),
            NewDocument(506, guillaume, DocumentKind.Other, "Lettre de recommandation", created),
            NewDocument(507, lina, DocumentKind.Cv, "CV_Lina", created),
            NewDocument(508, lea, DocumentKind.Cv, "CV_Lea", created),
            NewDocument(509, lea, DocumentKind.CoverLetter, "LM_Lea", created),
        ];

        db.Schools.AddRange(school, secondSchool);
        db.Staff.AddRange(martin, durand, roussel);
        db.Companies.Add(company);
        db.SchoolCompanies.AddRange(
            new SchoolCompany { SchoolId = SchoolId, CompanyId = company.Id, CreatedAt = created },
            new SchoolCompany { SchoolId = SecondSchoolId, CompanyId = company.Id, CreatedAt = created });
        db.CompanyContacts.Add(contact);
        db.SchoolContacts.AddRange(
            new SchoolContact { SchoolId = SchoolId, ContactId = contact.Id, CreatedAt = created },
            new SchoolContact { SchoolId = SecondSchoolId, ContactId = contact.Id, CreatedAt = created });
        db.JobOffers.AddRange(offer, secondOffer);
        db.Candidates.AddRange(margaud, guillaume, lina, lea);
        db.Documents.AddRange(documents);

        // The referrals go through the workflow itself, at the document's dates.
        var asMartin = Actor.Staff(martin.Id, martin.DisplayName);
        // Both at 15h41; Guillaume a few seconds earlier, so that Margaud comes first in the newest-first list, as in the document.
        var margaudReferral = Propose(db, margaud, offer, contact, documents[..3], asMartin, martin.Id, referredAt.AddSeconds(30));
        Propose(db, guillaume, offer, contact, documents[3..6], asMartin, martin.Id, referredAt.AddSeconds(10));
        Propose(db, lina, secondOffer, contact, documents[6..], Actor.Staff(roussel.Id, roussel.DisplayName), roussel.Id,
            ParisTime.ToUtc(new DateTime(2020, 6, 2, 10, 15, 0)));

        var accepted = margaudReferral.AnswerOffer(OfferAnswer.Accepted, Actor.Staff(martin.Id, martin.DisplayName, Party.Candidate), acceptedAt);
        db.ReferralEvents.Add(accepted.Event!);

        // One referral made today, whose offer mail really goes out (to the mail folder, readable at /dev/mails):
        // a new user can follow the whole process from it.
        var (today, proposed) = Referral.Propose(SchoolId, lea.Id, offer.Id, true, contact.Id, documents[7..].Select(d => d.Id),
            asMartin, martin.Id, now);
        db.Referrals.Add(today!);
        db.ReferralEvents.Add(proposed.Event!);
        Outbox.Enqueue(db, today!, proposed, now);

        // The push CV module is on in the demo school: Guillaume agreed to have his profile proposed, and it was pushed to
        // the demo contact today, whose mail really goes out — "Profils proposés" has one profile to answer.
        guillaume.PushConsentAt = now.AddDays(-1);
        guillaume.PushConsentRecordedBy = martin.DisplayName;
        guillaume.PushConsentRecordedById = martin.Id;
        var push = new CvPush
        {
            Id = Guid.CreateVersion7(now), SchoolId = SchoolId, ContactId = contact.Id, CreatedByStaffId = martin.Id, CreatedAt = now,
            Message = "Guillaume cherche une alternance en maintenance à partir de septembre.",
        };
        db.CvPushes.Add(push);
        db.PushedProfiles.Add(PushedProfile.Create(push, guillaume.Id, documents[3..5].Select(d => d.Id)));
        db.OutboxMessages.Add(Outbox.ForPush(push));

        await db.SaveChangesAsync(ct);
        await WriteFilesAsync(db, storage, ct);
        return true;

        Staff NewStaff(Guid schoolId, string userName, string lastName, string firstName, string email, StaffRole role) => new()
        {
            Id = Guid.CreateVersion7(created), SchoolId = schoolId, UserName = userName, PasswordHash = Hash(),
            LastName = lastName, FirstName = firstName, Email = email, Role = role, CreatedAt = created,
        };
    }

    /// <summary>The demo documents' files, written when missing (a fresh ./data/documents, say).</summary>
    private static async Task WriteFilesAsync(PasserelleDb db, DocumentStorage? storage, CancellationToken ct)
    {
        if (storage is null)
            return;
        var documents = await db.Documents.IgnoreQueryFilters().AsNoTracking()
            .Where(d => d.SchoolId == SchoolId || d.SchoolId == SecondSchoolId).ToListAsync(ct);
        foreach (var document in documents)
        {
            await using var existing = storage.OpenRead(document);
            if (existing is not null)
                continue;
            using var content = new MemoryStream(DemoPdf.Create(document.Label));
            await storage.SaveAsync(document.StorageKey, content, ct);
        }
    }

    private static Referral Propose(
        PasserelleDb db, Candidate candidate, JobOffer offer, CompanyContact contact, Document[] shared,
        Actor actor, Guid staffId, DateTimeOffset at)
    {
        var (referral, result) = Referral.Propose(candidate.SchoolId, candidate.Id, offer.Id, offer.IsActive, contact.Id,
            shared.Select(d => d.Id), actor, staffId, at);
        db.Referrals.Add(referral!);
        db.ReferralEvents.Add(result.Event!);
        return referral!;
    }

    private static Candidate NewCandidate(int n, Guid schoolId, string lastName, string firstName, string email, DateTimeOffset at) => new()
    {
        Id = Id(n), SchoolId = schoolId, LastName = lastName, FirstName = firstName, Email = email, CreatedAt = at,
    };

    private static Document NewDocument(int n, Candidate candidate, DocumentKind kind, string title, DateTimeOffset at) => new()
    {
        Id = Id(n), SchoolId = candidate.SchoolId, CandidateId = candidate.Id, Kind = kind, Title = title,
        ContentType = "application/pdf", SizeBytes = DemoPdf.Create($"{Document.KindLabel(kind)} - {title}").Length,
        StorageKey = DocumentStorage.NewKey(candidate.SchoolId, Id(n)), UploadedAt = at,
    };

    private static Guid Id(int n) => new($"0193c2a0-0000-7000-8000-{n:D12}");
}
