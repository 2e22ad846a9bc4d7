using Microsoft.EntityFrameworkCore;
using Passerelle.Common;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Companies;

/// <summary>What adding a contact did: an account opened (credentials mailed), an invitation sent, or why neither.</summary>
public sealed record ContactAdded(CompanyContact? Created, ContactInvitation? Invitation, string? Problem);

/// <summary>
/// A school's companies, contacts and offers, written the same way from the back-office and the API: the SIRET checked
/// (a company is shared by its SIRET), a new contact's account opened with its credentials mail, an existing account
/// invited (the school sees only the address it typed until the contact accepts), offers created active.
/// </summary>
public static class CompanyRecords
{
    public const string InvalidSiret = "Ce SIRET n'est pas valide : il compte 14 chiffres et sa clé de contrôle doit être juste.";

    /// <summary>
    /// Adds the company with this SIRET to the context's school: created when no school has it, added to the list when
    /// <paramref name="addExisting"/> (else refused with the existing company's name, for the person to decide).
    /// </summary>
    public static async Task<(Company? Company, string? Problem)> AddAsync(
        PasserelleDb db, string name, string? siretText, string? externalId, bool addExisting, DateTimeOffset now, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        if (OneLine.OrNull(name) is null)
            return (null, "Indiquez le nom de l'entreprise.");
        if (Siret.Normalize(siretText) is not { } siret)
            return (null, InvalidSiret);
        if (await db.Companies.AsNoTracking().SingleOrDefaultAsync(c => c.Siret == siret, ct) is { } existing)
        {
            if (await db.SchoolCompanies.AnyAsync(l => l.CompanyId == existing.Id, ct))
                return (existing, $"Cette entreprise est déjà dans votre liste : {existing.Name}.");
            if (!addExisting)
                return (existing, $"Une entreprise porte déjà ce SIRET : {existing.Name}. Ajoutez-la à votre liste pour y créer vos contacts et vos offres.");
            db.SchoolCompanies.Add(new SchoolCompany { SchoolId = schoolId, CompanyId = existing.Id, CreatedAt = now, ExternalId = externalId });
            return await SaveAsync(db, existing, ct);
        }
        var company = new Company { Id = Guid.CreateVersion7(now), Name = OneLine.Of(name), Siret = siret, CreatedAt = now };
        db.Companies.Add(company);
        db.SchoolCompanies.Add(new SchoolCompany { SchoolId = schoolId, CompanyId = company.Id, CreatedAt = now, ExternalId = externalId });
        return await SaveAsync(db, company, ct);
    }

    private static async Task<(Company?, string?)> SaveAsync(PasserelleDb db, Company company, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return (company, null);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return (null, "Une entreprise porte déjà ce SIRET ou cet identifiant externe : elle vient d'être ajoutée.");
        }
    }

    /// <summary>
    /// Adds a contact to a company of the context's school. A new address opens a Passerelle Entreprises account and mails
    /// its credentials; the address of an account the school does not reach yet sends an invitation.
    /// </summary>
    public static async Task<ContactAdded> AddContactAsync(
        PasserelleDb db, Guid companyId, string lastName, string firstName, string emailText, string? phone, string? externalId,
        Guid staffId, DateTimeOffset now, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        if (OneLine.OrNull(lastName) is null || OneLine.OrNull(firstName) is null)
            return new ContactAdded(null, null, "Indiquez le nom et le prénom du contact.");
        if (EmailAddress.Normalize(emailText) is not { } email)
            return new ContactAdded(null, null, "L'adresse e-mail du contact n'est pas valide.");
        var existing = await db.CompanyContacts.FirstOrDefaultAsync(c => c.UserName.ToLower() == email || c.Email.ToLower() == email, ct);
        if (existing is not null && existing.CompanyId != companyId)
            return new ContactAdded(null, null, "Cette adresse ne peut pas être ajoutée à cette entreprise : vérifiez-la, ou ajoutez le contact depuis la fiche de son entreprise.");
        if (existing is not null && await db.SchoolContacts.AnyAsync(l => l.ContactId == existing.Id, ct))
            return new ContactAdded(null, null, "Ce contact travaille déjà avec votre école.");
        if (existing is not null)
        {
            var pending = await db.ContactInvitations.FirstOrDefaultAsync(i => i.ContactId == existing.Id && i.AnsweredAt == null, ct);
            if (pending is not null)
                return new ContactAdded(null, pending, null);
            var invitation = new ContactInvitation
            {
                Id = Guid.CreateVersion7(now), SchoolId = schoolId, CompanyId = companyId, ContactId = existing.Id, Email = email,
                InvitedByStaffId = staffId, CreatedAt = now,
            };
            db.ContactInvitations.Add(invitation);
            db.OutboxMessages.Add(Outbox.ToAccount(schoolId, TemplateKeys.ContactInvitation, existing.Id, existing.Email, existing.DisplayName, now));
            // Not a contact erased since they were read (their address would be kept in the invitation): their row is written
            // with it, under its concurrency token.
            db.Entry(existing).Property(c => c.ErasedAt).IsModified = true;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                return new ContactAdded(null, null, "Ce contact vient d'être effacé : ajoutez-le à nouveau, comme un nouveau contact.");
            }
            return new ContactAdded(null, invitation, null);
        }

        var contact = new CompanyContact
        {
            Id = Guid.CreateVersion7(now), CompanyId = companyId, LastName = OneLine.Of(lastName), FirstName = OneLine.Of(firstName),
            Email = email, Phone = OneLine.OrNull(phone), UserName = email, CreatedAt = now,
        };
        db.CompanyContacts.Add(contact);
        db.SchoolContacts.Add(new SchoolContact { SchoolId = schoolId, ContactId = contact.Id, CreatedAt = now, ExternalId = externalId });
        db.OutboxMessages.Add(Outbox.ToAccount(schoolId, TemplateKeys.ContactCredentials, contact.Id, contact.Email, contact.DisplayName, now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return new ContactAdded(null, null, "Ce contact (ou cet identifiant externe) vient d'être ajouté : rechargez la liste.");
        }
        return new ContactAdded(contact, null, null);
    }

    /// <summary>Adds an active offer to a company of the context's school.</summary>
    public static async Task<(JobOffer? Offer, string? Problem)> AddOfferAsync(
        PasserelleDb db, Guid companyId, string title, string description, string? location, DateOnly? startsOn, string? externalId,
        DateTimeOffset now, CancellationToken ct, ContractKind? contract = null)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        if (OneLine.OrNull(title) is null || OneLine.OrNull(description) is null)
            return (null, "Indiquez l'intitulé et la description de l'offre.");
        var offer = new JobOffer
        {
            Id = Guid.CreateVersion7(now), SchoolId = schoolId, CompanyId = companyId, Title = OneLine.Of(title), Description = description.Trim(),
            Location = OneLine.OrNull(location), StartsOn = startsOn, Contract = contract, IsActive = true, CreatedAt = now,
            ExternalId = externalId,
        };
        db.JobOffers.Add(offer);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return (null, "Une offre porte déjà cet identifiant externe.");
        }
        return (offer, null);
    }
}
