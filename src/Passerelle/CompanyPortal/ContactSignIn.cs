using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Passerelle.Companies;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

public enum SignInOutcome
{
    SignedIn,
    WrongCredentials,
    LockedOut,
}

/// <summary>
/// Checks a company contact's username and password (PBKDF2 through <see cref="PasswordHasher{TUser}"/>).
/// Five wrong passwords in a row lock the account for 15 minutes; the counter moves by atomic updates, so
/// parallel guesses cannot slip past it. Unknown usernames cost the same time as wrong passwords.
/// </summary>
public sealed class ContactSignIn(PasserelleDb db, TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    private static readonly PasswordHasher<CompanyContact> Hasher = new();
    private static readonly string DummyHash = Hasher.HashPassword(new CompanyContact(), "not-a-password-anyone-has");

    public async Task<(SignInOutcome Outcome, CompanyContact? Contact)> SignInAsync(string userName, string password, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var normalized = userName.Trim().ToLowerInvariant();
        var contact = await db.CompanyContacts.AsNoTracking().SingleOrDefaultAsync(c => c.UserName.ToLower() == normalized, ct);
        if (contact is null)
        {
            Hasher.VerifyHashedPassword(new CompanyContact(), DummyHash, password);
            return (SignInOutcome.WrongCredentials, null);
        }
        if (contact.LockedUntil > now)
            return (SignInOutcome.LockedOut, null);

        var verdict = contact.PasswordHash.Length == 0
            ? PasswordVerificationResult.Failed
            : Hasher.VerifyHashedPassword(contact, contact.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var lockUntil = now + LockoutDuration;
            await db.CompanyContacts.Where(c => c.Id == contact.Id).ExecuteUpdateAsync(set => set
                .SetProperty(c => c.LockedUntil, c => c.FailedLogins + 1 >= MaxFailures ? lockUntil : c.LockedUntil)
                .SetProperty(c => c.FailedLogins, c => c.FailedLogins + 1 >= MaxFailures ? 0 : c.FailedLogins + 1), ct);
            var locked = await db.CompanyContacts.Where(c => c.Id == contact.Id).Select(c => c.LockedUntil).SingleAsync(ct) > now;
            return (locked ? SignInOutcome.LockedOut : SignInOutcome.WrongCredentials, null);
        }

        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(contact, password) : contact.PasswordHash;
        await db.CompanyContacts.Where(c => c.Id == contact.Id).ExecuteUpdateAsync(set => set
            .SetProperty(c => c.FailedLogins, 0)
            .SetProperty(c => c.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(c => c.PasswordHash, rehash), ct);
        return (SignInOutcome.SignedIn, contact);
    }

    public static string Hash(CompanyContact contact, string password) => Hasher.HashPassword(contact, password);
}
