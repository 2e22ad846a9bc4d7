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
        var principal = context.Principal;
        if (principal is null || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            context.RejectPrincipal();
            return;
        }
        var db = context.HttpContext.RequestServices.GetRequiredService<PasserelleDb>();
        var stamp = await db.Set<T>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.SecurityStamp).SingleOrDefaultAsync();
        if (stamp is null || stamp != (principal.FindFirstValue(StampClaim) ?? ""))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(context.Scheme.Name);
        }
    }
}
