namespace Passerelle.Hosting;

/// <summary>
/// The web requests being served at this moment. Background work that can wait — the mail dispatcher — looks at it
/// to step aside while people are waiting for a page.
/// </summary>
public sealed class RequestsInFlight
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The middleware: first in the pipeline, so that every request counts, whatever answers it.</summary>
    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref _count);
        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
