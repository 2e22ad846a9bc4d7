namespace Passerelle.Companies;

/// <summary>The 14-digit French establishment number, checked with the Luhn key (and La Poste's own rule).</summary>
public static class Siret
{
    // La Poste's establishments share one SIREN and use a digit-sum rule instead of Luhn.
    private const string LaPosteSiren = "356000000";

    /// <summary>Removes the spaces people type ("123 456 789 00012") and returns the digits, or null if it is not a valid SIRET.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null)
            return null;
        var digits = new string(input.Where(c => !char.IsWhiteSpace(c)).ToArray());
        return IsValid(digits) ? digits : null;
    }

    public static bool IsValid(string value)
    {
        if (value.Length != 14 || !value.All(char.IsAsciiDigit))
            return false;
        if (value.StartsWith(LaPosteSiren, StringComparison.Ordinal))
            return value.Sum(c => c - '0') % 5 == 0;

        var sum = 0;
        for (var i = 0; i < 14; i++)
        {
            var digit = value[13 - i] - '0';
            if (i % 2 == 1)
            {
                digit *= 2;
                if (digit > 9)
                    digit -= 9;
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }
}
