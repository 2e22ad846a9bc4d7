using Passerelle.Email;

namespace Passerelle.Hosting;

/// <summary>
/// A form posted from another site is refused before anything reads it, as well as by the antiforgery token: browsers
/// say where a request comes from (<c>Sec-Fetch-Site</c>, <c>Origin</c>), and only Passerelle's own pages may post
/// to it. Clients that send neither header (scripts, old browsers) still need the antiforgery token.
/// </summary>
public static class CrossSiteRequests
{
    public static IApplicationBuilder UseCrossSiteRefusal(this IApplicationBuilder app, EmailOptions email)
    {
        var publicOrigin = new Uri(email.PublicBaseUrl).GetLeftPart(UriPartial.Authority);
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
                return next(context);
            // The error page re-executes a refused request to explain it: let it through this time.
            if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null)
                return next(context);
            if (IsAllowed(request, publicOrigin))
                return next(context);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        });
    }

    private static bool IsAllowed(HttpRequest request, string publicOrigin)
    {
        // Browsers that send Sec-Fetch-Site say it all. Under "Referrer-Policy: no-referrer" they send "Origin: null"
        // even for a form of the same origin, so Origin decides only when it names a site.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
            return site is "same-origin" or "none";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || origin == "null")
            return true;
        var own = $"{request.Scheme}://{request.Host}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || string.Equals(origin, publicOrigin, StringComparison.OrdinalIgnoreCase);
    }
}
