using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Companies;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class LoginModel(PasswordSignIn signIn, PasserelleDb db, TimeProvider clock) : LoginPage<CompanyContact>(signIn, AccountKind.CompanyContact, "/entreprise")
{
    protected override string StartPage => "/CompanyPortal/Home";

    /// <summary>The school chosen last time is offered again if the contact still works with it; a single school is chosen outright.</summary>
    protected override async Task OpenSessionAsync(CompanyContact contact, CancellationToken ct)
    {
        var schools = await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contact.Id).Select(l => l.SchoolId).ToListAsync(ct);
        Guid? school = contact.LastSchoolId is { } last && schools.Contains(last) ? last : schools.Count == 1 ? schools[0] : null;
        await HttpContext.SignInAsync(CompanyAuth.Scheme, CompanyAuth.Principal(contact, school, clock.GetUtcNow()));
    }
}
