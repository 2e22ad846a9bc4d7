using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Passerelle.Candidates;

/// <summary>Section "Documents": where candidates' files are kept.</summary>
public sealed class DocumentsOptions
{
    public const string Section = "Documents";

    /// <summary>Relative to the working directory; with several instances, a shared volume.</summary>
    public string Folder { get; init; } = "data/documents";

    public static DocumentsOptions FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<DocumentsOptions>() is { Folder.Length: > 0 } options ? options : new DocumentsOptions();
}

/// <summary>Candidate files, outside the web root, under server-chosen names (<see cref="Document.StorageKey"/>).</summary>
public sealed partial class DocumentStorage(DocumentsOptions options)
{
    private readonly string _root = Path.GetFullPath(options.Folder);

    public static string NewKey(Guid schoolId, Guid documentId) => $"{schoolId:N}/{documentId:N}";

    /// <summary>The document's file as a download (name and type from the server, never from the upload); 404 when absent.</summary>
    public IResult Download(Document? document) =>
        document is not null && OpenRead(document) is { } content
            ? Results.File(content, document.ContentType, DownloadName(document))
            : Results.NotFound();

    public Stream? OpenRead(Document document)
    {
        if (document.RemovedAt is not null)
            return null;
        var path = PathOf(document.StorageKey);
        return path is not null && File.Exists(path) ? File.OpenRead(path) : null;
    }

    public async Task SaveAsync(string storageKey, Stream content, CancellationToken ct)
    {
        var path = PathOf(storageKey) ?? throw new ArgumentException("Not a storage key.", nameof(storageKey));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await content.CopyToAsync(file, ct);
    }

    /// <summary>
    /// Checks an uploaded file (<see cref="DocumentUpload"/>, then <see cref="PdfCheck"/> for a PDF), stores it and adds it to the
    /// candidate of the context's school: the back-office's upload and the API's. A refused file leaves nothing behind; the
    /// refusal is a <see cref="DocumentUpload"/> code ("taille", "type", "pdf"…).
    /// </summary>
    public async Task<(Document? Document, string? Refusal)> AddAsync(
        Storage.PasserelleDb db, Guid candidateId, IFormFile file, DocumentKind kind, string? title, ILogger logger, DateTimeOffset now, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        var (content, contentType, problem) = await CheckAsync(file, logger, ct);
        using var _ = content;
        if (problem is not null)
            return (null, problem);

        var document = new Document
        {
            Id = Guid.CreateVersion7(now), SchoolId = schoolId, CandidateId = candidateId, Kind = kind,
            Title = string.IsNullOrWhiteSpace(title) ? DocumentUpload.TitleFrom(file.FileName) : DocumentUpload.Title(title),
            ContentType = contentType!, SizeBytes = content!.Length, UploadedAt = now,
        };
        document.StorageKey = NewKey(schoolId, document.Id);
        content.Position = 0;
        await SaveAsync(document.StorageKey, content, ct);
        try
        {
            // Not for a candidate erased since the caller looked (reading and checking the file takes a while): the candidate's
            // row is locked by an update that changes nothing, in the insert's transaction, so an erasure either came first (no
            // row) or claims the candidate after the insert and removes the document with the others.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (await db.Candidates.Where(c => c.Id == candidateId && c.ErasedAt == null)
                    .ExecuteUpdateAsync(set => set.SetProperty(c => c.ErasedAt, (DateTimeOffset?)null), ct) == 0)
            {
                Delete(document.StorageKey);
                return (null, CandidateErased);
            }
            db.Documents.Add(document);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch
        {
            Delete(document.StorageKey);
            throw;
        }
        return (document, null);
    }

    /// <summary>The refusal of a document for a candidate erased meanwhile.</summary>
    public const string CandidateErased = "efface";

    /// <summary>
    /// A new version of a document: checked like an upload, stored under a new key, the row pointed at it, then the old file
    /// deleted. The referrals and pushed profiles that shared the document show the new version.
    /// </summary>
    public async Task<string?> ReplaceAsync(Storage.PasserelleDb db, Document document, IFormFile file, ILogger logger, DateTimeOffset now, CancellationToken ct)
    {
        var (content, contentType, problem) = await CheckAsync(file, logger, ct);
        using var _ = content;
        if (problem is not null)
            return problem;
        var oldKey = document.StorageKey;
        var newKey = NewKey(document.SchoolId, Guid.CreateVersion7(now));
        content!.Position = 0;
        await SaveAsync(newKey, content, ct);
        int replaced;
        try
        {
            // Only while the document is not removed: a removal or an erasure committed since it was read leaves no new file behind.
            replaced = await db.Documents.Where(d => d.Id == document.Id && d.RemovedAt == null).ExecuteUpdateAsync(set => set
                .SetProperty(d => d.StorageKey, newKey)
                .SetProperty(d => d.ContentType, contentType!)
                .SetProperty(d => d.SizeBytes, content.Length)
                .SetProperty(d => d.UploadedAt, now), ct);
        }
        catch
        {
            Delete(newKey);
            throw;
        }
        if (replaced == 0)
        {
            Delete(newKey);
            return "introuvable";
        }
        (document.StorageKey, document.ContentType, document.SizeBytes, document.UploadedAt) = (newKey, contentType!, content.Length, now);
        Delete(oldKey);
        return null;
    }

    /// <summary>Removes a document: its file is deleted from storage, its row kept (marked) for the referrals that shared it.</summary>
    public async Task RemoveAsync(Storage.PasserelleDb db, Document document, DateTimeOffset now, CancellationToken ct)
    {
        document.RemovedAt = now;
        await db.SaveChangesAsync(ct);
        Delete(document.StorageKey);
    }

    public void Delete(string storageKey)
    {
        if (PathOf(storageKey) is { } path && File.Exists(path))
            File.Delete(path);
    }

    private static async Task<(MemoryStream? Content, string? ContentType, string? Problem)> CheckAsync(IFormFile file, ILogger logger, CancellationToken ct)
    {
        if (file.Length > DocumentUpload.MaxBytes)
            return (null, null, "taille");
        var content = new MemoryStream();
        await file.CopyToAsync(content, ct);
        var (contentType, problem) = DocumentUpload.Check(content.GetBuffer().AsSpan(0, (int)content.Length), content);
        if (problem is null && contentType == "application/pdf" && !await PdfCheck.OpensAsync(content.GetBuffer().AsMemory(0, (int)content.Length), logger, ct))
            problem = "pdf";
        return (content, contentType, problem);
    }

    /// <summary>The download name people get: "CV - cv.pdf".</summary>
    public static string DownloadName(Document document)
    {
        var extension = document.ContentType switch
        {
            "application/pdf" => ".pdf",
            "image/jpeg" => ".jpg",
            "image/png" => ".png",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
            _ => "",
        };
        var name = Unsafe().Replace(document.Label, "_");
        return name + extension;
    }

    private string? PathOf(string storageKey) => Key().IsMatch(storageKey) ? Path.Combine(_root, storageKey) : null;

    [GeneratedRegex("^[a-z0-9]{32}/[a-z0-9]{32}$")]
    private static partial Regex Key();

    [GeneratedRegex(@"[\\/:*?""<>|\x00-\x1f]")]
    private static partial Regex Unsafe();
}
