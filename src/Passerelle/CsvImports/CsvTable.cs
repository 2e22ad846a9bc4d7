using System.Globalization;
using System.Text;
using CsvHelper;

namespace Passerelle.CsvImports;

/// <summary>One data row of a CSV file: the line it starts on (the header is line 1) and its values by column.</summary>
public sealed record CsvRow(int Line, IReadOnlyDictionary<string, string> Values)
{
    public string? this[string column] => Values.TryGetValue(column, out var value) && value.Length > 0 ? value : null;
}

/// <summary>
/// A CSV file as French spreadsheets write it, read with CsvHelper: ";" or "," (or tab) found from the header, UTF-8 with
/// or without BOM, else Windows-1252 (Excel's "CSV (séparateur : point-virgule)"), quoted fields with line breaks. Columns
/// are known by their header under several names ("Prénom", "prenom", "firstName"), whatever the case and accents.
/// </summary>
public static class CsvTable
{
    /// <summary>The text of a file's bytes: UTF-8 when it is (BOM or not), else Windows-1252.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
            return Encoding.UTF8.GetString(bytes[3..]);
        if (System.Text.Unicode.Utf8.IsValid(bytes))
            return Encoding.UTF8.GetString(bytes);
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252).GetString(bytes);
    }

    /// <summary>A header as compared: lower case, no accents, no spaces, dashes, underscores or dots ("Date de début" → "datededebut").</summary>
    public static string Key(string header)
    {
        var decomposed = header.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var key = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && char.IsLetterOrDigit(c))
                key.Append(c);
        }
        return key.ToString();
    }

    /// <summary>
    /// The rows, with each value under the name of its column in <paramref name="columns"/> (column → accepted header keys);
    /// or why the file cannot be read (no header, a required column missing, NUL characters).
    /// </summary>
    public static (List<CsvRow> Rows, string? Problem) Read(
        string text, IReadOnlyDictionary<string, string[]> columns, IReadOnlyCollection<string> required, Func<string, string> describe)
    {
        // A spreadsheet's CSV has none; a file saved as UTF-16 ("Texte Unicode") has one after every other character.
        if (text.Contains('\0'))
            return ([], "Le fichier contient des caractères nuls : il est sans doute enregistré en « Texte Unicode » (UTF-16). " +
                "Enregistrez-le au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) » et recommencez.");
        // The separator is detected from the first lines (",", ";", tab…); quoted fields may hold line breaks (RFC 4180).
        var options = new CsvReaderOptions { TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true, DetectSeparatorHint = true };
        using var csv = CsvReader.FromText(text, options);
        csv.ReadHeader();
        if (csv.Headers is not { Count: > 0 } headers || headers.All(h => h.Trim().Length == 0))
            return ([], "Le fichier est vide : la première ligne doit nommer les colonnes.");
        var positions = new Dictionary<string, int>();
        for (var i = 0; i < headers.Count; i++)
        {
            var key = Key(headers[i]);
            foreach (var (column, names) in columns)
            {
                if (names.Contains(key) && !positions.ContainsKey(column))
                    positions[column] = i;
            }
        }
        var missing = required.Where(c => !positions.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            return ([], $"Colonne(s) manquante(s) : {string.Join(", ", missing.Select(describe))}. La première ligne du fichier doit nommer les colonnes " +
                $"(trouvées : {string.Join(", ", headers.Select(h => $"« {h} »"))}).");

        var rows = new List<CsvRow>();
        while (csv.Read())
        {
            var values = new Dictionary<string, string>(positions.Count);
            foreach (var (column, position) in positions)
                values[column] = position < csv.FieldCount ? csv.GetString(position).Trim() : "";
            if (values.Values.All(v => v.Length == 0))
                continue; // a row of empty cells, as spreadsheets leave below the data
            rows.Add(new CsvRow((int)csv.LineNumber, values));
        }
        return (rows, null);
    }
}
