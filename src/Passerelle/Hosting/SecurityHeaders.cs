using Microsoft.Net.Http.Headers;

namespace Passerelle.Hosting;

/// <summary>
/// The headers every response carries. Scripts only from Passerelle itself (no inline script anywhere); inline
/// styles stay allowed because kept mail copies and previews are shown in sandboxed srcdoc frames, which inherit
/// this policy. No page may be framed, forms post only here, and no referrer leaves (link pages carry their token
/// in the path). Nothing but static assets may be cached: link pages, signed-in pages and downloads are personal.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; " +
        "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    /// <summary>
    /// The API reference (/api/docs, Scalar) starts itself with an inline script that it writes: that page alone may run
    /// one. It shows the OpenAPI document only, nothing of anyone's data, and still loads nothing from elsewhere.
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, IHostEnvironment environment) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers[HeaderNames.ContentSecurityPolicy] = context.Request.Path.StartsWithSegments(Api.ApiEndpoints.DocsPath)
                ? ApiReferencePolicy
                : ContentSecurityPolicy;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers[HeaderNames.XFrameOptions] = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            if (context.Request.IsHttps && !environment.IsDevelopment())
                headers[HeaderNames.StrictTransportSecurity] = "max-age=31536000; includeSubDomains";
            // Static files say how long they may be kept; everything else is personal or changes.
            if (!headers.ContainsKey(HeaderNames.CacheControl))
            {
                headers[HeaderNames.CacheControl] = "no-store";
                headers[HeaderNames.Pragma] = "no-cache";
            }
            return Task.CompletedTask;
        });
        return next(context);
    });

    /// <summary>CSS and scripts may be cached by browsers (their URLs carry a version): the only responses that may.</summary>
    public static StaticFileOptions CachedStaticFiles() => new()
    {
        OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] = "public, max-age=86400",
    };
}
