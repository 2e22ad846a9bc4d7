using Microsoft.AspNetCore.Mvc;
using Passerelle.CsvImports;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// "Importer des candidats ou des offres": a CSV file from the school's spreadsheet or platform, checked first — a preview of the
/// first rows and every rejected row, nothing written — then imported. The importer is the command line's (<see cref="Importer"/>).
/// </summary>
[RequestSizeLimit(ImportUploads.MaxBytes + (64 * 1024))]
[RequestFormLimits(MultipartBodyLengthLimit = ImportUploads.MaxBytes + (32 * 1024))]
public sealed class ImportModel(PasserelleDb db, ImportUploads uploads, TimeProvider clock) : SchoolPage(db)
{
    public const int PreviewRows = 20;

    [BindProperty]
    public ImportKind Kind { get; set; } = ImportKind.Candidates;

    [BindProperty]
    public Guid? Upload { get; set; }

    public ImportPlan? Plan { get; private set; }
    public ImportReport? Report { get; private set; }

    public void OnGet(ImportKind? type)
    {
        if (type is { } kind && Enum.IsDefined(kind))
            Kind = kind;
    }

    /// <summary>Reads the file and shows what the import would do; nothing is written.</summary>
    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostPreviewAsync(IFormFile? file, CancellationToken ct)
    {
        if (!Enum.IsDefined(Kind))
            return Invalid("Choisissez ce que le fichier contient : des candidats ou des offres.");
        if (file is null || file.Length == 0)
            return Invalid("Choisissez un fichier CSV à importer.");
        if (file.Length > ImportUploads.MaxBytes)
            return Invalid("Le fichier dépasse 5 Mo : importez-le en plusieurs fois.");
        using var content = new MemoryStream();
        await file.CopyToAsync(content, ct);
        Plan = await Importer.CheckAsync(Db, Kind, content.ToArray(), ct);
        if (Plan.Problem is not null)
            return Invalid(Plan.Problem);
        Upload = await uploads.SaveAsync(SchoolId, content.ToArray(), ct);
        return Page();
    }

    /// <summary>Imports the file previewed (checked again: the school's data may have changed meanwhile).</summary>
    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostImportAsync(CancellationToken ct)
    {
        if (Upload is not { } upload || await uploads.TakeAsync(SchoolId, upload, ct) is not { } content)
            return Invalid(UploadGone);
        var plan = await Importer.CheckAsync(Db, Kind, content, ct);
        if (plan.Problem is not null)
            return Invalid(plan.Problem);
        var report = await Importer.RunAsync(Db, plan, ImportedBy.Staff(StaffId, StaffName), clock.GetUtcNow(), null, ct);
        if (report.Problem is not null)
            return Invalid(report.Problem);
        Report = report;
        Upload = null;
        return Page();
    }

    public const string UploadGone =
        "Ce fichier n'est plus à importer : il vient de l'être (voyez la liste), ou son aperçu a plus d'un jour. Pour un nouvel import, choisissez-le de nouveau.";

    private Microsoft.AspNetCore.Mvc.RazorPages.PageResult Invalid(string message)
    {
        Plan = null;
        return Refused(message);
    }

    public string What => Kind == ImportKind.Candidates ? "candidats" : "offres";
}
