using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.Accounts;

public enum SignInOutcome
{
    SignedIn,
    WrongCredentials,
    LockedOut,
}

/// <summary>
/// Checks a username and password (PBKDF2 through <see cref="PasswordHasher{TUser}"/>) for company contacts and
/// staff alike. Five wrong passwords in a row lock the account for 15 minutes; the counter moves by atomic
/// updates, so parallel guesses cannot slip past it. Unknown usernames cost the same time as wrong passwords.
/// </summary>
public sealed class PasswordSignIn(PasserelleDb db, TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    private static readonly PasswordHasher<IAccount> Hasher = new();
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not-a-password-anyone-has");

    public async Task<(SignInOutcome Outcome, T? Account)> SignInAsync<T>(string userName, string password, CancellationToken ct)
        where T : class, IAccount
    {
        var now = clock.GetUtcNow();
        var normalized = userName.Trim().ToLowerInvariant();
        // Before login nobody has a school: accounts are looked up across schools, by their unique username.
        var accounts = db.Set<T>().IgnoreQueryFilters();
        var account = await accounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserName.ToLower() == normalized, ct);
        if (account is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash, password);
            return (SignInOutcome.WrongCredentials, null);
        }
        if (account.LockedUntil > now)
            return (SignInOutcome.LockedOut, null);

        var verdict = account.PasswordHash.Length == 0
            ? PasswordVerificationResult.Failed
            : Hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        var id = account.Id;
        if (verdict == PasswordVerificationResult.Failed)
        {
            var lockUntil = now + LockoutDuration;
            await accounts.Where(a => a.Id == id).ExecuteUpdateAsync(set => set
                .SetProperty(a => a.LockedUntil, a => a.FailedLogins + 1 >= MaxFailures ? lockUntil : a.LockedUntil)
                .SetProperty(a => a.FailedLogins, a => a.FailedLogins + 1 >= MaxFailures ? 0 : a.FailedLogins + 1), ct);
            var locked = await accounts.Where(a => a.Id == id).Select(a => a.LockedUntil).SingleAsync(ct) > now;
            return (locked ? SignInOutcome.LockedOut : SignInOutcome.WrongCredentials, null);
        }

        var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(account, password) : account.PasswordHash;
        await accounts.Where(a => a.Id == id).ExecuteUpdateAsync(set => set
            .SetProperty(a => a.FailedLogins, 0)
            .SetProperty(a => a.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(a => a.PasswordHash, hash), ct);
        return (SignInOutcome.SignedIn, account);
    }

    public static string Hash(IAccount account, string password) => Hasher.HashPassword(account, password);
}
