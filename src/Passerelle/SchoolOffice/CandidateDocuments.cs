using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// A candidate's documents in the back-office. Uploading: the form is read here, inside a guard, so that an
/// oversized body gets a French answer instead of an error; the file is checked from its content (PDF, DOCX, JPEG,
/// PNG; at most 10 MB) and stored outside the web root under a server-chosen name. A refused file leaves nothing
/// behind. Downloading: staff get their own school's candidates' files, under a server-chosen name and type.
/// </summary>
public static class CandidateDocuments
{
    public static void MapCandidateDocuments(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ecole/candidats/{candidateId:guid}/documents", UploadAsync)
            .RequireAuthorization(SchoolAuth.Policy)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(DocumentUpload.MaxBytes + (1024 * 1024)))
            .WithFormOptions(multipartBodyLengthLimit: DocumentUpload.MaxBytes + (64 * 1024))
            .DisableAntiforgery(); // validated below, once the form is safely read
        app.MapGet("/ecole/candidats/{candidateId:guid}/documents/{documentId:guid}", DownloadAsync)
            .RequireAuthorization(SchoolAuth.Policy);
    }

    private static async Task<IResult> DownloadAsync(
        Guid candidateId, Guid documentId, HttpContext http, PasserelleDb db, DocumentStorage storage, CancellationToken ct)
    {
        if (SchoolAuth.SchoolOf(http.User) is not { } schoolId)
            return Results.NotFound();
        db.ForSchool(schoolId);
        var document = await db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId && d.CandidateId == candidateId && d.RemovedAt == null, ct);
        return storage.Download(document);
    }

    public static string Explain(string refusal) => refusal switch
    {
        "taille" => "Le fichier dépasse 10 Mo : rien n'a été enregistré.",
        "vide" => "Le fichier est vide : rien n'a été enregistré.",
        "type" => "Ce type de fichier n'est pas accepté : envoyez un PDF, un document Word (DOCX), une image JPEG ou PNG. Rien n'a été enregistré.",
        "pdf" => "Ce fichier PDF est illisible ou endommagé : enregistrez-le à nouveau en PDF et recommencez. Rien n'a été enregistré.",
        "actif" => "Ce PDF contient du code, une action ou un fichier intégré : enregistrez-le à nouveau en PDF simple (Imprimer → PDF) et recommencez. Rien n'a été enregistré.",
        "volume" => "Ce document Word est anormalement volumineux une fois décompressé : enregistrez-le à nouveau et recommencez. Rien n'a été enregistré.",
        "macros" => "Ce document Word contient des macros : enregistrez-le au format .docx sans macros et recommencez. Rien n'a été enregistré.",
        "genre" => "Choisissez le type de document.",
        "introuvable" => "Ce document a été retiré entre-temps : rien n'a été enregistré.",
        DocumentStorage.CandidateErased => "Ce candidat a été effacé entre-temps : rien n'a été enregistré.",
        _ => "Choisissez un fichier à envoyer.",
    };

    private static async Task<IResult> UploadAsync(
        Guid candidateId, HttpContext http, IAntiforgery antiforgery, PasserelleDb db, DocumentStorage storage, TimeProvider clock,
        LinkGenerator links, ILogger<DocumentStorage> logger, CancellationToken ct)
    {
        if (SchoolAuth.SchoolOf(http.User) is not { } schoolId)
            return Results.NotFound();
        db.ForSchool(schoolId);
        // An erased candidate gets no new document (nor a new version).
        if (!await db.Candidates.AnyAsync(c => c.Id == candidateId && c.ErasedAt == null, ct))
            return Results.NotFound();
        // Back to the candidate's page, with why the file was refused if it was.
        IResult Back(string? refusal = null) =>
            Results.Redirect(links.GetPathByPage(http, "/SchoolOffice/CandidateDetail", values: new { id = candidateId, refus = refusal })!);

        IFormCollection form;
        try
        {
            // The endpoint's metadata (above) gives it a larger body than the 1 MB of a form (RequestLimits): routing applies
            // both limits before this runs.
            form = await http.Request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return Back("taille");
        }
        if (!await antiforgery.IsRequestValidAsync(http))
            return Results.BadRequest();

        var file = form.Files.GetFile("File");
        if (file is null)
            return Back("fichier");
        // A new version of one of the candidate's documents.
        if (form.ContainsKey("Replaces"))
        {
            var replaced = Guid.TryParse(form["Replaces"], out var documentId)
                ? await db.Documents.SingleOrDefaultAsync(d => d.Id == documentId && d.CandidateId == candidateId && d.RemovedAt == null, ct)
                : null;
            if (replaced is null)
                return Back("introuvable");
            return await storage.ReplaceAsync(db, replaced, file, logger, clock.GetUtcNow(), ct) is { } problem
                ? Back(problem)
                : Results.Redirect(links.GetPathByPage(http, "/SchoolOffice/CandidateDetail", values: new { id = candidateId, remplace = documentId })!);
        }
        if (!Enum.TryParse<DocumentKind>(form["Kind"], out var kind) || !Enum.IsDefined(kind))
            return Back("genre");
        var (_, refusal) = await storage.AddAsync(db, candidateId, file, kind, form["Title"].ToString(), logger, clock.GetUtcNow(), ct);
        if (refusal is not null)
            return Back(refusal);
        return Back();
    }
}
