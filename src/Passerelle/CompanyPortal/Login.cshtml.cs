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
    protected override async Task<string?> OpenSessionAsync(CompanyContact contact, CancellationToken ct)
    {
        var links = await db.SchoolContacts.IgnoreQueryFilters().Where(l => l.ContactId == contact.Id)
            .Select(l => new { l.SchoolId, Active = l.DeactivatedAt == null }).ToListAsync(ct);
        // Switched off by every school it worked with: nothing left to open.
        if (links.Count > 0 && !links.Any(l => l.Active))
            return Deactivated;
        var schools = links.Where(l => l.Active).Select(l => l.SchoolId).ToList();
        Guid? school = contact.LastSchoolId is { } last && schools.Contains(last) ? last : schools.Count == 1 ? schools[0] : null;
        await HttpContext.SignInAsync(CompanyAuth.Scheme, CompanyAuth.Principal(contact, school, clock.GetUtcNow()));
        return null;
    }

    public const string Deactivated =
        "Votre accès a été désactivé par le centre de formation avec lequel vous travailliez : pour toute question, contactez-le.";
}
