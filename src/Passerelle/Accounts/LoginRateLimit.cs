using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Passerelle.Accounts;

/// <summary>
/// Login and password-reset submissions: ten a minute per client address (an IPv6 client counted by its /64), on top
/// of the growing wait per login and address (<see cref="PasswordSignIn"/>). Counted in each instance's memory.
/// </summary>
public static class LoginRateLimit
{
    public const string Policy = "connexion";

    public static void AddLoginRateLimit(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        // Only submissions count: showing the form is free.
        options.AddPolicy(Policy, context => HttpMethods.IsPost(context.Request.Method)
            ? RateLimitPartition.GetFixedWindowLimiter(
                Passerelle.Hosting.ClientAddress.Of(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter("display"));
        options.OnRejected = async (context, ct) =>
        {
            context.HttpContext.Response.ContentType = "text/html; charset=utf-8";
            await context.HttpContext.Response.WriteAsync(
                "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Trop de tentatives</title></head><body><main>" +
                "<h1>Trop de tentatives</h1><p>Trop de tentatives de connexion depuis votre adresse. Patientez une minute avant de réessayer.</p>" +
                "</main></body></html>", ct);
        };
    });
}
