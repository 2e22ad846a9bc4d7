using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>
/// Choosing a password from a mailed link (credentials or reset), for contacts and staff alike: the token is
/// single use — two submissions at once, only one wins — and short-lived. A new password uses up every other link
/// of the account still outstanding (an old reset mail must not set it again) and ends its sessions.
/// </summary>
public sealed class PasswordSetup(PasserelleDb db, TimeProvider clock)
{
    public sealed record Found(Guid TokenId, AccountKind Kind, Guid AccountId, string UserName);

    public async Task<Found?> FindAsync<T>(AccountKind kind, string token, CancellationToken ct) where T : class, IAccount
    {
        if (!SecretToken.TryParse(token, out var id, out var secretHash))
            return null;
        var stored = await db.AccountTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        // Only a password link sets a password: an address confirmation's link went to an address not yet the account's.
        if (stored is null || stored.AccountKind != kind || stored.Purpose is not (AccountTokenPurpose.PasswordReset or AccountTokenPurpose.FirstPassword)
            || stored.UsedAt is not null
            || stored.ExpiresAt <= clock.GetUtcNow() || !SecretToken.Matches(stored.SecretHash, secretHash))
            return null;
        var userName = await db.Set<T>().IgnoreQueryFilters().Where(a => a.Id == stored.AccountId).Select(a => a.UserName).SingleOrDefaultAsync(ct);
        return userName is null ? null : new Found(stored.Id, kind, stored.AccountId, userName);
    }

    /// <summary>Sets the password and uses the token up; false when the token was used meanwhile.</summary>
    public async Task<bool> SetAsync<T>(Found found, string password, CancellationToken ct) where T : class, IAccount
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.AccountTokens.Where(t => t.Id == found.TokenId && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);
        if (claimed == 0)
            return false;
        await db.AccountTokens.Where(t => t.AccountKind == found.Kind && t.AccountId == found.AccountId && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);
        var accounts = db.Set<T>().IgnoreQueryFilters();
        var account = await accounts.AsNoTracking().SingleAsync(a => a.Id == found.AccountId, ct);
        var hash = PasswordSignIn.Hash(account, password);
        await accounts.Where(a => a.Id == found.AccountId).ExecuteUpdateAsync(set => set
            .SetProperty(a => a.PasswordHash, hash)
            .SetProperty(a => a.SecurityStamp, Guid.NewGuid().ToString("N")), ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
