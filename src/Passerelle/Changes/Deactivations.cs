using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Companies;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Changes;

/// <summary>
/// Switching off, not deleting: a school deactivates (and reactivates) a company contact, a company or a staff member who
/// left. Nothing is deleted — referrals, timelines and mails keep naming them — but from that moment they have no access,
/// receive no mail from the school and cannot be chosen. Contacts and companies are shared: the school switches off its
/// own link to them, and they keep working with the other schools. Each switch is recorded in the object's history.
/// </summary>
public static class Deactivations
{
    private const string Active = "Actif";
    private const string Inactive = "Désactivé";

    /// <summary>
    /// A contact of the school: their portal loses this school at once (<see cref="CompanyPortal.CompanySession"/>), their
    /// mail links for it stop working with a page that says whom to contact, its mails to them are skipped
    /// (<see cref="Email.MailComposer.RecipientSwitchedOff"/>), and they are no longer offered for referrals. When no school
    /// they worked with keeps them active, their sessions end too.
    /// </summary>
    public static async Task<string?> SetContactActiveAsync(PasserelleDb db, Guid contactId, bool active, Guid staffId, string staffName,
        DateTimeOffset now, CancellationToken ct)
    {
        var link = await db.SchoolContacts.SingleOrDefaultAsync(l => l.ContactId == contactId, ct);
        if (link is null)
            return NotFound;
        if ((link.DeactivatedAt is null) == active)
            return active ? "Ce contact est déjà actif." : "Ce contact est déjà désactivé.";
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The contact's row first, held until the switch is saved: an erasure under way is waited for (and then found erased),
        // one starting now waits for the switch (and then finds them active again); two schools switching them off at once
        // take turns, so the second sees the first's link off and ends the sessions.
        if (!await Corrections.HoldContactAsync(db, contactId, ct))
            return Erased;
        link.DeactivatedAt = active ? null : now;
        Switch(active).Record(db, ChangeSubject.CompanyContact, contactId, staffId, staffName, now);
        await db.SaveChangesAsync(ct);
        if (!active && !await db.SchoolContacts.IgnoreQueryFilters().AnyAsync(l => l.ContactId == contactId && l.DeactivatedAt == null, ct))
        {
            await SessionValidation.EndSessionsAsync<CompanyContact>(db, contactId, ct);
            await VoidPasswordLinksAsync(db, AccountKind.CompanyContact, contactId, now, ct);
        }
        await transaction.CommitAsync(ct);
        return null;
    }

    /// <summary>A company of the school: its offers take no new referral and it is no longer offered; its contacts stay as they are.</summary>
    public static async Task<string?> SetCompanyActiveAsync(PasserelleDb db, Guid companyId, bool active, Guid staffId, string staffName,
        DateTimeOffset now, CancellationToken ct)
    {
        var link = await db.SchoolCompanies.SingleOrDefaultAsync(l => l.CompanyId == companyId, ct);
        if (link is null)
            return NotFound;
        if ((link.DeactivatedAt is null) == active)
            return active ? "Cette entreprise est déjà active." : "Cette entreprise est déjà désactivée.";
        link.DeactivatedAt = active ? null : now;
        new ChangeSet().Compare(ActivityField, active ? "Désactivée" : "Active", active ? "Active" : "Désactivée")
            .Record(db, ChangeSubject.Company, companyId, staffId, staffName, now);
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// A staff member (admins only): a deactivated account cannot sign in, its sessions end at once, it receives no mail.
    /// The school keeps at least one active admin, and nobody switches themselves off. Two admins switching each other off at
    /// the same moment leave one: the school's row is locked while the rule is checked.
    /// </summary>
    public static async Task<string?> SetStaffActiveAsync(PasserelleDb db, Guid staffMemberId, bool active, Guid staffId, string staffName,
        DateTimeOffset now, CancellationToken ct)
    {
        if (!active && staffMemberId == staffId)
            return "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur.";
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await LockSchoolAsync(db, ct);
        var staff = await db.Staff.SingleOrDefaultAsync(s => s.Id == staffMemberId, ct);
        if (staff is null)
            return NotFound;
        // The page read it before the lock: read it again now (another admin may have switched it meanwhile).
        await db.Entry(staff).ReloadAsync(ct);
        if ((staff.DeactivatedAt is null) == active)
            return active ? "Ce compte est déjà actif." : "Ce compte est déjà désactivé.";
        if (staff.ErasedAt is not null)
            return Erased;
        if (!active && staff.Role == StaffRole.SchoolAdmin && !await OtherActiveAdminAsync(db, staff.Id, ct))
            return LastAdmin;
        staff.DeactivatedAt = active ? null : now;
        if (!active)
            staff.SecurityStamp = Guid.NewGuid().ToString("N");
        Switch(active).Record(db, ChangeSubject.Staff, staff.Id, staffId, staffName, now);
        await db.SaveChangesAsync(ct);
        if (!active)
            await VoidPasswordLinksAsync(db, AccountKind.Staff, staff.Id, now, ct);
        await transaction.CommitAsync(ct);
        return null;
    }

    /// <summary>
    /// The open referrals a staff member follows go to a colleague (someone who left, say): the school's notifications about
    /// them go to the colleague from now on, and the parties are told to contact the colleague. Recorded in both people's history.
    /// </summary>
    public static async Task<int> HandOverReferralsAsync(PasserelleDb db, Guid fromStaffId, Guid toStaffId, Guid staffId, string staffName,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The school's row first, as the staff member's erasure takes it: their name is read after an erasure under way, so the
        // history does not get it back.
        await LockSchoolAsync(db, ct);
        var names = await db.Staff.Where(s => s.Id == fromStaffId || s.Id == toStaffId).ToDictionaryAsync(s => s.Id, s => s.DisplayName, ct);
        var count = await db.Referrals.Where(r => r.CreatedByStaffId == fromStaffId && r.CancelledAt == null && r.Outcome == null)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.CreatedByStaffId, toStaffId), ct);
        if (count > 0)
        {
            var handed = $"{count} mise(s) en relation en cours";
            new ChangeSet().Compare("Mises en relation confiées", null, $"{handed} à {names[toStaffId]}")
                .Record(db, ChangeSubject.Staff, fromStaffId, staffId, staffName, now);
            new ChangeSet().Compare("Mises en relation reçues", null, $"{handed} de {names[fromStaffId]}")
                .Record(db, ChangeSubject.Staff, toStaffId, staffId, staffName, now);
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return count;
    }

    public const string LastAdmin = "L'école garde au moins un administrateur actif : nommez-en un autre avant.";

    public const string Erased = "Effacé à la fin de la durée de conservation : ce compte ne peut plus être réactivé.";

    public const string NotFound = "Introuvable dans votre école.";

    /// <summary>Another admin of the context's school who can still sign in.</summary>
    public static Task<bool> OtherActiveAdminAsync(PasserelleDb db, Guid staffId, CancellationToken ct) =>
        db.Staff.AnyAsync(s => s.Id != staffId && s.Role == StaffRole.SchoolAdmin && s.DeactivatedAt == null, ct);

    /// <summary>
    /// Serializes the changes that must leave the school an admin: writing the school's row (to itself) waits for any other
    /// transaction that did the same, on PostgreSQL (row lock) and on SQLite (one writer).
    /// </summary>
    public static Task<int> LockSchoolAsync(PasserelleDb db, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        return db.Schools.Where(s => s.Id == schoolId).ExecuteUpdateAsync(set => set.SetProperty(s => s.Name, s => s.Name), ct);
    }

    /// <summary>Password links already mailed (first password, reset) no longer open anything.</summary>
    private static Task<int> VoidPasswordLinksAsync(PasserelleDb db, AccountKind kind, Guid accountId, DateTimeOffset now, CancellationToken ct) =>
        db.AccountTokens.IgnoreQueryFilters().Where(t => t.AccountKind == kind && t.AccountId == accountId && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);

    private static ChangeSet Switch(bool active) =>
        new ChangeSet().Compare(AccessField, active ? Inactive : Active, active ? Active : Inactive);

    /// <summary>
    /// The fields of a school's own link to a shared contact or company (switched on or off for that school): in their history,
    /// only that school sees them — another school still works with them.
    /// </summary>
    public const string AccessField = "Accès", ActivityField = "Activité";
}
