using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Passerelle.Referrals;

namespace Passerelle.Api;

/// <summary>
/// The API's errors: RFC 9457 problem details, in French in <c>title</c> and <c>detail</c> (the platform shows them to
/// people), with field errors under <c>errors</c> (field → messages).
/// </summary>
public static class ApiProblem
{
    public const string ContentType = "application/problem+json";

    /// <summary>The French title of each status the API answers with.</summary>
    public static string Title(int status) => status switch
    {
        400 => "Requête mal formée",
        401 => "Clé d'API absente, inconnue ou révoquée",
        403 => "Action refusée",
        404 => "Ressource introuvable",
        405 => "Méthode non permise à cette adresse",
        406 => "Format de réponse non disponible",
        409 => "Conflit avec l'état actuel",
        413 => "Requête trop volumineuse",
        415 => "Type de contenu non pris en charge",
        422 => "Données non valides",
        429 => "Trop de requêtes",
        500 => "Erreur interne",
        503 => "Service momentanément indisponible",
        _ => "Erreur",
    };

    /// <summary>What to do about each status, when the caller has nothing more precise to say.</summary>
    public static string Detail(int status) => status switch
    {
        400 => "La requête ne peut pas être lue.",
        401 => "Présentez une clé d'API valide dans l'en-tête « Authorization: Bearer <clé> ». Les clés se créent dans Passerelle École, page Intégrations.",
        403 => "Cette requête n'est pas permise.",
        404 => "Cette ressource n'existe pas, ou elle n'appartient pas à votre école.",
        405 => "Cette adresse ne permet pas cette méthode : consultez la documentation de l'API (/api/docs).",
        406 => "L'API répond en JSON (application/json).",
        409 => "La ressource a changé ou l'étape est close : relisez-la et recommencez.",
        413 => "Le corps de la requête dépasse la taille permise (1 Mo en JSON, 10 Mo pour un document).",
        415 => "Envoyez le corps en JSON (Content-Type: application/json).",
        422 => "Corrigez les champs indiqués et recommencez : rien n'a été enregistré.",
        429 => "Patientez avant de réessayer (voir l'en-tête Retry-After).",
        500 => "Une erreur est survenue de notre côté : rien n'a été enregistré. Réessayez dans quelques instants.",
        _ => "La requête n'a pas abouti.",
    };

    public static ProblemHttpResult Of(int status, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        var extensions = errors is { Count: > 0 } ? new Dictionary<string, object?> { ["errors"] = errors } : null;
        return TypedResults.Problem(detail ?? Detail(status), statusCode: status, title: Title(status), type: Type(status), extensions: extensions);
    }

    /// <summary>422 with the errors of named fields.</summary>
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors, string? detail = null) =>
        Of(StatusCodes.Status422UnprocessableEntity, detail ?? (errors.Count == 1 ? errors.Values.First()[0] : null), errors);

    /// <summary>422 on one field.</summary>
    public static ProblemHttpResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string? detail = null) => Of(StatusCodes.Status404NotFound, detail);

    /// <summary>A workflow refusal, with its one status (<see cref="Refusal.HttpStatus"/>) and its French message.</summary>
    public static ProblemHttpResult From(Refusal refusal) => Of(refusal.HttpStatus, refusal.Message);

    /// <summary>The RFC 9110 section of each status, as ASP.NET Core's own problem details say.</summary>
    private static string Type(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };

    /// <summary>Writes a problem straight to the response (middleware: authentication, rate limit, empty error answers).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string? detail = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            type = Type(status),
            title = Title(status),
            status,
            detail = detail ?? Detail(status),
        }, cancellationToken: context.RequestAborted);
    }
}
