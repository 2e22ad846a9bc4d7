using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Api;

/// <summary>The key a request came with: its school, its name in timelines ("ERP (API)"), the staff member it acts for.</summary>
public sealed record ApiCaller(Guid KeyId, Guid SchoolId, string ActorName, Guid StaffId)
{
    /// <summary>The key acting for the school, or on behalf of the candidate or the company.</summary>
    public Actor Actor(Party? onBehalfOf = null) => Referrals.Actor.ApiClient(KeyId, ActorName, onBehalfOf);

    public static ApiCaller Of(HttpContext context) =>
        context.Features.Get<ApiCaller>() ?? throw new InvalidOperationException("An API endpoint is only reached with a key (ApiAccess).");
}

/// <summary>The per-key request budget (<c>Api:RequestsPerMinute</c>, 600 by default), counted by each instance.</summary>
public sealed class ApiRateLimit(int perMinute) : IDisposable
{
    public const int DefaultPerMinute = 600;

    private readonly PartitionedRateLimiter<Guid> limiter = PartitionedRateLimiter.Create<Guid, Guid>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    public int PerMinute => perMinute;

    /// <summary>Null when the key may go on; else how long to wait.</summary>
    public TimeSpan? Refusal(Guid keyId)
    {
        using var lease = limiter.AttemptAcquire(keyId);
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => limiter.Dispose();
}

/// <summary>
/// Everything under <c>/api/v1</c> passes here first: the key is checked (401 problem otherwise) and the database opened for
/// its school, the key's budget counted (429 with Retry-After), and any answer without a body — an unknown address, a
/// method not allowed, a refused cross-site request — or any exception becomes a problem details answer in French
/// instead of the portals' HTML error page.
/// </summary>
public static class ApiAccess
{
    public const string Root = "/api/v1";

    /// <summary>Everything under /api but the reference (/api/docs): the API's own answers, never a portal's page.</summary>
    public static IApplicationBuilder UseApiAccess(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments(ApiEndpoints.DocsPath),
            api => api.Use(HandleAsync));

    private static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        // The portals' error pages are HTML; the API answers its errors itself.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        if (!context.Request.Path.StartsWithSegments(Root))
        {
            await ApiProblem.WriteAsync(context, StatusCodes.Status404NotFound, $"L'API de Passerelle est à l'adresse {Root} (documentation : {ApiEndpoints.DocsPath}).");
            return;
        }
        try
        {
            if (await AdmitAsync(context) is { } caller)
            {
                context.Features.Set(caller);
                await next(context);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiAccess))
                .LogError(e, "API request failed: {Method} {Endpoint}", context.Request.Method, context.GetEndpoint()?.DisplayName);
            context.Response.Clear();
            await ApiProblem.WriteAsync(context, StatusCodes.Status500InternalServerError);
            return;
        }
        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentType is null)
            await ApiProblem.WriteAsync(context, context.Response.StatusCode);
    }

    /// <summary>The caller of a request with a valid key within its budget, the database opened for its school; else null, answered.</summary>
    private static async Task<ApiCaller?> AdmitAsync(HttpContext context)
    {
        var db = context.RequestServices.GetRequiredService<PasserelleDb>();
        // A request without a body holds its connection from here (HeldConnection); one with a body, once it is read.
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
            await HeldConnection.HoldAsync(context);
        var key = await ApiKeys.FindAsync(db, context.Request.Headers.Authorization.ToString(), context.RequestAborted);
        if (key is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ApiProblem.WriteAsync(context, StatusCodes.Status401Unauthorized);
            return null;
        }
        var budget = context.RequestServices.GetRequiredService<ApiRateLimit>();
        if (budget.Refusal(key.Id) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ApiProblem.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                $"Cette clé a fait plus de {budget.PerMinute} requêtes en une minute : patientez avant de réessayer (voir l'en-tête Retry-After).");
            return null;
        }
        db.ForSchool(key.SchoolId);
        await ApiKeys.NoteUseAsync(db, key, context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUniversalTime(), context.RequestAborted);
        return new ApiCaller(key.Id, key.SchoolId, key.ActorName, key.CreatedByStaffId);
    }
}
