using System.Security.Cryptography;
using System.Text;

namespace Passerelle.Webhooks;

/// <summary>
/// Standard Webhooks signatures (https://www.standardwebhooks.com): a secret "whsec_" + base64 of 24 random bytes; each
/// message signed as <c>v1,</c> + base64(HMAC-SHA256(secret bytes, "{webhook-id}.{webhook-timestamp}.{body}")). During a
/// rotation the header carries one signature per valid secret, separated by spaces.
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>The <c>webhook-signature</c> header: a signature per secret still valid.</summary>
    public static string Header(IEnumerable<string> secrets, string messageId, long timestamp, string body) =>
        string.Join(' ', secrets.Select(secret => Sign(secret, messageId, timestamp, body)));
}
