using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>Failed logins of one login typed from one client address (see <see cref="PasswordSignIn"/>).</summary>
public sealed class LoginThrottle
{
    public AccountKind AccountKind { get; set; }
    public string Login { get; set; } = "";
    public string ClientAddress { get; set; } = "";
    public int Failures { get; set; }
    public DateTimeOffset? BlockedUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Checks a username and password (PBKDF2 through <see cref="PasswordHasher{TUser}"/>) for company contacts and
/// staff alike. A failure looks the same whatever its cause — unknown login, wrong password, no password chosen
/// yet, too many attempts — and costs the same (one password hash checked, one counter moved), so the login form
/// tells nobody which addresses have an account. After five failures of one login from one client address, that
/// address waits before its next attempt is even checked, longer each time (1, 2, 4, 8, then 15 minutes); the
/// account's owner elsewhere is not held up, unlike a lock on the account that anyone could set off.
/// Guesses sent in parallel before the first failure is counted are bounded by the ten-a-minute limit per address
/// (<see cref="LoginRateLimit"/>, per instance). An IPv6 client is counted by its /64 (<see cref="Hosting.ClientAddress"/>).
/// </summary>
public sealed class PasswordSignIn(PasserelleDb db, TimeProvider clock)
{
    public const int FreeAttempts = 5;
    public static readonly TimeSpan ThrottleMemory = TimeSpan.FromDays(1);

    private static readonly PasswordHasher<IAccount> Hasher = new();
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not-a-password-anyone-has");

    public async Task<T?> SignInAsync<T>(AccountKind kind, string userName, string password, string clientAddress, CancellationToken ct)
        where T : class, IAccount
    {
        var now = clock.GetUtcNow();
        var login = Normalize(userName);
        // Before login nobody has a school: accounts are looked up across schools, by their unique username.
        var accounts = db.Set<T>().IgnoreQueryFilters();
        var account = await accounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserName.ToLower() == login, ct);
        var throttle = await db.Set<LoginThrottle>().AsNoTracking()
            .SingleOrDefaultAsync(t => t.AccountKind == kind && t.Login == login && t.ClientAddress == clientAddress, ct);
        var waiting = throttle?.BlockedUntil > now;

        // The same work whatever the cause of a failure: one hash verified (a dummy one when there is nothing to check).
        var checkable = account is { PasswordHash.Length: > 0 } && !waiting ? account : null;
        var verdict = Hasher.VerifyHashedPassword(null!, checkable?.PasswordHash ?? DummyHash, password);
        if (checkable is null || verdict == PasswordVerificationResult.Failed)
        {
            await CountFailureAsync(kind, login, clientAddress, now, ct);
            return null;
        }
        account = checkable;

        var hash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(account, password) : account.PasswordHash;
        // Only over the hash just checked: a password changed meanwhile (a reset) or an erasure is not undone by an old password.
        if (hash != account.PasswordHash)
            await accounts.Where(a => a.Id == account.Id && a.PasswordHash == checkable.PasswordHash)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.PasswordHash, hash), ct);
        if (throttle is not null)
            await db.Set<LoginThrottle>().Where(t => t.AccountKind == kind && t.Login == login && t.ClientAddress == clientAddress).ExecuteDeleteAsync(ct);
        return account;
    }

    public static string Hash(IAccount account, string password) => Hasher.HashPassword(account, password);

    /// <summary>The key a login is counted under: what was typed, trimmed and lower-cased (bounded, it is stored).</summary>
    private static string Normalize(string userName)
    {
        var login = userName.Trim().ToLowerInvariant();
        return login.Length <= 200 ? login : login[..200];
    }

    /// <summary>One more failure, counted by an atomic update (or the row's first insert), with the wait it sets off.</summary>
    private async Task CountFailureAsync(AccountKind kind, string login, string clientAddress, DateTimeOffset now, CancellationToken ct)
    {
        var throttles = db.Set<LoginThrottle>();
        var (after1, after2, after4, after8, after15) =
            (now.AddMinutes(1), now.AddMinutes(2), now.AddMinutes(4), now.AddMinutes(8), now.AddMinutes(15));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var counted = await throttles.Where(t => t.AccountKind == kind && t.Login == login && t.ClientAddress == clientAddress)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(t => t.Failures, t => t.Failures + 1)
                    .SetProperty(t => t.UpdatedAt, now)
                    .SetProperty(t => t.BlockedUntil, t =>
                        t.Failures + 1 < FreeAttempts ? t.BlockedUntil
                        : t.Failures + 1 == FreeAttempts ? after1
                        : t.Failures + 1 == FreeAttempts + 1 ? after2
                        : t.Failures + 1 == FreeAttempts + 2 ? after4
                        : t.Failures + 1 == FreeAttempts + 3 ? after8
                        : after15), ct);
            if (counted > 0)
                break;
            db.Add(new LoginThrottle { AccountKind = kind, Login = login, ClientAddress = clientAddress, Failures = 1, UpdatedAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                db.ChangeTracker.Clear(); // another attempt inserted it meanwhile: count on it
            }
        }
        var forgotten = now - ThrottleMemory;
        await throttles.Where(t => t.UpdatedAt < forgotten).ExecuteDeleteAsync(ct);
    }
}
