using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>
/// Checks a session cookie against the database on each request (one primary-key read): the cookie carries the
/// account's security stamp, which a new password or a logout changes, ending every session opened before; a staff
/// member's school and role are those the database holds now, not those the cookie claims (and the school's settings the
/// menu needs come with them, <see cref="SchoolOffice.SchoolSession"/>). A session also ends
/// eight hours after the login, however active (besides the 30 minutes without activity).
/// </summary>
public static class SessionValidation
{
    public const string StampClaim = "passerelle:stamp";
    public const string StartedClaim = "passerelle:started";
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(8);

    public static Claim Stamp(IAccount account) => new(StampClaim, account.SecurityStamp);

    /// <summary>When the session was opened (kept when the session is re-issued, as when a contact changes school).</summary>
    public static Claim Started(DateTimeOffset at) => new(StartedClaim, at.UtcTicks.ToString(CultureInfo.InvariantCulture));

    public static DateTimeOffset? StartedAt(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(StartedClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;

    /// <summary>A staff member's session: stamp, school and role as the database has them now.</summary>
    public static async Task ValidateStaffAsync(CookieValidatePrincipalContext context)
    {
        if (AccountId(context) is not { } id)
            return;
        var db = context.HttpContext.RequestServices.GetRequiredService<PasserelleDb>();
        var stored = await ReadStaff.For(db)(db, id, context.HttpContext.RequestAborted);
        var claims = context.Principal!;
        var sameGrant = stored is not null && !stored.Deactivated
            && claims.FindFirstValue(SchoolOffice.SchoolAuth.SchoolClaim) == stored.SchoolId.ToString()
            && claims.IsInRole(stored.Role.ToString()) && claims.FindAll(ClaimTypes.Role).Count() == 1;
        if (await CheckStampAsync(context, sameGrant ? stored!.Stamp : null))
            context.HttpContext.Features.Set(new SchoolOffice.SchoolSession(stored!.PushCv));
    }

    /// <summary>The account the cookie names; a cookie that names none is refused.</summary>
    public static Guid? AccountId(CookieValidatePrincipalContext context)
    {
        if (Guid.TryParse(context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
            return id;
        context.RejectPrincipal();
        return null;
    }

    /// <summary>Keeps the session if the account still has the stamp the cookie carries and the session is not too old; else signs out.</summary>
    public static async Task<bool> CheckStampAsync(CookieValidatePrincipalContext context, string? stamp)
    {
        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var started = context.Principal is { } user ? StartedAt(user) : null;
        if (stamp is not null && stamp == (context.Principal?.FindFirstValue(StampClaim) ?? "")
            && started is { } at && at <= now && now - at < AbsoluteLifetime)
            return true;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(context.Scheme.Name);
        return false;
    }

    /// <summary>Logging out ends the session on the server too: the account's stamp changes, so this cookie (or a copy of it) opens nothing.</summary>
    public static Task<int> EndSessionsAsync<T>(PasserelleDb db, Guid accountId, CancellationToken ct) where T : class, IAccount =>
        db.Set<T>().IgnoreQueryFilters().Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.SecurityStamp, Guid.NewGuid().ToString("N")), ct);

    private sealed record StoredStaff(string Stamp, Guid SchoolId, StaffRole Role, bool PushCv, bool Deactivated);

    /// <summary>Compiled once: this query runs on every signed-in request.</summary>
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<StoredStaff?>>> ReadStaff = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) =>
            (from s in db.Staff.IgnoreQueryFilters()
             where s.Id == id
             join school in db.Schools on s.SchoolId equals school.Id
             select new StoredStaff(s.SecurityStamp, s.SchoolId, s.Role, school.PushCvEnabled, s.DeactivatedAt != null)).SingleOrDefault()));
}
