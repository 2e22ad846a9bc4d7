namespace Passerelle.Bench;

/// <summary>
/// The benchmark talks plain http to Passerelle on loopback, as a TLS-terminating load balancer does: each request
/// says <c>X-Forwarded-Proto: https</c> (loopback is a trusted proxy by default), so Passerelle serves it as https and
/// its Secure <c>__Host-</c> cookies apply. Those cookies are kept here by name, whatever their Secure flag says.
/// </summary>
public sealed class BehindTls(bool keepCookies) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
{
    private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);

    /// <summary>The cookies received so far, as a Cookie header.</summary>
    public string CookieHeader
    {
        get
        {
            lock (cookies)
                return string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));
        }
    }

    public static HttpClient Client(Uri server, out BehindTls handler)
    {
        handler = new BehindTls(keepCookies: true);
        return new HttpClient(handler) { BaseAddress = server };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        if (keepCookies && CookieHeader is { Length: > 0 } header && !request.Headers.Contains("Cookie"))
            request.Headers.TryAddWithoutValidation("Cookie", header);
        var response = await base.SendAsync(request, cancellationToken);
        if (keepCookies && response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            lock (cookies)
            {
                foreach (var pair in set.Select(c => c.Split(';', 2)[0].Split('=', 2)).Where(p => p.Length == 2))
                    cookies[pair[0].Trim()] = pair[1].Trim();
            }
        }
        return response;
    }
}
