using Passerelle.Accounts;

namespace Passerelle.CompanyPortal;

[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(LoginRateLimit.Policy)]
public sealed class ForgotPasswordModel(PasswordResets resets) : ForgotPasswordPage(resets, AccountKind.CompanyContact);
