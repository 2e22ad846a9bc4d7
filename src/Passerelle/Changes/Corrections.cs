using Microsoft.EntityFrameworkCore;
using Passerelle.Common;
using Passerelle.Companies;
using Passerelle.Email;
using Passerelle.JobOffers;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Changes;

/// <summary>An offer as the edit form gives it.</summary>
public sealed record OfferEdit(string? Title, string? Description, string? Location, ContractKind? Contract, DateOnly? StartsOn, bool IsActive);

/// <summary>A company as the edit form gives it.</summary>
public sealed record CompanyEdit(string? Name, string? Address, string? Siret);

/// <summary>A contact as the edit form gives it.</summary>
public sealed record ContactEdit(string? LastName, string? FirstName, string? Phone, string? Email);

/// <summary>A staff member as the edit form gives it.</summary>
public sealed record StaffEdit(string? LastName, string? FirstName, StaffRole Role);

/// <summary>
/// Correcting what a school wrote: an offer, a company, a contact, a staff member. Each edit is checked like the creation
/// form, saved with its <see cref="ChangeRecord"/> in one save, and answers a French message when refused (nothing changed).
/// Mails already sent keep their copy: an edit changes what the next mails say, never what was mailed.
/// </summary>
public static class Corrections
{
    public const string SpontaneousOffer = "La candidature spontanée d'une entreprise ne se modifie pas.";

    public static async Task<string?> EditOfferAsync(PasserelleDb db, JobOffer offer, OfferEdit edit, Guid staffId, string staffName,
        DateTimeOffset now, CancellationToken ct)
    {
        if (offer.IsSpontaneous)
            return SpontaneousOffer;
        if (Required(edit.Title, 200) is not { } title || Required(edit.Description, 4000, lines: true) is not { } description)
            return "Indiquez l'intitulé (200 caractères au plus) et la description (4 000 caractères au plus) de l'offre.";
        if (Optional(edit.Location, 200, out var location) is { } tooLong)
            return $"Le lieu compte {tooLong} caractères : 200 au plus.";
        if (edit.Contract is { } contract && !Enum.IsDefined(contract))
            return "Choisissez un type de contrat dans la liste.";

        var changes = OfferChanges(offer, edit with { Title = title, Description = description, Location = location });
        offer.Title = title;
        offer.Description = description;
        offer.Location = location;
        offer.Contract = edit.Contract;
        offer.StartsOn = edit.StartsOn;
        offer.IsActive = edit.IsActive;
        changes.Record(db, ChangeSubject.JobOffer, offer.Id, staffId, staffName, now);
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>What an offer's history says of an edit (its values already checked and cleaned): each field it changes.</summary>
    public static ChangeSet OfferChanges(JobOffer offer, OfferEdit edit) => new ChangeSet()
        .Compare("Intitulé", offer.Title, edit.Title)
        .Compare("Description", offer.Description, edit.Description)
        .Compare("Lieu", offer.Location, edit.Location)
        .Compare("Contrat", JobOffer.ContractLabel(offer.Contract), JobOffer.ContractLabel(edit.Contract))
        .Compare("Début", Day(offer.StartsOn), Day(edit.StartsOn))
        .Compare("État", offer.IsActive ? "Active" : "Inactive", edit.IsActive ? "Active" : "Inactive");

    /// <summary>
    /// A company is shared by the schools that work with it: its name and address change for all of them. Its SIRET can
    /// be corrected until a referral is made for one of its offers (in any school): from then on it identifies the company
    /// in what was sent.
    /// </summary>
    public static async Task<string?> EditCompanyAsync(PasserelleDb db, Guid companyId, CompanyEdit edit, Guid staffId, string staffName,
        DateTimeOffset now, CancellationToken ct)
    {
        var company = await db.Companies.SingleAsync(c => c.Id == companyId, ct);
        if (Required(edit.Name, 200) is not { } name)
            return "Indiquez le nom de l'entreprise (200 caractères au plus).";
        if (Optional(edit.Address, 500, out var address, lines: true) is { } tooLong)
            return $"L'adresse compte {tooLong} caractères : 500 au plus.";
        var siret = company.Siret;
        if (!string.IsNullOrWhiteSpace(edit.Siret) && Siret.Normalize(edit.Siret) is var typed && typed != company.Siret)
        {
            if (typed is null)
                return CompanyRecords.InvalidSiret;
            if (await SiretIsFixedAsync(db, companyId, ct))
                return "Le SIRET ne se modifie plus : des mises en relation ont déjà été faites pour les offres de cette entreprise.";
            if (await db.Companies.AnyAsync(c => c.Siret == typed && c.Id != companyId, ct))
                return "Une autre entreprise porte déjà ce SIRET.";
            siret = typed;
        }

        var changes = new ChangeSet()
            .Compare("Nom", company.Name, name)
            .Compare("Adresse", company.Address, address)
            .Compare("SIRET", company.Siret, siret);
        company.Name = name;
        company.Address = address;
        company.Siret = siret;
        changes.Record(db, ChangeSubject.Company, company.Id, staffId, staffName, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return "Une autre entreprise porte déjà ce SIRET.";
        }
        return null;
    }

    /// <summary>Whether a referral exists for one of the company's offers, in any school.</summary>
    public static Task<bool> SiretIsFixedAsync(PasserelleDb db, Guid companyId, CancellationToken ct) =>
        db.Referrals.IgnoreQueryFilters().AnyAsync(r => db.JobOffers.IgnoreQueryFilters().Any(o => o.Id == r.JobOfferId && o.CompanyId == companyId), ct);

    /// <summary>
    /// A contact's name and phone change at once. A new address is only asked for: a link is mailed to it, and the address
    /// (and the login, when it was the old address) changes when its owner opens the link and confirms
    /// (<see cref="ConfirmEmailAsync"/>). Until then, mails go to the address the contact had.
    /// </summary>
    public static async Task<(string? Problem, string? PendingEmail)> EditContactAsync(PasserelleDb db, CompanyContact contact, ContactEdit edit,
        Guid staffId, string staffName, DateTimeOffset now, CancellationToken ct)
    {
        if (contact.ErasedAt is not null)
            return (ContactErased, null);
        if (Required(edit.LastName, 100) is not { } lastName || Required(edit.FirstName, 100) is not { } firstName)
            return ("Indiquez le nom et le prénom (100 caractères au plus).", null);
        if (Optional(edit.Phone, 30, out var phone) is not null)
            return ("Le téléphone compte 30 caractères au plus.", null);
        if (EmailAddress.Normalize(edit.Email) is not { } email)
            return ("L'adresse e-mail n'est pas valide.", null);
        // In the caller's transaction (the API's, with the external id), or in one of its own.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        if (!await HoldContactAsync(db, contact.Id, ct))
            return (ContactErased, null);

        string? pending = null;
        if (!string.Equals(email, contact.Email, StringComparison.OrdinalIgnoreCase))
        {
            if (await AddressTakenAsync(db, contact.Id, email, ct))
                return ("Un autre compte Passerelle Entreprises utilise déjà cette adresse.", null);
            pending = email;
        }
        var changes = new ChangeSet()
            .Compare(PersonFields.LastName, contact.LastName, lastName)
            .Compare(PersonFields.FirstName, contact.FirstName, firstName)
            .Compare(PersonFields.Phone, contact.Phone, phone);
        if (pending is not null)
            changes.Compare(PersonFields.PendingEmail, contact.PendingEmail, pending);
        contact.LastName = lastName;
        contact.FirstName = firstName;
        contact.Phone = phone;
        if (pending is not null)
        {
            // A newer request voids the mails and links of an older one (and ConfirmEmailAsync checks the request's time: a
            // link composed while this request is saved belongs to the older one).
            contact.PendingEmail = pending;
            contact.PendingEmailRequestedAt = now;
            var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
            var older = await db.OutboxMessages.IgnoreQueryFilters()
                .Where(m => m.ToPersonId == contact.Id && m.TemplateKey == TemplateKeys.ContactEmailConfirmation && m.State == OutboxState.Pending)
                .ToListAsync(ct);
            foreach (var message in older)
            {
                message.State = OutboxState.Skipped;
                message.LastError = "Remplacé par une demande plus récente.";
            }
            var olderLinks = await db.AccountTokens.Where(t => t.AccountKind == Accounts.AccountKind.CompanyContact && t.AccountId == contact.Id
                && t.Purpose == Accounts.AccountTokenPurpose.EmailChange && t.UsedAt == null).ToListAsync(ct);
            foreach (var link in olderLinks)
                link.UsedAt = now;
            db.OutboxMessages.Add(Outbox.ToAccount(schoolId, TemplateKeys.ContactEmailConfirmation, contact.Id, pending, contact.DisplayName, now));
        }
        changes.Record(db, ChangeSubject.CompanyContact, contact.Id, staffId, staffName, now);
        await db.SaveChangesAsync(ct);
        if (transaction is not null)
            await transaction.CommitAsync(ct);
        return (null, pending);
    }

    /// <summary>
    /// Takes the contact's row (writes it to itself) until the transaction ends, as their erasure takes it first: what follows
    /// waits for an erasure under way instead of deadlocking with it (each holding rows the other needs), and an erasure
    /// starting now waits for it. False when the contact is erased.
    /// </summary>
    internal static async Task<bool> HoldContactAsync(PasserelleDb db, Guid contactId, CancellationToken ct) =>
        await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == contactId && c.ErasedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.SecurityStamp, c => c.SecurityStamp), ct) > 0;

    public const string ContactErased = "Ce contact est effacé : ses informations ne se modifient plus.";

    /// <summary>
    /// The owner of a new address confirms it with the mailed link: the address becomes the contact's (and their login, when
    /// the login was the old address). Refused when the link is unknown, used, expired, or older than the latest request.
    /// </summary>
    public static async Task<(CompanyContact? Contact, string? Problem)> ConfirmEmailAsync(PasserelleDb db, string rawToken, DateTimeOffset now,
        CancellationToken ct)
    {
        var (contact, token) = await PendingEmailAsync(db, rawToken, now, ct);
        if (contact is null || token is null)
            return (null, InvalidConfirmation);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await HoldContactAsync(db, contact.Id, ct))
            return (null, InvalidConfirmation);
        var email = contact.PendingEmail!;
        if (await AddressTakenAsync(db, contact.Id, email, ct))
            return (null, "Un autre compte Passerelle Entreprises utilise déjà cette adresse : elle ne peut pas devenir la vôtre.");

        var changes = new ChangeSet().Compare(PersonFields.Email, contact.Email, email);
        if (string.Equals(contact.UserName, contact.Email, StringComparison.OrdinalIgnoreCase))
        {
            changes.Compare(PersonFields.UserName, contact.UserName, email);
            contact.UserName = email;
        }
        contact.Email = email;
        contact.PendingEmail = null;
        contact.PendingEmailRequestedAt = null;
        token.UsedAt = now;
        // Recorded for the school that asked for the change, as done by the contact.
        var request = await db.ChangeRecords.IgnoreQueryFilters().Where(r => r.SubjectKind == ChangeSubject.CompanyContact && r.SubjectId == contact.Id)
            .OrderByDescending(r => r.ChangedAt).Select(r => (Guid?)r.SchoolId).FirstOrDefaultAsync(ct);
        // The contact acts for no school: the record is written for the school that asked, hence the system scope.
        if (request is { } schoolId)
            db.ForSystem().ChangeRecords.Add(ChangeRecord.Of(schoolId, ChangeSubject.CompanyContact, contact.Id, changes.Fields, null,
                $"{contact.DisplayName} (confirmation par e-mail)", now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return (null, "Un autre compte Passerelle Entreprises utilise déjà cette adresse : elle ne peut pas devenir la vôtre.");
        }
        await transaction.CommitAsync(ct);
        return (contact, null);
    }

    /// <summary>Another account has this address as its address or its login (the login may be an address).</summary>
    private static Task<bool> AddressTakenAsync(PasserelleDb db, Guid contactId, string email, CancellationToken ct) =>
        db.CompanyContacts.AnyAsync(c => c.Id != contactId && (c.Email.ToLower() == email || c.UserName.ToLower() == email), ct);

    public const string InvalidConfirmation =
        "Ce lien de confirmation n'est plus valable (déjà utilisé, expiré, ou remplacé par une demande plus récente). Demandez à l'école de vous en envoyer un nouveau.";

    /// <summary>The contact and the token of a confirmation link still valid, or nothing.</summary>
    public static async Task<(CompanyContact? Contact, Accounts.AccountToken? Token)> PendingEmailAsync(PasserelleDb db, string rawToken, DateTimeOffset now,
        CancellationToken ct)
    {
        if (!Accounts.SecretToken.TryParse(rawToken, out var id, out var hash))
            return (null, null);
        var token = await db.AccountTokens.SingleOrDefaultAsync(t => t.Id == id && t.Purpose == Accounts.AccountTokenPurpose.EmailChange, ct);
        if (token is null || !Accounts.SecretToken.Matches(token.SecretHash, hash) || token.UsedAt is not null || token.ExpiresAt <= now)
            return (null, null);
        var contact = await db.CompanyContacts.SingleOrDefaultAsync(c => c.Id == token.AccountId, ct);
        // The link confirms the request it was mailed for (its token carries that request's time), not a later one.
        if (contact is not { PendingEmail: not null, PendingEmailRequestedAt: { } requested } || requested != token.CreatedAt)
            return (null, null);
        return (contact, token);
    }

    /// <summary>
    /// A staff member's name and role (admins only). The school keeps at least one admin; a new role ends the person's
    /// sessions (their next request signs them out: the role is checked against the database).
    /// </summary>
    public static async Task<string?> EditStaffAsync(PasserelleDb db, Staff staff, StaffEdit edit, Guid staffId, string staffName,
        DateTimeOffset now, CancellationToken ct)
    {
        if (Required(edit.LastName, 100) is not { } lastName || Required(edit.FirstName, 100) is not { } firstName)
            return "Indiquez le nom et le prénom (100 caractères au plus).";
        if (!Enum.IsDefined(edit.Role))
            return "Choisissez un rôle.";
        // In the caller's transaction (the page's, which merged its form under the same lock), or in one of its own.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        // The school's row first, as the erasure and the switches take it; then the member as they are now: an erasure that
        // began after the page read them is finished, and the correction does not write their name back.
        await Deactivations.LockSchoolAsync(db, ct);
        await db.Entry(staff).ReloadAsync(ct);
        if (staff.ErasedAt is not null)
            return StaffErased;
        if (staff.Role == StaffRole.SchoolAdmin && edit.Role != StaffRole.SchoolAdmin && !await Deactivations.OtherActiveAdminAsync(db, staff.Id, ct))
            return "L'école garde au moins un administrateur actif : nommez-en un autre avant de changer ce rôle.";

        var changes = new ChangeSet()
            .Compare(PersonFields.LastName, staff.LastName, lastName)
            .Compare(PersonFields.FirstName, staff.FirstName, firstName)
            .Compare("Rôle", RoleLabel(staff.Role), RoleLabel(edit.Role));
        staff.LastName = lastName;
        staff.FirstName = firstName;
        staff.Role = edit.Role;
        changes.Record(db, ChangeSubject.Staff, staff.Id, staffId, staffName, now);
        await db.SaveChangesAsync(ct);
        if (transaction is not null)
            await transaction.CommitAsync(ct);
        return null;
    }

    public const string StaffErased = "Ce membre de l'équipe est effacé : ses informations ne se modifient plus.";

    public static string RoleLabel(StaffRole role) => role == StaffRole.SchoolAdmin ? "Administrateur·rice" : "Chargé·e de relations entreprises";

    private static string? Day(DateOnly? day) => day?.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);

    private static string? Required(string? text, int max, bool lines = false) => Kept(text, lines) is { } kept && kept.Length <= max ? kept : null;

    /// <summary>The trimmed text or null when blank; returns the length when it is over <paramref name="max"/>.</summary>
    private static int? Optional(string? text, int max, out string? value, bool lines = false)
    {
        value = Kept(text, lines);
        return value is { Length: var length } && length > max ? length : null;
    }

    /// <summary>
    /// A name, a title, a phone number on one line (<see cref="OneLine"/>); a description or an address with its lines; null when
    /// blank.
    /// </summary>
    private static string? Kept(string? text, bool lines) => !lines ? OneLine.OrNull(text) : string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
