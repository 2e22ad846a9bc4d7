using System.IO.Compression;
using System.Text;

namespace Passerelle.Candidates;

/// <summary>
/// Checks an uploaded file: 1 byte to 10 MB, and a PDF, DOCX, JPEG or PNG judged from its content (never from
/// its name or the type the browser claims). A PDF must carry no script, launch action or embedded file (and open
/// as one: <see cref="PdfCheck"/>, asked by the upload endpoint); a DOCX must be a Word document without macros whose parts, once
/// unpacked, stay reasonable (no zip bomb). Gives the content type to store, or the code of the refusal
/// (SchoolOffice.CandidateDocuments.Explain says it in French).
/// </summary>
public static class DocumentUpload
{
    public const long MaxBytes = 10 * 1024 * 1024;
    public const long MaxUnpackedDocxBytes = 100 * 1024 * 1024;
    public const int MaxDocxParts = 2000;

    public static (string? ContentType, string? Problem) Check(ReadOnlySpan<byte> content, Stream? seekable = null)
    {
        if (content.Length == 0)
            return (null, "vide");
        if (content.Length > MaxBytes)
            return (null, "taille");
        if (content.StartsWith("%PDF-"u8))
            return PdfProblem(content) is { } pdfProblem ? (null, pdfProblem) : ("application/pdf", null);
        if (content.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF }))
            return ("image/jpeg", null);
        if (content.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }))
            return ("image/png", null);
        if (content.StartsWith("PK\u0003\u0004"u8) && seekable is not null && WordProblem(seekable) is var wordProblem && wordProblem != NotWord)
            return wordProblem is null ? ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", null) : (null, wordProblem);
        return (null, "type");
    }

    /// <summary>
    /// What can be judged here of a PDF: no active content a reader would run. Whether it opens at all is judged by
    /// <see cref="PdfCheck"/>, in a child process.
    /// </summary>
    private static string? PdfProblem(ReadOnlySpan<byte> content)
    {
        foreach (var active in ActiveContent)
        {
            if (content.IndexOf(active) >= 0)
                return "actif";
        }
        return null;
    }

    private static readonly byte[][] ActiveContent = ["/JavaScript"u8.ToArray(), "/JS "u8.ToArray(), "/JS("u8.ToArray(), "/JS<"u8.ToArray(),
        "/Launch"u8.ToArray(), "/EmbeddedFile"u8.ToArray(), "/RichMedia"u8.ToArray(), "/XFA"u8.ToArray()];

    private const string NotWord = "not a Word document";

    /// <summary>The declared unpacked sizes add up to the limit at most (added with a stop, not an overflow: ZIP64 sizes go to 2^64).</summary>
    private static bool WithinUnpackedLimit(IEnumerable<ZipArchiveEntry> entries)
    {
        long total = 0;
        foreach (var entry in entries)
        {
            if (entry.Length is < 0 or > MaxUnpackedDocxBytes || (total += entry.Length) > MaxUnpackedDocxBytes)
                return false;
        }
        return true;
    }

    /// <summary>
    /// A DOCX is a zip with a content-types part and a main document part. The sizes its directory declares are
    /// checked before anything is unpacked (nothing here unpacks more than the content-types part).
    /// </summary>
    private static string? WordProblem(Stream stream)
    {
        try
        {
            stream.Position = 0;
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var types = zip.GetEntry("[Content_Types].xml");
            if (types is null || zip.GetEntry("word/document.xml") is null)
                return NotWord;
            if (zip.Entries.Count > MaxDocxParts || !WithinUnpackedLimit(zip.Entries) || types.Length > 1024 * 1024
                || zip.Entries.Any(e => e.Length > 1024 * 1024 && e.Length / 200 > Math.Max(1, e.CompressedLength)))
                return "volume";
            if (zip.Entries.Any(e => e.FullName.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)))
                return "macros";
            using var reader = new StreamReader(types.Open());
            return reader.ReadToEnd().Contains("macroEnabled", StringComparison.OrdinalIgnoreCase)
                ? "macros"
                : null;
        }
        catch (InvalidDataException)
        {
            return NotWord;
        }
        finally
        {
            stream.Position = 0;
        }
    }

    /// <summary>A title from what the uploader called the file: no folders, no extension, no control characters.</summary>
    public static string TitleFrom(string? fileName)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        if (dot > 0)
            name = name[..dot];
        return Title(name);
    }

    /// <summary>
    /// A title as typed: kept whole ("Bulletin 2024/2025" is no path), without control characters, 100 characters at most;
    /// "document" when nothing is left.
    /// </summary>
    public static string Title(string? typed)
    {
        var name = typed ?? "";
        var clean = new StringBuilder();
        foreach (var c in name.Where(c => !char.IsControl(c)))
            clean.Append(c);
        var title = clean.ToString().Trim();
        return title.Length == 0 ? "document" : title.Length > 100 ? title[..100] : title;
    }
}
