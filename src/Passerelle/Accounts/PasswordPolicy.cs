namespace Passerelle.Accounts;

/// <summary>
/// What a new password must be: at least <see cref="MinimumLength"/> characters (the form's own check), not among the common passwords that guessing lists try
/// first (Accounts/common-passwords.txt: SecLists' 10,000 most common and the Richelieu list of French ones, see
/// common-passwords.SOURCE.md), and not built on the login or the product's name.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;

    private static readonly Lazy<HashSet<string>> Common = new(() =>
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Passerelle.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-passwords list is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            set.Add(line);
        return set;
    });

    /// <summary>Why a password of the right length is refused, in French; null when it is acceptable.</summary>
    public static string? Problem(string password, string userName)
    {
        var lower = password.Trim().ToLowerInvariant();
        if (Common.Value.Contains(lower) || Common.Value.Contains(lower.TrimEnd('!', '?', '.', '*', '1', '2', '3', '0')))
            return "Ce mot de passe fait partie des plus courants : choisissez-en un autre, par exemple une phrase de quelques mots.";
        var login = userName.Trim().ToLowerInvariant();
        var localPart = login.Split('@')[0];
        if (lower.Contains("passerelle", StringComparison.Ordinal) || (localPart.Length >= 4 && lower.Contains(localPart, StringComparison.Ordinal)))
            return "Le mot de passe ne doit reprendre ni votre identifiant ni le nom « Passerelle » : choisissez-en un autre.";
        if (lower.Distinct().Count() < 4)
            return "Le mot de passe répète trop peu de caractères différents : choisissez-en un autre.";
        return null;
    }
}
