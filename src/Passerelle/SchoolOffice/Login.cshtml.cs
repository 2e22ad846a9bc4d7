using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Passerelle.Accounts;
using Passerelle.Schools;

namespace Passerelle.SchoolOffice;

[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class LoginModel(PasswordSignIn signIn, TimeProvider clock) : LoginPage<Staff>(signIn, AccountKind.Staff, "/ecole")
{
    protected override string StartPage => "/SchoolOffice/ReferralList";

    protected override async Task<string?> OpenSessionAsync(Staff staff, CancellationToken ct)
    {
        if (staff.DeactivatedAt is not null)
            return Deactivated;
        await HttpContext.SignInAsync(SchoolAuth.Scheme, SchoolAuth.Principal(staff, clock.GetUtcNow()));
        return null;
    }

    public const string Deactivated = "Votre compte a été désactivé : adressez-vous à un administrateur de votre école.";
}
