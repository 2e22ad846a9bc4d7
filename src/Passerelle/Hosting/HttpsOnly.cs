namespace Passerelle.Hosting;

/// <summary>
/// Outside Development, Passerelle's cookies are Secure: a page reached over plain http could neither keep a session
/// nor check a form. Such a request gets a French page that says so (and the log says which setting to fix) instead
/// of a form that fails later. The health probes stay reachable over http for load balancers.
/// </summary>
public static class HttpsOnly
{
    public static IApplicationBuilder UseHttpsOnly(this IApplicationBuilder app, IHostEnvironment environment, ILogger logger)
    {
        if (environment.IsDevelopment())
            return app;
        var warned = 0;
        return app.Use(async (context, next) =>
        {
            if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/health"))
            {
                await next(context);
                return;
            }
            if (Interlocked.Exchange(ref warned, 1) == 0)
                logger.LogWarning("A request reached Passerelle over plain http from {Client}: serve it over HTTPS, or list the TLS-terminating " +
                    "load balancer in ForwardedHeaders:KnownProxies / KnownNetworks so that its X-Forwarded-Proto is trusted.", ClientAddress.Of(context));
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(
                "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Connexion non sécurisée</title></head><body><main>" +
                "<h1>Connexion non sécurisée</h1><p>Passerelle n'est accessible qu'en HTTPS. Ouvrez l'adresse qui commence par https://, " +
                "ou signalez le problème à votre centre de formation.</p></main></body></html>", context.RequestAborted);
        });
    }
}
