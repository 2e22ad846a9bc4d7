using System.Net.Mail;

namespace Passerelle.Common;

/// <summary>The one check of an e-mail address typed by a person: a bare address (no display name), lower-cased.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    /// <summary>A plain, valid address (MailAddress alone reads "jean dupont@x" as the name "jean" and the address "dupont@x").</summary>
    public static bool IsValid(string? text) => Normalize(text) is not null;

    /// <summary>The address trimmed and lower-cased, or null when it is not a plain, valid address.</summary>
    public static string? Normalize(string? text)
    {
        var email = (text ?? "").Trim().ToLowerInvariant();
        if (email.Length > MaxLength || email.Any(char.IsControl))
            return null;
        return MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && parsed.DisplayName.Length == 0 ? email : null;
    }
}
