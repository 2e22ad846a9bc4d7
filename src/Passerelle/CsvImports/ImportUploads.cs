using Passerelle.Candidates;

namespace Passerelle.CsvImports;

/// <summary>
/// A file uploaded on the page "Importer", kept between its preview and the import (beside the documents, so that every
/// instance reads it): under a server-chosen name in the school's folder, removed once imported and after a day anyway.
/// </summary>
public sealed class ImportUploads(DocumentsOptions options, TimeProvider clock)
{
    public const long MaxBytes = 5 * 1024 * 1024;

    private readonly string _root = Path.Combine(Path.GetFullPath(options.Folder), "imports");

    public async Task<Guid> SaveAsync(Guid schoolId, byte[] content, CancellationToken ct)
    {
        var folder = Path.Combine(_root, schoolId.ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var old in new DirectoryInfo(folder).EnumerateFiles("*.csv").Where(f => f.LastWriteTimeUtc < clock.GetUtcNow().UtcDateTime.AddDays(-1)))
            old.Delete();
        var id = Guid.NewGuid();
        await File.WriteAllBytesAsync(PathOf(schoolId, id), content, ct);
        return id;
    }

    /// <summary>The upload's bytes, if this school has it.</summary>
    public async Task<byte[]?> ReadAsync(Guid schoolId, Guid id, CancellationToken ct) =>
        File.Exists(PathOf(schoolId, id)) ? await File.ReadAllBytesAsync(PathOf(schoolId, id), ct) : null;

    public void Delete(Guid schoolId, Guid id) => File.Delete(PathOf(schoolId, id));

    private string PathOf(Guid schoolId, Guid id) => Path.Combine(_root, schoolId.ToString("N"), $"{id:N}.csv");
}
