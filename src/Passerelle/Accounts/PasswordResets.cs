using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>
/// "Mot de passe oublié" for contacts and staff: when a login or address matches, a reset mail (single-use link,
/// one hour) is queued — at most one per account in ten minutes, so that the form cannot flood a mailbox; when none
/// does, nothing happens. The caller answers the same either way.
/// </summary>
public sealed class PasswordResets(PasserelleDb db, TimeProvider clock)
{
    public static readonly TimeSpan OneMailPer = TimeSpan.FromMinutes(10);

    public async Task RequestAsync(AccountKind kind, string login, CancellationToken ct)
    {
        var normalized = login.Trim().ToLowerInvariant();
        var account = kind == AccountKind.Staff
            ? await db.Staff.IgnoreQueryFilters().AsNoTracking()
                .Where(s => (s.UserName.ToLower() == normalized || s.Email.ToLower() == normalized) && s.DeactivatedAt == null)
                .Select(s => new { s.Id, SchoolId = (Guid?)s.SchoolId, s.Email, s.LastName, s.FirstName }).FirstOrDefaultAsync(ct)
            : await db.CompanyContacts.AsNoTracking()
                .Where(c => c.UserName.ToLower() == normalized || c.Email.ToLower() == normalized)
                // Switched off by every school it worked with: no mail (a contact no school has linked yet still gets one).
                .Where(c => !db.SchoolContacts.IgnoreQueryFilters().Any(l => l.ContactId == c.Id)
                    || db.SchoolContacts.IgnoreQueryFilters().Any(l => l.ContactId == c.Id && l.DeactivatedAt == null))
                .Select(c => new { c.Id, SchoolId = (Guid?)null, c.Email, c.LastName, c.FirstName }).FirstOrDefaultAsync(ct);
        if (account is null)
            return;
        var key = kind == AccountKind.Staff ? TemplateKeys.StaffPasswordReset : TemplateKeys.ContactPasswordReset;
        var now = clock.GetUtcNow();
        var recently = now - OneMailPer;
        if (await db.OutboxMessages.AnyAsync(m => m.ToPersonId == account.Id && m.CreatedAt > recently && m.TemplateKey == key, ct))
            return;
        db.OutboxMessages.Add(Outbox.ToAccount(account.SchoolId, key, account.Id, account.Email,
            PersonName.Display(account.LastName, account.FirstName), now));
        await db.SaveChangesAsync(ct);
    }
}
