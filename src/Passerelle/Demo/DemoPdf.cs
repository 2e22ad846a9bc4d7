using System.Globalization;
using System.Text;

namespace Passerelle.Demo;

/// <summary>A one-page PDF saying what the demo document is, so the demo's downloads open.</summary>
public static class DemoPdf
{
    /// <param name="minimumBytes">Pads the page's content with PDF comments to about this size (upload-limit checks).</param>
    public static byte[] Create(string title, int minimumBytes = 0)
    {
        var content = new StringBuilder(Page(title));
        while (content.Length < minimumBytes)
            content.Append("\n% ").Append('x', 1000);
        return Write(content.ToString());
    }

    /// <summary>The same PDF, padded to exactly <paramref name="bytes"/> bytes (tests at the upload limit, to the byte).</summary>
    public static byte[] OfSize(string title, int bytes)
    {
        var page = Page(title);
        var pdf = Write(page);
        // The padding's length shows in the numbers the file carries (/Length, startxref): a few rounds settle it.
        for (int padding = 0, round = 0; pdf.Length != bytes; round++)
        {
            padding += bytes - pdf.Length;
            if (padding < 0 || round == 10)
                throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "No demo PDF has exactly this size.");
            var length = page.Length + padding;
            var content = new StringBuilder(page, length);
            while (length - content.Length >= 3)
            {
                var comment = Math.Min(length - content.Length - 3, 1000);
                content.Append("\n% ").Append('x', comment);
            }
            content.Append(' ', length - content.Length);
            pdf = Write(content.ToString());
        }
        return pdf;
    }

    /// <summary>The page's text: the title, ASCII only (standard fonts use WinAnsi), PDF string delimiters escaped.</summary>
    private static string Page(string title)
    {
        var text = new string(title.Normalize(NormalizationForm.FormD).Where(c => c < 128).ToArray())
            .Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal);
        return $"BT /F1 18 Tf 72 760 Td ({text}) Tj 0 -28 Td /F1 11 Tf (Document de demonstration Passerelle) Tj ET";
    }

    private static byte[] Write(string stream)
    {
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {stream.Length} >>\nstream\n{stream}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
