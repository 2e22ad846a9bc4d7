namespace Passerelle.Hosting;

/// <summary>
/// How Passerelle's cookies are named and protected. Outside Development every cookie is Secure and carries the
/// <c>__Host-</c> prefix (Secure, path /, no Domain: no sibling sub-domain can set or shadow it); Passerelle is then
/// reached over HTTPS, directly or through a TLS-terminating load balancer listed in ForwardedHeaders:KnownProxies.
/// Development (<c>dotnet run</c> on http://127.0.0.1) keeps plain names and sends them over http.
/// </summary>
public sealed class CookiePolicy(bool development)
{
    public CookieSecurePolicy Secure => development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

    public string Name(string name) => development ? name : $"__Host-{name}";

    public void Apply(CookieBuilder cookie, string name)
    {
        cookie.Name = Name(name);
        cookie.SecurePolicy = Secure;
        cookie.HttpOnly = true;
        cookie.Path = "/";
    }
}
