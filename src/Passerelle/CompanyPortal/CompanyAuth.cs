using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Passerelle.Accounts;
using Passerelle.Companies;

namespace Passerelle.CompanyPortal;

/// <summary>The Passerelle Entreprises session: a cookie of its own, claims for the contact and the chosen school.</summary>
public static class CompanyAuth
{
    public const string Scheme = "Entreprise";
    public const string Policy = "Entreprise";
    public const string SchoolClaim = "passerelle:school";

    public static void AddCompanyPortal(this IServiceCollection services, Hosting.CookiePolicy cookies)
    {
        services.AddAuthentication()
            .AddCookie(Scheme, options =>
            {
                cookies.Apply(options.Cookie, "passerelle.entreprise");
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.LoginPath = "/entreprise/connexion";
                options.LogoutPath = "/entreprise/deconnexion";
                options.AccessDeniedPath = "/entreprise/connexion";
                options.ReturnUrlParameter = "retour";
                // The session ends after 30 minutes without activity.
                options.ExpireTimeSpan = TimeSpan.FromMinutes(30);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = CompanySession.ValidateAsync;
            });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
    }

    public static ClaimsPrincipal Principal(CompanyContact contact, Guid? schoolId, DateTimeOffset sessionStarted)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, contact.Id.ToString()),
            new(ClaimTypes.Name, contact.DisplayName),
            SessionValidation.Stamp(contact),
            SessionValidation.Started(sessionStarted),
        };
        if (schoolId is { } school)
            claims.Add(new Claim(SchoolClaim, school.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }

    public static Guid? ContactId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Guid? ChosenSchoolId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(SchoolClaim), out var id) ? id : null;
}
