using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Passerelle.Accounts;
using Passerelle.Schools;

namespace Passerelle.SchoolOffice;

[EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class LoginModel(PasswordSignIn signIn, TimeProvider clock) : LoginPage<Staff>(signIn, AccountKind.Staff, "/ecole")
{
    protected override string StartPage => "/SchoolOffice/ReferralList";

    protected override Task OpenSessionAsync(Staff staff, CancellationToken ct) =>
        HttpContext.SignInAsync(SchoolAuth.Scheme, SchoolAuth.Principal(staff, clock.GetUtcNow()));
}
