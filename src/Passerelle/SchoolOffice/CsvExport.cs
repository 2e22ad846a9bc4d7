using System.Text;

namespace Passerelle.SchoolOffice;

/// <summary>The back-office's CSV exports, made to open in French Excel: UTF-8 with BOM, ";" separator, no formula.</summary>
public static class CsvExport
{
    public static byte[] Build(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(';', headers.Select(Cell)).Append("\r\n");
        foreach (var row in rows)
            csv.AppendJoin(';', row.Select(Cell)).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    /// <summary>"mises-en-relation-2026-12-01.csv".</summary>
    public static string FileName(string prefix) => $"{prefix}-{ParisTime.ToParis(DateTimeOffset.UtcNow):yyyy-MM-dd}.csv";

    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>A CSV cell: quoted when needed, and never read by a spreadsheet as a formula.</summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            value = "'" + value;
        return value.IndexOfAny([';', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
