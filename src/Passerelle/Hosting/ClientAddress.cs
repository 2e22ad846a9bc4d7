using System.Net;
using System.Net.Sockets;

namespace Passerelle.Hosting;

/// <summary>
/// The client a request comes from, as limits count it: an IPv4 address, or the /64 network of an IPv6 address (one
/// host commonly holds a whole /64, so counting its single addresses would count nothing).
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
