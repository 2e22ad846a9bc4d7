using System.Net;

namespace Passerelle.Tests.Infrastructure;

/// <summary>
/// A browser's session for a test client: keeps cookies in a container the test can read, and follows redirects
/// while <see cref="FollowRedirects"/> is on (a test that asserts a 302 turns it off).
/// </summary>
public sealed class CookieSession : DelegatingHandler
{
    public CookieContainer Cookies { get; } = new();
    public bool FollowRedirects { get; set; } = true;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Cookies.GetCookieHeader(request.RequestUri!) is { Length: > 0 } header)
            request.Headers.Add("Cookie", header);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            foreach (var value in set)
                Cookies.SetCookies(request.RequestUri!, value);
        }
        if (FollowRedirects && response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther
            && response.Headers.Location is { } location)
        {
            var next = new HttpRequestMessage(HttpMethod.Get, new Uri(request.RequestUri!, location));
            foreach (var forwarded in request.Headers.Where(h => h.Key == "X-Forwarded-For"))
                next.Headers.TryAddWithoutValidation(forwarded.Key, forwarded.Value);
            response.Dispose();
            var followed = await SendAsync(next, cancellationToken);
            followed.RequestMessage ??= next;
            return followed;
        }
        return response;
    }
}
