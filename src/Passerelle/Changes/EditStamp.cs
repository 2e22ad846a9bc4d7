using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Passerelle.Changes;

/// <summary>
/// What an edit form showed, field by field, as a short stamp the form sends back (a hash of each value: no column, so
/// every way of writing the record — a colleague's page, the API, an import — is seen). At the save, in its transaction,
/// with the record held and read again, each field is one of three cases:
/// <list type="bullet">
/// <item>left as shown: it takes the record's value now (a colleague's correction since is kept, not undone);</item>
/// <item>changed on the form only: the form's value is saved;</item>
/// <item>changed on the form and, differently, in the record since: a conflict — nothing is saved, and the page says which
/// field and what it holds now, with what was typed kept in the form.</item>
/// </list>
/// Two people correcting different fields of one record both succeed; on the same field, the second is told and decides.
/// </summary>
public static class EditStamp
{
    public static string Of(params object?[] values) => string.Join('.', values.Select(Hash));

    /// <summary>The values to save (or, on a conflict, to show again), and the conflicting fields' positions.</summary>
    public sealed record Merged(object?[] Values, IReadOnlyList<int> Conflicts, IReadOnlyList<int> ChangedOnForm)
    {
        /// <summary>
        /// The refusal when fields conflict, null otherwise: <paramref name="record"/> is "cette offre", "ce candidat"…; each
        /// conflicting field named (<paramref name="labels"/>) with its value now (<paramref name="now"/>, as the page says it).
        /// </summary>
        public string? Conflict(string record, IReadOnlyList<string> labels, IReadOnlyList<object?> now) => Conflicts.Count == 0 ? null :
            $"Pendant que vous corrigiez {record}, quelqu'un d'autre a modifié : " +
            string.Join(" ; ", Conflicts.Select(i => $"{labels[i]} (désormais « {Shown(now[i])} »)")) +
            ". Rien n'est enregistré : vos corrections sont reprises ci-dessous avec les autres informations à jour (voir l'historique). " +
            "Vérifiez-les, puis enregistrez à nouveau.";
    }

    /// <summary>
    /// Merges what the form sent (<paramref name="posted"/>) with the record as it is now (<paramref name="current"/>),
    /// field by field, against what the form showed (<paramref name="stamp"/>). No stamp, or one not of this form: the form's
    /// values, as without the check.
    /// </summary>
    public static Merged Merge(string? stamp, object?[] posted, object?[] current)
    {
        var shown = stamp?.Split('.');
        if (shown is null || shown.Length != posted.Length || posted.Length != current.Length)
            return new Merged(posted, [], []);
        var values = new object?[posted.Length];
        var (conflicts, changed) = (new List<int>(), new List<int>());
        for (var i = 0; i < posted.Length; i++)
        {
            var (mine, now) = (Hash(posted[i]), Hash(current[i]));
            values[i] = mine == shown[i] ? current[i] : posted[i];
            if (mine != shown[i])
                changed.Add(i);
            if (mine != shown[i] && now != shown[i] && now != mine)
                conflicts.Add(i);
        }
        return new Merged(values, conflicts, changed);
    }

    /// <summary>A value as a conflict's message says it: "oui"/"non" for a box, "(vide)", one line, 80 characters at most.</summary>
    private static string Shown(object? value)
    {
        var text = value is bool on ? on ? "oui" : "non" : Text(value);
        text = text.Length == 0 ? "(vide)" : text.ReplaceLineEndings(" ");
        return text.Length > 80 ? string.Concat(text.AsSpan(0, 79), "…") : text;
    }

    /// <summary>A field's value as a form sends it back: trimmed, with the line breaks a browser turns into CR LF made LF.</summary>
    private static string Text(object? value) => (value switch
    {
        null => "",
        DateOnly day => day.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    }).ReplaceLineEndings("\n").Trim();

    private static string Hash(object? value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Text(value))), 0, 5);
}
