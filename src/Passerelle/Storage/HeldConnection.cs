using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.EntityFrameworkCore;

namespace Passerelle.Storage;

/// <summary>
/// A request's statements on one pooled connection, held while its handler works, instead of one rented again for each
/// statement: under load a connection handed back between two statements went to another request, and the request waited
/// for one again (bench/findings.md: the API's create made 17 % more a second, the company list about 25 %). Held only once
/// the request's body is read, so that a slow upload never holds one, and given back before the answer is written, so that
/// a client slow to read it never holds one either. No request opens a second context while it holds its connection.
/// </summary>
public static class HeldConnection
{
    /// <summary>The request's connection opened until <see cref="ReleaseAsync"/> (or the end of the request).</summary>
    public static Task HoldAsync(HttpContext context) => Db(context).Database.OpenConnectionAsync(context.RequestAborted);

    public static Task ReleaseAsync(HttpContext context) => Db(context).Database.CloseConnectionAsync();

    /// <summary>The API's endpoints (their body read by <c>ApiJson</c>, or none): released once the answer is decided.</summary>
    public static async ValueTask<object?> ReleasedAfterEndpointAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var answer = await next(context);
        await ReleaseAsync(context.HttpContext);
        return answer;
    }

    /// <summary>The pages' handlers, which run once the form is bound (read whole): held for the handler, not for the view.</summary>
    public sealed class DuringPageHandler : IAsyncPageFilter
    {
        public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

        public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
        {
            await HoldAsync(context.HttpContext);
            try
            {
                await next();
            }
            finally
            {
                await ReleaseAsync(context.HttpContext);
            }
        }
    }

    private static PasserelleDb Db(HttpContext context) => context.RequestServices.GetRequiredService<PasserelleDb>();
}
