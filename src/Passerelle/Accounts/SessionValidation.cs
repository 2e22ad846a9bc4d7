using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>
/// Ends a session whose account changed its password (or was reset) since the cookie was issued: the cookie
/// carries the account's security stamp, checked against the database on each request (a primary-key read).
/// </summary>
public static class SessionValidation
{
    public const string StampClaim = "passerelle:stamp";

    public static Claim Stamp(IAccount account) => new(StampClaim, account.SecurityStamp);

    public static async Task ValidateAsync<T>(CookieValidatePrincipalContext context) where T : class, IAccount
    {
        if (AccountId(context) is not { } id)
            return;
        var db = context.HttpContext.RequestServices.GetRequiredService<PasserelleDb>();
        var stamp = await StampOf<T>.Read.For(db)(db, id, context.HttpContext.RequestAborted);
        await CheckStampAsync(context, stamp);
    }

    /// <summary>The account the cookie names; a cookie that names none is refused.</summary>
    public static Guid? AccountId(CookieValidatePrincipalContext context)
    {
        if (Guid.TryParse(context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
            return id;
        context.RejectPrincipal();
        return null;
    }

    /// <summary>Keeps the session if the account still exists with the stamp the cookie carries; else signs out.</summary>
    public static async Task<bool> CheckStampAsync(CookieValidatePrincipalContext context, string? stamp)
    {
        if (stamp is not null && stamp == (context.Principal?.FindFirstValue(StampClaim) ?? ""))
            return true;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(context.Scheme.Name);
        return false;
    }

    /// <summary>Compiled once: this query runs on every signed-in request.</summary>
    private static class StampOf<T> where T : class, IAccount
    {
        public static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<string?>>> Read = new(() => EF.CompileAsyncQuery(
            (PasserelleDb db, Guid id, CancellationToken ct) =>
                db.Set<T>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => (string?)a.SecurityStamp).SingleOrDefault()));
    }
}
