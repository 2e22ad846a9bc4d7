using System.IO.Compression;
using System.Text;

namespace Passerelle.Candidates;

/// <summary>
/// Checks an uploaded file: 1 byte to 10 MB, and a PDF, DOCX, JPEG or PNG judged from its content (never from
/// its name or the type the browser claims). Gives the content type to store, or a French reason to refuse.
/// </summary>
public static class DocumentUpload
{
    public const long MaxBytes = 10 * 1024 * 1024;

    public static (string? ContentType, string? Problem) Check(ReadOnlySpan<byte> content, Stream? seekable = null)
    {
        if (content.Length == 0)
            return (null, "Le fichier est vide.");
        if (content.Length > MaxBytes)
            return (null, "Le fichier dépasse 10 Mo.");
        if (content.StartsWith("%PDF-"u8))
            return ("application/pdf", null);
        if (content.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF }))
            return ("image/jpeg", null);
        if (content.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }))
            return ("image/png", null);
        if (content.StartsWith("PK\u0003\u0004"u8) && seekable is not null && IsWordDocument(seekable))
            return ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", null);
        return (null, "Ce type de fichier n'est pas accepté : envoyez un PDF, un document Word (DOCX), une image JPEG ou PNG.");
    }

    /// <summary>A DOCX is a zip with a content-types part and a main document part.</summary>
    private static bool IsWordDocument(Stream stream)
    {
        try
        {
            stream.Position = 0;
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            return zip.GetEntry("[Content_Types].xml") is not null && zip.GetEntry("word/document.xml") is not null;
        }
        catch (InvalidDataException)
        {
            return false;
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
        var clean = new StringBuilder();
        foreach (var c in name.Where(c => !char.IsControl(c)))
            clean.Append(c);
        var title = clean.ToString().Trim();
        return title.Length == 0 ? "document" : title.Length > 100 ? title[..100] : title;
    }
}
