using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Passerelle.Api;

/// <summary>
/// Reads a request's JSON body into a request type, with the API's answers when it cannot: 415 when the body is not
/// declared as JSON, 413 past the size limit, 400 when it is not JSON at all, 422 (with the field) when it is JSON but a
/// value has the wrong type, an unknown enum value, or a field the API does not know. Done by hand rather than by the
/// framework's binding, which answers these with an empty 400.
/// </summary>
public static class ApiJson
{
    /// <summary>camelCase names, enum values as camelCase strings, unknown fields refused.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.MaxDepth = 16;
        // application/json, never embedded in a page: "é" and "+" are written as they are.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    public static bool IsJson(string? contentType) =>
        contentType is not null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer instead.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request) where T : class
    {
        if (!IsJson(request.ContentType))
            return (null, ApiProblem.Of(StatusCodes.Status415UnsupportedMediaType));
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (ligne {line + 1}, position {(e.BytePositionInLine ?? 0) + 1})" : "";
            return (null, ApiProblem.Of(StatusCodes.Status400BadRequest, $"Le corps de la requête n'est pas un JSON valide{where}."));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiProblem.Of(StatusCodes.Status413PayloadTooLarge));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, ApiProblem.Of(StatusCodes.Status400BadRequest, "Le corps de la requête doit être un objet JSON ({ … })."));
            try
            {
                return (document.RootElement.Deserialize<T>(Options) ?? throw new JsonException("null"), null);
            }
            catch (JsonException e)
            {
                var field = Field(e.Path);
                var message = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                    ? $"Le champ « {UnknownMember(e.Message) ?? field} » n'existe pas dans cette requête."
                    : $"La valeur de « {field} » n'a pas le type attendu ou n'est pas une valeur permise (voir /api/docs).";
                return (null, ApiProblem.Invalid(UnknownMember(e.Message) ?? field, message));
            }
        }
    }

    /// <summary>"$.candidates[0].documentIds" → "candidates[0].documentIds".</summary>
    private static string Field(string? path) => string.IsNullOrEmpty(path) || path == "$" ? "(corps)" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>The name System.Text.Json gives of a field it could not map: "The JSON property 'x' could not be mapped…".</summary>
    private static string? UnknownMember(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }
}
