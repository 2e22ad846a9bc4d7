using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.CompanyPortal;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Hosting;

/// <summary>Every response carries the security headers; only static assets may be cached; cookies are __Host- and Secure.</summary>
[Trait(Category.Name, Category.Smtp)]
public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task Every_kind_of_response_carries_the_policy_and_only_static_assets_may_be_cached()
    {
        await using var world = await PortalWorld.CreateAsync(DatabaseProvider.Sqlite);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");

        foreach (var path in new[] { "/", "/entreprise/connexion", "/entreprise", "/l/pas-un-jeton/accepter", "/entreprise/inconnu", "/health/live" })
        {
            using var response = await client.GetAsync(path);
            var headers = response.Headers;
            Single(response, "Content-Security-Policy").ShouldBe(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; " +
                "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'", path);
            Single(response, "X-Content-Type-Options").ShouldBe("nosniff", path);
            Single(response, "Referrer-Policy").ShouldBe("no-referrer", path);
            Single(response, "X-Frame-Options").ShouldBe("DENY", path);
            Single(response, "Strict-Transport-Security").ShouldBe("max-age=31536000; includeSubDomains", path);
            headers.CacheControl!.NoStore.ShouldBeTrue(path);
        }

        // Static assets are served from the build's static web assets in Development (published wwwroot otherwise).
        await using var development = new PasserelleFactory(world.Database, environment: "Development");
        using var css = await development.CreateClient().GetAsync("/css/site.css");
        css.StatusCode.ShouldBe(HttpStatusCode.OK);
        css.Headers.CacheControl!.NoStore.ShouldBeFalse("static assets may be cached");
        css.Headers.CacheControl.MaxAge.ShouldBe(TimeSpan.FromDays(1));
        Single(css, "X-Content-Type-Options").ShouldBe("nosniff");
    }

    [Fact]
    public async Task Plain_http_gets_a_French_page_saying_https_only_and_cookies_are_Host_prefixed_Secure_and_SameSite_outside_Development()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new PasserelleFactory(database);
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost") });
        using var page = await http.GetAsync("/entreprise/connexion");
        page.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a Secure cookie could not be kept over http: no form is served");
        (await page.Content.ReadAsStringAsync()).ShouldContain("Passerelle n'est accessible qu'en HTTPS.");
        page.Headers.Contains("Set-Cookie").ShouldBeFalse();
        using var probe = await http.GetAsync("/health/live");
        probe.StatusCode.ShouldBe(HttpStatusCode.OK, "load balancers probe over http");
        probe.Headers.Contains("Strict-Transport-Security").ShouldBeFalse("HSTS is only meaningful over https");

        using var https = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = PasserelleFactory.Https, HandleCookies = false });
        using var login = await https.GetAsync("/entreprise/connexion");
        var cookies = login.Headers.GetValues("Set-Cookie").ToList();
        cookies.ShouldAllBe(c => c.StartsWith("__Host-passerelle.", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.Ordinal));
        var antiforgery = cookies.Single(c => c.StartsWith("__Host-passerelle.af=", StringComparison.Ordinal));
        antiforgery.ShouldContain("; path=/; secure; samesite=strict; httponly");

        var (status, _) = await PortalWorldLogin(app);
        status.ShouldBe(HttpStatusCode.Redirect);
    }

    /// <summary>Signs the demo contact in without following the redirect, to read the session cookie it sets.</summary>
    private static async Task<(HttpStatusCode, string)> PortalWorldLogin(PasserelleFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await Passerelle.Demo.DemoData.EnsureCreatedAsync(scope.ServiceProvider.GetRequiredService<PasserelleDb>(), DateTimeOffset.UtcNow);
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = PasserelleFactory.Https, AllowAutoRedirect = false });
        var (_, form) = await Browserless.GetAsync(client, "/entreprise/connexion");
        using var response = await Browserless.SubmitAsync(client, form, "Se connecter",
            new Dictionary<string, string> { ["UserName"] = "demo.entreprise", ["Password"] = Passerelle.Demo.DemoData.Password });
        var session = response.Headers.GetValues("Set-Cookie").Single(c => c.Contains(CompanyAuth.Scheme.ToLowerInvariant(), StringComparison.Ordinal));
        session.ShouldStartWith("__Host-passerelle.entreprise=");
        session.ShouldContain("secure");
        return (response.StatusCode, session);
    }

    private static string Single(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) ? values.Single() : response.Content.Headers.GetValues(header).Single();
}
