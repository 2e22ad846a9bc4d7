using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Passerelle.Schools;

namespace Passerelle.SchoolOffice;

/// <summary>The Passerelle École session: a cookie of its own, claims for the staff member, their school and role.</summary>
public static class SchoolAuth
{
    public const string Scheme = "Ecole";
    public const string Policy = "Ecole";
    public const string AdminPolicy = "EcoleAdmin";
    public const string SchoolClaim = "passerelle:school";

    public static void AddSchoolOffice(this IServiceCollection services, Hosting.CookiePolicy cookies)
    {
        services.AddAuthentication()
            .AddCookie(Scheme, options =>
            {
                cookies.Apply(options.Cookie, "passerelle.ecole");
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.LoginPath = "/ecole/connexion";
                options.LogoutPath = "/ecole/deconnexion";
                options.AccessDeniedPath = "/erreur/403";
                options.ReturnUrlParameter = "retour";
                options.ExpireTimeSpan = TimeSpan.FromMinutes(30);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = Accounts.SessionValidation.ValidateStaffAsync;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireRole(nameof(StaffRole.SchoolAdmin)));
    }

    public static ClaimsPrincipal Principal(Staff staff, DateTimeOffset sessionStarted) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, staff.Id.ToString()),
            new Claim(ClaimTypes.Name, staff.DisplayName),
            new Claim(SchoolClaim, staff.SchoolId.ToString()),
            new Claim(ClaimTypes.Role, staff.Role.ToString()),
            Accounts.SessionValidation.Stamp(staff),
            Accounts.SessionValidation.Started(sessionStarted),
        ], Scheme));

    /// <summary>The school of the signed-in staff member; null when the claim is absent or malformed.</summary>
    public static Guid? SchoolOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(SchoolClaim), out var id) ? id : null;
}
