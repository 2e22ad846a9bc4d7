using Passerelle.Accounts;

namespace Passerelle.SchoolOffice;

[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class ForgotPasswordModel(PasswordResets resets) : ForgotPasswordPage(resets, AccountKind.Staff);
