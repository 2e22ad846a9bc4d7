using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// What each request of a signed-in contact needs from the database, read in one query when the cookie is
/// checked: the security stamp (a password change ends the other sessions, see <see cref="SessionValidation"/>)
/// and the schools the contact works with now (the side menu, and the check that the chosen school still does).
/// </summary>
public sealed record CompanySession(IReadOnlyList<CompanySession.School> Schools)
{
    /// <param name="PushCv">The school has the push CV module on: the contact sees "Profils proposés".</param>
    public sealed record School(Guid Id, string Name, bool PushCv);

    public bool WorksWith(Guid schoolId) => Schools.Any(s => s.Id == schoolId);

    /// <summary>The session of this request; only there once the company cookie was checked.</summary>
    public static CompanySession Of(HttpContext http) =>
        http.Features.Get<CompanySession>() ?? throw new InvalidOperationException("A signed-in contact was expected.");

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (SessionValidation.AccountId(context) is not { } id)
            return;
        var db = context.HttpContext.RequestServices.GetRequiredService<PasserelleDb>();
        var read = await Read.For(db)(db, id, context.HttpContext.RequestAborted);
        if (await SessionValidation.CheckStampAsync(context, read?.Stamp))
            context.HttpContext.Features.Set(new CompanySession(read!.Schools));
    }

    private sealed record Stored(string Stamp, List<School> Schools);

    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<Stored?>>> Read = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) => db.CompanyContacts.IgnoreQueryFilters()
            .Where(c => c.Id == id)
            .Select(c => new Stored(c.SecurityStamp,
                (from link in db.SchoolContacts
                 where link.ContactId == c.Id && link.DeactivatedAt == null
                 join school in db.Schools on link.SchoolId equals school.Id
                 orderby school.Name
                 select new School(school.Id, school.Name, school.PushCvEnabled)).ToList()))
            .SingleOrDefault()));
}
