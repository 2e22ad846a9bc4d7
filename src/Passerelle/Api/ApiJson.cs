using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Passerelle.Api;

/// <summary>
/// Reads a request's JSON body into a request type, with the API's answers when it cannot: 415 when the body is not
/// declared as JSON, 413 past the size limit, 400 when it is not JSON at all, 422 (with the field) when it is JSON but a
/// value has the wrong type, an unknown enum value, a text holding a NUL character, or a field the API does not know. Done by hand rather than by the
/// framework's binding, which answers these with an empty 400.
/// </summary>
public static partial class ApiJson
{
    /// <summary>camelCase names, enum values as camelCase strings, numbers as numbers only, unknown fields refused.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // The web defaults also read a number written as a text ("3"), and the document then typed every number, answers
        // included, "integer or string".
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.MaxDepth = 16;
        // application/json, never embedded in a page: "é" and "+" are written as they are.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>A JSON body is at most 1 MB, as a form is (documents come as multipart, up to 10 MB).</summary>
    public const long MaxBytes = Hosting.RequestLimits.MaxFormBytes;

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
        if (request.ContentLength > MaxBytes)
            return (null, ApiProblem.Of(StatusCodes.Status413PayloadTooLarge));
        JsonDocument document;
        try
        {
            // Read whole, bounded here whatever the server's own limit (and a chunked body has no length to check first).
            using var body = new MemoryStream();
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
                {
                    if (body.Length + read > MaxBytes)
                        return (null, ApiProblem.Of(StatusCodes.Status413PayloadTooLarge));
                    body.Write(buffer, 0, read);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
            // The body is in memory: the request may now hold its connection (HeldConnection).
            await Storage.HeldConnection.HoldAsync(request.HttpContext);
            // The parser checks the text of values as it reads them, not of property names: the whole body first.
            if (!System.Text.Unicode.Utf8.IsValid(body.GetBuffer().AsSpan(0, (int)body.Length)))
                return (null, ApiProblem.Of(StatusCodes.Status400BadRequest, "Le corps de la requête n'est pas du texte UTF-8 valide."));
            document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length), new JsonDocumentOptions { MaxDepth = 16 });
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
            if (FieldWithNul(document.RootElement) is { } withNul)
                return (null, ApiProblem.Invalid(withNul, $"La valeur de « {withNul} » contient un caractère nul (U+0000), qui n'est pas permis."));
            try
            {
                return (document.RootElement.Deserialize<T>(Options) ?? throw new JsonException("null"), null);
            }
            catch (JsonException e)
            {
                var unknown = e.Message.Contains("could not be mapped", StringComparison.Ordinal);
                var field = (unknown ? UnknownMember(e.Message) : null) ?? Field(e.Path);
                var message = unknown
                    ? $"Le champ « {field} » n'existe pas dans cette requête."
                    : Expected(typeof(T), e.Path) is { } expected
                        ? $"« {field} » {expected}."
                        : $"La valeur de « {field} » n'a pas le type attendu ou n'est pas une valeur permise (voir /api/docs).";
                return (null, ApiProblem.Invalid(field, message));
            }
        }
    }

    /// <summary>
    /// What the field at a serializer's path (<c>$.candidates[0].candidateId</c>) must hold, as the end of a sentence ("doit être un
    /// identifiant Passerelle (UUID)", "vaut l'une de ces valeurs : …"), read from the request type's own JSON contract; null when
    /// the path leads nowhere known.
    /// </summary>
    private static string? Expected(Type request, string? path)
    {
        if (path is null || !path.StartsWith('$'))
            return null;
        var type = request;
        foreach (System.Text.RegularExpressions.Match segment in PathSegment().Matches(path, 1))
        {
            var contract = Options.GetTypeInfo(type);
            var next = segment.Groups["index"].Success
                ? contract.ElementType
                : contract.Properties.FirstOrDefault(p => p.Name == (segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value))?.PropertyType;
            if (next is null)
                return null;
            type = next;
        }
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
            return $"vaut l'une de ces valeurs : {string.Join(", ", ApiValidation.ChoiceNames(type))}";
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "doit être un nombre entier",
            TypeCode.Boolean => "vaut true ou false",
            TypeCode.String => "doit être un texte entre guillemets",
            _ when type == typeof(Guid) => "doit être un identifiant Passerelle (UUID, par exemple 0195f1c2-7c1e-7d3a-9b1e-2f4c6a8d0e1f)",
            _ when type == typeof(DateTimeOffset) => "doit être une date et une heure ISO 8601 avec son fuseau, par exemple 2027-01-15T14:30:00+01:00",
            _ when type == typeof(DateOnly) => "doit être une date AAAA-MM-JJ, par exemple 2027-01-15",
            _ when Options.GetTypeInfo(type).Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Enumerable => "doit être une liste ([ … ])",
            _ when Options.GetTypeInfo(type).Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object => "doit être un objet JSON ({ … })",
            _ => null,
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]|\['(?<quoted>(?:[^']|'')*)'\]")]
    private static partial System.Text.RegularExpressions.Regex PathSegment();

    /// <summary>"$.candidates[0].documentIds" → "candidates[0].documentIds".</summary>
    private static string Field(string? path) => string.IsNullOrEmpty(path) || path == "$" ? "(corps)" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>
    /// The field of the first text holding a NUL character (U+0000, <c>\u0000</c> in JSON), which PostgreSQL cannot store; null
    /// when there is none. The body's raw text is searched first, so a body without that escape costs no walk.
    /// </summary>
    private static string? FieldWithNul(JsonElement body)
    {
        if (JsonMarshal.GetRawUtf8Value(body).IndexOf(@"\u0000"u8) < 0)
            return null;
        return Find(body, "$");

        static string? Find(JsonElement element, string path) => element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!.Contains('\0') ? Field(path) : null,
            JsonValueKind.Object => element.EnumerateObject().Select(p => Find(p.Value, $"{path}.{p.Name}")).FirstOrDefault(f => f is not null),
            JsonValueKind.Array => element.EnumerateArray().Select((item, i) => Find(item, $"{path}[{i}]")).FirstOrDefault(f => f is not null),
            _ => null,
        };
    }

    /// <summary>The name System.Text.Json gives of a field it could not map: "The JSON property 'x' could not be mapped…".</summary>
    private static string? UnknownMember(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }
}
