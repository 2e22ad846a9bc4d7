using System.Buffers.Text;
using System.Security.Cryptography;

namespace Passerelle.Accounts;

/// <summary>
/// The opaque tokens Passerelle puts in URLs: a random id (16 bytes) and a 128-bit random secret, base64url
/// (43 characters). Only the secret's SHA-256 is stored, next to the id.
/// </summary>
public static class SecretToken
{
    public static (Guid Id, byte[] SecretHash, string Token) Create()
    {
        var id = Guid.NewGuid();
        var secret = RandomNumberGenerator.GetBytes(16);
        var raw = new byte[32];
        id.TryWriteBytes(raw.AsSpan(0, 16));
        secret.CopyTo(raw, 16);
        return (id, SHA256.HashData(secret), Base64Url.EncodeToString(raw));
    }

    /// <summary>Splits a token into its id and the hash of its secret; false when it is not even well-formed.</summary>
    public static bool TryParse(string? token, out Guid id, out byte[] secretHash)
    {
        id = Guid.Empty;
        secretHash = [];
        if (token is null || token.Length != 43 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return false;
        Span<byte> raw = stackalloc byte[33];
        try
        {
            if (!Base64Url.TryDecodeFromChars(token, raw, out var written) || written != 32)
                return false;
        }
        catch (FormatException)
        {
            // The last of 43 characters carries 2 unused bits: a character that sets them is refused by throwing, not by
            // returning false (a link or key altered by hand, or by a mail client).
            return false;
        }
        id = new Guid(raw[..16]);
        secretHash = SHA256.HashData(raw[16..32]);
        return true;
    }

    public static bool Matches(byte[] stored, byte[] presented) => CryptographicOperations.FixedTimeEquals(stored, presented);
}
