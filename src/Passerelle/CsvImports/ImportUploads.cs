using Passerelle.Candidates;

namespace Passerelle.CsvImports;

/// <summary>
/// A file uploaded on the page "Importer", kept between its preview and the import (beside the documents, so that every
/// instance reads it): under a server-chosen name in the school's folder, removed once imported, and after a day anyway.
/// </summary>
public sealed class ImportUploads(DocumentsOptions options, TimeProvider clock)
{
    public const long MaxBytes = 5 * 1024 * 1024;

    private readonly string _root = Path.Combine(Path.GetFullPath(options.Folder), "imports");

    public static readonly TimeSpan Kept = TimeSpan.FromDays(1);

    public async Task<Guid> SaveAsync(Guid schoolId, byte[] content, CancellationToken ct)
    {
        Sweep();
        Directory.CreateDirectory(Path.Combine(_root, schoolId.ToString("N")));
        var id = Guid.NewGuid();
        await File.WriteAllBytesAsync(PathOf(schoolId, id), content, ct);
        return id;
    }

    /// <summary>
    /// The upload's bytes, taken for its import: the file goes (renamed, then deleted), so a second click on "Importer" — or a
    /// colleague's on the same preview — finds nothing to import instead of importing it again. Null when there is nothing.
    /// </summary>
    public async Task<byte[]?> TakeAsync(Guid schoolId, Guid id, CancellationToken ct)
    {
        var file = new FileInfo(PathOf(schoolId, id));
        if (!file.Exists || Expired(file))
            return null;
        var taken = Path.ChangeExtension(file.FullName, ".importing");
        try
        {
            File.Move(file.FullName, taken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        try
        {
            return await File.ReadAllBytesAsync(taken, ct);
        }
        finally
        {
            File.Delete(taken);
        }
    }

    /// <summary>
    /// Deletes every school's uploads older than a day (previewed, never imported: names and addresses). On each upload, and
    /// by the daily job (<see cref="PersonalData.RetentionJob"/>) for a school that uploads nothing more. Returns how many went.
    /// </summary>
    public int Sweep()
    {
        if (!Directory.Exists(_root))
            return 0;
        var old = new DirectoryInfo(_root).EnumerateFiles("*", SearchOption.AllDirectories).Where(Expired).ToList();
        foreach (var file in old)
            file.Delete();
        return old.Count;
    }

    private bool Expired(FileInfo file) => file.LastWriteTimeUtc < clock.GetUtcNow().UtcDateTime - Kept;

    private string PathOf(Guid schoolId, Guid id) => Path.Combine(_root, schoolId.ToString("N"), $"{id:N}.csv");
}
