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
    /// <summary>
    /// The text of a file's bytes: UTF-8 when it is (BOM or not), else Windows-1252; or why it is no CSV a spreadsheet wrote
    /// (a workbook, a PDF) or mixes the two encodings (a UTF-8 file with a line pasted from an old one): read as either, some
    /// names would come out garbled ("HÃ©lÃ¨ne") and update the candidates they belong to.
    /// </summary>
    public static (string? Text, string? Problem) Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("PK\u0003\u0004"u8) || bytes.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 }))
            return (null, "Ce fichier est un classeur (Excel ou LibreOffice), pas un fichier CSV. Ouvrez-le dans votre tableur et " + SaveAsCsv);
        if (bytes.StartsWith("%PDF"u8))
            return (null, "Ce fichier est un PDF, pas un fichier CSV. Exportez les données depuis votre tableur ou votre logiciel : " + SaveAsCsv);
        var bom = bytes.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF });
        var body = bom ? bytes[3..] : bytes;
        if (System.Text.Unicode.Utf8.IsValid(body))
            return (Encoding.UTF8.GetString(body), null);
        var (firstInvalid, multibyte) = Utf8Errors(body);
        // A Windows-1252 file almost never holds a valid UTF-8 sequence of two bytes or more (an accented capital followed by a
        // symbol); a UTF-8 file with a stray line holds many. Refusing the rare former beats garbling the latter's names.
        if (bom || multibyte > 0)
        {
            var line = body[..firstInvalid].Count((byte)'\n') + 1;
            return (null, $"Ligne {line} : un caractère n'est pas en UTF-8 comme le reste du fichier (un texte collé d'un autre document ?). " +
                "Lu tel quel, des noms seraient déformés. Enregistrez le fichier de nouveau au format « CSV UTF-8 » et recommencez.");
        }
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return (Encoding.GetEncoding(1252).GetString(body), null);
    }

    private const string SaveAsCsv = "enregistrez-le au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) », puis recommencez.";

    /// <summary>Where UTF-8 decoding first fails, and how many characters of two bytes or more decode.</summary>
    private static (int FirstInvalid, int Multibyte) Utf8Errors(ReadOnlySpan<byte> bytes)
    {
        var (first, multibyte) = (-1, 0);
        for (var i = 0; i < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                if (consumed > 1)
                    multibyte++;
            }
            else if (first < 0)
            {
                first = i;
            }
            i += Math.Max(1, consumed);
        }
        return (first, multibyte);
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
        // A quoted value never closed would run to the end of the file (one offer's description swallowing the rows below):
        // the file is refused, with the line where it opens. Other stray quotes are read as text.
        long? unterminated = null;
        var options = new CsvReaderOptions
        {
            TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true, DetectSeparatorHint = true,
            OnMalformedRecord = record => unterminated ??= record.Reason == CsvMalformedReason.UnterminatedQuote ? record.LineNumber : null,
        };
        using var csv = CsvReader.FromText(text, options);
        csv.ReadHeader();
        if (unterminated is { } inHeader)
            return ([], Unterminated(inHeader));
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
        return unterminated is { } line ? ([], Unterminated(line)) : (rows, null);
    }

    private static string Unterminated(long line) =>
        $"Ligne {line} : un guillemet (\") ouvre une valeur qui n'est jamais fermée ; la suite du fichier serait lue comme cette seule valeur. " +
        "Fermez le guillemet ou retirez-le, puis recommencez.";
}
