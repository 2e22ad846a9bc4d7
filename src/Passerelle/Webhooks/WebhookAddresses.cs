using System.Net;
using System.Net.Sockets;

namespace Passerelle.Webhooks;

/// <summary>
/// Where webhooks may go: https, to a public address. A school admin types the URL, so Passerelle never lets it reach its own
/// network (loopback, private, link-local, the cloud metadata address): checked when the URL is registered and again at each
/// connection, on the address actually resolved (a name that later resolves to 10.0.0.1 is refused too). Loopback http is for
/// Development and the tests only (<see cref="WebhookOptions.AllowLoopback"/>).
/// </summary>
public static class WebhookAddresses
{
    public const int MaxUrlLength = 500;

    /// <summary>Why this URL cannot be an endpoint, in French; null when it can.</summary>
    public static string? UrlProblem(string? text, bool allowLoopback)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxUrlLength || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url))
            return $"Indiquez l'adresse complète du point d'accès (https://…, {MaxUrlLength} caractères au plus).";
        if (url.UserInfo.Length > 0 || url.Fragment.Length > 0)
            return "L'adresse ne peut contenir ni identifiants (utilisateur:mot de passe@) ni fragment (#…).";
        var loopback = url.IsLoopback;
        if (url.Scheme == Uri.UriSchemeHttp && loopback && allowLoopback)
            return null;
        if (url.Scheme != Uri.UriSchemeHttps)
            return "L'adresse doit commencer par https:// : les événements contiennent des données personnelles.";
        if (!allowLoopback && (loopback || (IPAddress.TryParse(url.DnsSafeHost, out var address) && !IsPublic(address))))
            return "Cette adresse est celle d'un réseau privé : le point d'accès doit être joignable sur Internet.";
        return null;
    }

    /// <summary>An address outside loopback, private, link-local, shared, benchmarking, IETF-protocol and unspecified ranges.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
            return false;
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // NAT64 (64:ff9b::/96, and the local-use 64:ff9b:1::/48), 6to4 (2002::/16), Teredo (2001::/32) and the old
            // IPv4-compatible form (::a.b.c.d) carry an IPv4 address that may be a private one.
            var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && (b[4..12].All(x => x == 0) || (b[4] == 0x00 && b[5] == 0x01));
            var sixToFour = b[0] == 0x20 && b[1] == 0x02;
            var teredo = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00;
            var ipv4Compatible = b[..12].All(x => x == 0);
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast || nat64 || sixToFour
                || teredo || ipv4Compatible);
        }
        return !(b[0] is 0 or 10 or 127 || b[0] >= 224
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 192 && b[1] == 0 && b[2] == 0)
            || (b[0] == 198 && b[1] is 18 or 19)
            || (b[0] == 100 && b[1] is >= 64 and <= 127));
    }

    /// <summary>Connects only to public addresses (unless loopback is allowed): the check made on the address resolved.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowLoopback, CancellationToken ct)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
        var allowed = addresses.Where(a => allowLoopback || IsPublic(a)).ToList();
        if (allowed.Count == 0)
            throw new HttpRequestException($"{context.DnsEndPoint.Host} ne résout vers aucune adresse publique : envoi refusé.");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed.ToArray(), context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
