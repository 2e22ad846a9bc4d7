using System.Text;

namespace Passerelle.Common;

/// <summary>
/// A value kept on one line — a name, a title, a place, a phone number: trimmed, and each run of spaces and control
/// characters (a line break or a tab from a spreadsheet's cell, a JSON string) made one space. The portals' inputs cannot
/// send a line break, but a CSV file and the API can: kept as it came, "MARTIN Jean↵Paul" was two lines in a list, a mail's
/// greeting and an exported row.
/// </summary>
public static class OneLine
{
    public static string Of(string text)
    {
        var trimmed = text.Trim();
        if (!NeedsCleaning(trimmed))
            return trimmed;
        var clean = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
        {
            var space = c == ' ' || char.IsControl(c);
            if (!space)
                clean.Append(c);
            else if (clean.Length > 0 && clean[^1] != ' ')
                clean.Append(' ');
        }
        return clean.ToString().TrimEnd();
    }

    /// <summary>The value on one line, or null when it is blank (control characters alone are blank too).</summary>
    public static string? OrNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : Of(text) is { Length: > 0 } kept ? kept : null;

    private static bool NeedsCleaning(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]) || (text[i] == ' ' && i > 0 && text[i - 1] == ' '))
                return true;
        }
        return false;
    }
}
