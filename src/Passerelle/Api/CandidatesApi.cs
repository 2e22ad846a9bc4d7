using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Common;
using Passerelle.SchoolOffice;
using Passerelle.Storage;

namespace Passerelle.Api;

public sealed record CandidateInput(
    [property: Required, Description("Nom de famille (100 caractères au plus).")] string? LastName,
    [property: Required, Description("Prénom (100 caractères au plus).")] string? FirstName,
    [property: Required, Description("Adresse e-mail : l'offre lui est envoyée.")] string? Email,
    [property: Description("Téléphone (facultatif, 30 caractères au plus).")] string? Phone = null,
    [property: Description("L'identifiant du candidat dans votre plateforme, unique dans l'école (facultatif, 100 caractères au plus).")] string? ExternalId = null);

public sealed record DocumentResource(Guid Id, DocumentKind Kind, string Title, string ContentType, long SizeBytes, DateTimeOffset UploadedAt);

public sealed record CandidateResource(
    Guid Id, string? ExternalId, string LastName, string FirstName, string Email, string? Phone, DateTimeOffset CreatedAt,
    [property: Description("Quand l'accord du candidat pour le push CV a été enregistré (null sans accord).")] DateTimeOffset? PushConsentAt,
    IReadOnlyList<DocumentResource> Documents);

/// <summary>Candidates through the API: the back-office's checks (<see cref="CandidateForm"/>), the platform's externalId, documents.</summary>
public static class CandidatesApi
{
    public const int MaxExternalIdLength = 100;

    public static void MapCandidates(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/candidates").WithTags("Candidats");
        group.MapGet("", ListAsync).WithName("ListCandidates").WithSummary("Lister les candidats")
            .WithDescription("Par pages (cursor, limit), dans l'ordre de création.").ListParameters(ListFilters).Produces<ApiPage<CandidateResource>>().ApiErrors(422);
        group.MapPost("", CreateAsync).WithName("CreateCandidate").WithSummary("Créer un candidat")
            .Accepts<CandidateInput>("application/json").Produces<CandidateResource>(StatusCodes.Status201Created).ApiErrors(400, 409, 413, 415, 422);
        group.MapGet("/{id:guid}", ReadAsync).WithName("GetCandidate").WithSummary("Lire un candidat").Produces<CandidateResource>().ApiErrors(404);
        group.MapPut("/{id:guid}", UpdateAsync).WithName("UpdateCandidate").WithSummary("Modifier un candidat")
            .Accepts<CandidateInput>("application/json").Produces<CandidateResource>().ApiErrors(400, 404, 409, 413, 415, 422);
        group.MapGet("/by-external-id/{externalId}", ReadByExternalIdAsync).WithName("GetCandidateByExternalId")
            .WithSummary("Lire un candidat par son identifiant externe").Produces<CandidateResource>().ApiErrors(404);
        group.MapPut("/by-external-id/{externalId}", UpsertAsync).WithName("UpsertCandidate")
            .WithSummary("Créer ou mettre à jour un candidat par son identifiant externe")
            .WithDescription("201 quand le candidat est créé, 200 quand il est mis à jour. Le champ externalId du corps, s'il est présent, doit être celui de l'adresse.")
            .Accepts<CandidateInput>("application/json").Produces<CandidateResource>().Produces<CandidateResource>(StatusCodes.Status201Created)
            .ApiErrors(400, 409, 413, 415, 422);
        group.MapPost("/{id:guid}/documents", UploadAsync).WithName("UploadCandidateDocument").WithSummary("Ajouter un document au candidat")
            .WithDescription("Un formulaire multipart/form-data (ses champs ci-dessous). Le fichier est vérifié sur son contenu, pas sur son nom.")
            .Accepts<DocumentUploadForm>("multipart/form-data").Produces<DocumentResource>(StatusCodes.Status201Created).ApiErrors(400, 404, 409, 413, 415, 422)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(DocumentUpload.MaxBytes + (1024 * 1024)))
            .WithFormOptions(multipartBodyLengthLimit: DocumentUpload.MaxBytes + (64 * 1024));
        group.MapGet("/{id:guid}/documents/{documentId:guid}", DownloadAsync).WithName("DownloadCandidateDocument")
            .WithSummary("Télécharger un document du candidat").Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ApiErrors(404);
    }

    /// <summary>The upload's form, for the OpenAPI document.</summary>
    public sealed class DocumentUploadForm
    {
        [Required, Description("Le fichier : PDF, Word (DOCX), JPEG ou PNG, 10 Mo au plus.")]
        public IFormFile? File { get; set; }

        [Required, Description("Le type de document.")]
        public DocumentKind Kind { get; set; }

        [Description("Le titre affiché (100 caractères au plus ; le nom du fichier si absent).")]
        public string? Title { get; set; }
    }

    private static readonly ApiListParameters ListFilters = new(
        ApiParameter.Text("externalId", "L'identifiant du candidat dans la plateforme de l'école.", MaxExternalIdLength),
        ApiParameter.Text("q", "Une partie du nom, du prénom ou de l'adresse e-mail, sans distinction de casse.", 100));

    private static async Task<Results<Ok<ApiPage<CandidateResource>>, ProblemHttpResult>> ListAsync(HttpContext http, PasserelleDb db)
    {
        var query = new ApiQuery(http.Request.Query, ListFilters);
        var externalId = query.Text("externalId");
        var search = query.Text("q");
        var limit = query.Limit();
        var after = query.After();
        if (!query.IsValid)
            return ApiProblem.Invalid(query.Errors);
        var candidates = db.Candidates.AsNoTracking();
        if (externalId is not null)
            candidates = candidates.Where(c => c.ExternalId == externalId);
        if (search is not null)
        {
            var term = search.Trim().ToLowerInvariant();
            candidates = candidates.Where(c => c.LastName.ToLower().Contains(term) || c.FirstName.ToLower().Contains(term) || c.Email.ToLower().Contains(term));
        }
        if (after is { } cursor)
            candidates = candidates.Where(c => c.Id.CompareTo(cursor) > 0);
        var rows = await ApiQuery.TakePage(candidates.OrderBy(c => c.Id), limit).ToListAsync(http.RequestAborted);
        var resources = await ResourcesAsync(db, rows, http.RequestAborted);
        return TypedResults.Ok(ApiQuery.Page(resources, limit, c => c.Id));
    }

    private static async Task<Results<Ok<CandidateResource>, ProblemHttpResult>> ReadAsync(Guid id, PasserelleDb db, CancellationToken ct) =>
        await db.Candidates.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) is { } candidate
            ? TypedResults.Ok((await ResourcesAsync(db, [candidate], ct))[0])
            : ApiProblem.NotFound("Ce candidat est introuvable.");

    private static async Task<Results<Ok<CandidateResource>, ProblemHttpResult>> ReadByExternalIdAsync(string externalId, PasserelleDb db, CancellationToken ct) =>
        await db.Candidates.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == externalId, ct) is { } candidate
            ? TypedResults.Ok((await ResourcesAsync(db, [candidate], ct))[0])
            : ApiProblem.NotFound("Aucun candidat de l'école ne porte cet identifiant externe.");

    private static async Task<IResult> CreateAsync(HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<CandidateInput>(http.Request);
        if (problem is not null)
            return problem;
        return await SaveAsync(http, db, null, input!, input!.ExternalId, clock);
    }

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<CandidateInput>(http.Request);
        if (problem is not null)
            return problem;
        if (await db.Candidates.SingleOrDefaultAsync(c => c.Id == id, http.RequestAborted) is not { } candidate)
            return ApiProblem.NotFound("Ce candidat est introuvable.");
        if (candidate.ErasedAt is not null)
            return ApiProblem.Of(StatusCodes.Status409Conflict, "Ce candidat est effacé : ses informations ne se modifient plus.");
        return await SaveAsync(http, db, candidate, input!, input!.ExternalId, clock);
    }

    private static async Task<IResult> UpsertAsync(string externalId, HttpContext http, PasserelleDb db, TimeProvider clock)
    {
        var (input, problem) = await ApiJson.ReadAsync<CandidateInput>(http.Request);
        if (problem is not null)
            return problem;
        if (input!.ExternalId is { } inBody && inBody != externalId)
            return ApiProblem.Invalid("externalId", "L'identifiant externe du corps diffère de celui de l'adresse.");
        var candidate = await db.Candidates.SingleOrDefaultAsync(c => c.ExternalId == externalId, http.RequestAborted);
        return await SaveAsync(http, db, candidate, input, externalId, clock);
    }

    /// <summary>Creates (<paramref name="candidate"/> null) or updates a candidate with the back-office's checks.</summary>
    private static async Task<IResult> SaveAsync(HttpContext http, PasserelleDb db, Candidate? candidate, CandidateInput input, string? externalId, TimeProvider clock)
    {
        var form = new CandidateForm { LastName = input.LastName ?? "", FirstName = input.FirstName ?? "", Email = input.Email ?? "", Phone = input.Phone };
        var errors = ApiValidation.Errors(form, name => name switch
        {
            nameof(CandidateForm.LastName) => "lastName",
            nameof(CandidateForm.FirstName) => "firstName",
            nameof(CandidateForm.Phone) => "phone",
            _ => "email",
        });
        if (!errors.ContainsKey("email") && form.Problem() is { } emailProblem)
            errors["email"] = [emailProblem];
        if (ApiValidation.ExternalIdProblem(externalId) is { } externalProblem)
            errors["externalId"] = [externalProblem];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);

        var created = candidate is null;
        var caller = ApiCaller.Of(http);
        if (candidate is not null)
            form.ChangesFrom(candidate).Compare(Changes.PersonFields.ExternalId, candidate.ExternalId, externalId)
                .Record(db, Changes.ChangeSubject.Candidate, candidate.Id, caller.StaffId, caller.ActorName, clock.GetUtcNow());
        candidate ??= db.Candidates.Add(new Candidate { Id = Guid.CreateVersion7(), SchoolId = caller.SchoolId, CreatedAt = clock.GetUtcNow() }).Entity;
        form.ApplyTo(candidate);
        candidate.ExternalId = externalId;
        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiProblem.Of(StatusCodes.Status409Conflict, "Un autre candidat de l'école porte déjà cet identifiant externe.");
        }
        catch (DbUpdateConcurrencyException)
        {
            // Erased between the read and the save (ErasedAt is the candidate's concurrency token): nothing was written.
            return ApiProblem.Of(StatusCodes.Status409Conflict, "Ce candidat est effacé : ses informations ne se modifient plus.");
        }
        var resource = (await ResourcesAsync(db, [candidate], http.RequestAborted))[0];
        return created ? TypedResults.Created($"{ApiAccess.Root}/candidates/{candidate.Id}", resource) : TypedResults.Ok(resource);
    }

    private static async Task<IResult> UploadAsync(
        Guid id, HttpContext http, PasserelleDb db, DocumentStorage storage, TimeProvider clock, ILogger<DocumentStorage> logger)
    {
        var ct = http.RequestAborted;
        var candidate = await db.Candidates.Where(c => c.Id == id).Select(c => new { c.ErasedAt }).SingleOrDefaultAsync(ct);
        if (candidate is null)
            return ApiProblem.NotFound("Ce candidat est introuvable.");
        if (candidate.ErasedAt is not null)
            return ApiProblem.Of(StatusCodes.Status409Conflict, "Ce candidat est effacé : il ne reçoit plus de document.");
        if (!http.Request.HasFormContentType || !http.Request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return ApiProblem.Of(StatusCodes.Status415UnsupportedMediaType, "Envoyez le document en multipart/form-data (champs file, kind, title).");
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException || e is BadHttpRequestException { StatusCode: 413 })
        {
            return ApiProblem.Of(StatusCodes.Status413PayloadTooLarge, CandidateDocuments.Explain("taille"));
        }
        catch (BadHttpRequestException)
        {
            return ApiProblem.Of(StatusCodes.Status400BadRequest, "Le formulaire multipart ne peut pas être lu.");
        }
        var errors = new Dictionary<string, string[]>();
        var file = form.Files.GetFile("file");
        if (file is null)
            errors["file"] = [CandidateDocuments.Explain("fichier")];
        var kind = ApiValidation.Choice<DocumentKind>(form["kind"].ToString());
        if (kind is null)
            errors["kind"] = [$"Indiquez le type de document : {ApiValidation.Choices<DocumentKind>()}."];
        var title = form["title"].ToString();
        if (title.Length > 100)
            errors["title"] = ["Le titre ne peut dépasser 100 caractères."];
        if (errors.Count > 0)
            return ApiProblem.Invalid(errors);
        var (document, refusal) = await storage.AddAsync(db, id, file!, kind!.Value, title, logger, clock.GetUtcNow(), ct);
        if (refusal is not null)
            return refusal switch
            {
                "taille" => ApiProblem.Of(StatusCodes.Status413PayloadTooLarge, CandidateDocuments.Explain(refusal)),
                DocumentStorage.CandidateErased => ApiProblem.Of(StatusCodes.Status409Conflict, "Ce candidat est effacé : il ne reçoit plus de document."),
                _ => ApiProblem.Invalid("file", CandidateDocuments.Explain(refusal)),
            };
        return TypedResults.Created($"{ApiAccess.Root}/candidates/{id}/documents/{document!.Id}", Resource(document));
    }

    private static async Task<IResult> DownloadAsync(Guid id, Guid documentId, PasserelleDb db, DocumentStorage storage, CancellationToken ct)
    {
        var document = await db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId && d.CandidateId == id && d.RemovedAt == null, ct);
        return document is not null && storage.OpenRead(document) is { } content
            ? Results.File(content, document.ContentType, DocumentStorage.DownloadName(document))
            : ApiProblem.NotFound("Ce document est introuvable.");
    }

    private static DocumentResource Resource(Document d) => new(d.Id, d.Kind, d.Title, d.ContentType, d.SizeBytes, d.UploadedAt);

    private static async Task<List<CandidateResource>> ResourcesAsync(PasserelleDb db, IReadOnlyList<Candidate> candidates, CancellationToken ct)
    {
        var ids = candidates.Select(c => c.Id).ToList();
        var documents = (await db.Documents.AsNoTracking().Where(d => ids.Contains(d.CandidateId) && d.RemovedAt == null).OrderBy(d => d.UploadedAt).ToListAsync(ct))
            .ToLookup(d => d.CandidateId);
        return candidates.Select(c => new CandidateResource(c.Id, c.ExternalId, c.LastName, c.FirstName, c.Email, c.Phone, c.CreatedAt, c.PushConsentAt,
            documents[c.Id].Select(Resource).ToList())).ToList();
    }
}

/// <summary>The API's checks shared by its resources.</summary>
public static class ApiValidation
{
    /// <summary>The DataAnnotations errors of a back-office form (the same French messages), by API field name.</summary>
    public static Dictionary<string, string[]> Errors(object form, Func<string, string> fieldName)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(form, new ValidationContext(form), results, validateAllProperties: true);
        return results.SelectMany(r => r.MemberNames.Select(m => (Field: fieldName(m), r.ErrorMessage)))
            .GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage ?? "Valeur non valide.").ToArray());
    }

    /// <summary>A text field: required or not, at most <paramref name="max"/> characters; its error added under its name.</summary>
    public static void Text(Dictionary<string, string[]> errors, string field, string? value, int max, bool required = false)
    {
        if (required && OneLine.OrNull(value) is null)
            errors[field] = [$"Indiquez « {field} »."];
        else if (value is not null && value.Length > max)
            errors[field] = [$"« {field} » ne peut dépasser {max} caractères."];
    }

    public static string? ExternalIdProblem(string? externalId) =>
        externalId is null ? null
        : externalId.Length is 0 or > CandidatesApi.MaxExternalIdLength || externalId.Any(char.IsControl) || externalId.Trim() != externalId
            ? $"L'identifiant externe compte de 1 à {CandidatesApi.MaxExternalIdLength} caractères, sans espace au début ni à la fin."
            : null;

    /// <summary>An enum value as the API writes it (camelCase), or null.</summary>
    public static TEnum? Choice<TEnum>(string value) where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Select(v => (TEnum?)v).FirstOrDefault(v => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(v!.Value.ToString()) == value);

    public static string Choices<TEnum>() where TEnum : struct, Enum => string.Join(", ", ChoiceNames<TEnum>());

    public static IReadOnlyList<string> ChoiceNames<TEnum>() where TEnum : struct, Enum => ChoiceNames(typeof(TEnum));

    /// <summary>An enum's values as the API writes them (camelCase), in their declared order.</summary>
    public static IReadOnlyList<string> ChoiceNames(Type enumType) =>
        [.. Enum.GetNames(enumType).Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName)];
}
