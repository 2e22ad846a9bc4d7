using System.Buffers.Binary;
using System.Buffers.Text;
using System.ComponentModel;
using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Passerelle.Api;

/// <summary>One page of a list, and the cursor of the next one (null on the last page).</summary>
public sealed record ApiPage<T>(
    [property: Description("Les éléments de la page, par id croissant (les id suivent l'ordre de création).")] IReadOnlyList<T> Items,
    [property: Description("À passer tel quel en « cursor » pour la page suivante ; null sur la dernière page.")] string? NextCursor);

/// <summary>What a list's query parameter is: a text, an id, one of a set of values, a flag or an instant.</summary>
public enum ApiParameterKind { Text, Id, Choice, Flag, Instant }

/// <summary>One filter of a list: what the OpenAPI document says of it, and what <see cref="ApiQuery"/> accepts.</summary>
public sealed record ApiParameter(string Name, ApiParameterKind Kind, string Description, int MaxLength = 200, IReadOnlyList<string>? Choices = null)
{
    public static ApiParameter Text(string name, string description, int maxLength = 200) => new(name, ApiParameterKind.Text, description, maxLength);

    public static ApiParameter Id(string name, string description) => new(name, ApiParameterKind.Id, description);

    public static ApiParameter Choice<TEnum>(string name, string description) where TEnum : struct, Enum =>
        new(name, ApiParameterKind.Choice, description, Choices: ApiValidation.ChoiceNames<TEnum>());

    public static ApiParameter Flag(string name, string description) => new(name, ApiParameterKind.Flag, description);

    public static ApiParameter Instant(string name, string description) => new(name, ApiParameterKind.Instant, description);
}

/// <summary>
/// The query parameters of one list, declared once: the list's route carries them (<see cref="ApiEndpoints.ListParameters"/>)
/// into the OpenAPI document, and its handler reads them with an <see cref="ApiQuery"/> that refuses any other. Every list also
/// takes <c>limit</c> and <c>cursor</c>.
/// </summary>
public sealed class ApiListParameters(params ApiParameter[] filters)
{
    private readonly ApiParameter[] declared = filters;

    public IReadOnlyList<ApiParameter> Filters => declared;

    /// <summary>Every name the list accepts, in the order the document gives them.</summary>
    public IReadOnlyList<string> Names { get; } = [.. filters.Select(f => f.Name), "limit", "cursor"];

    /// <summary>The filter a handler reads; a programming error when the list does not declare it (a loop: lists are read on every page).</summary>
    internal ApiParameter Declared(string name, ApiParameterKind kind)
    {
        foreach (var filter in declared)
        {
            if (filter.Name == name && filter.Kind == kind)
                return filter;
        }
        throw new InvalidOperationException($"The list does not declare a {kind} parameter '{name}' (ApiListParameters).");
    }
}

/// <summary>
/// Reading a list's query string: each parameter checked, each mistake named (422, field → message) rather than
/// ignored — a parameter the list does not take too, so that a filter misspelt or sent to the wrong list is not
/// silently a list of everything. Lists page by cursor: rows are ordered by id (time-ordered UUIDs), the cursor is
/// the last id seen, opaque.
/// </summary>
public sealed class ApiQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private readonly IQueryCollection query;
    private readonly ApiListParameters parameters;

    public ApiQuery(IQueryCollection query, ApiListParameters parameters)
    {
        this.query = query;
        this.parameters = parameters;
        foreach (var name in query.Keys)
        {
            if (!parameters.Names.Contains(name, StringComparer.OrdinalIgnoreCase)) // read as the collection reads: whatever the case
                Errors[name] = [$"« {name} » n'est pas un paramètre de cette liste. Ses paramètres : {string.Join(", ", parameters.Names)}."];
        }
    }

    public Dictionary<string, string[]> Errors { get; } = [];

    public bool IsValid => Errors.Count == 0;

    public string? Text(string name)
    {
        var maxLength = parameters.Declared(name, ApiParameterKind.Text).MaxLength;
        var value = query[name].ToString();
        if (value.Length == 0)
            return null;
        if (value.Length > maxLength)
            Errors[name] = [$"« {name} » ne peut dépasser {maxLength} caractères."];
        else if (value.Contains('\0'))
            Errors[name] = [$"« {name} » contient un caractère nul (%00), qui n'est pas permis."];
        return value;
    }

    public Guid? Id(string name)
    {
        parameters.Declared(name, ApiParameterKind.Id);
        var value = query[name].ToString();
        if (value.Length == 0)
            return null;
        if (Guid.TryParse(value, out var id))
            return id;
        Errors[name] = [$"« {name} » doit être un identifiant (UUID)."];
        return null;
    }

    public TEnum? Choice<TEnum>(string name) where TEnum : struct, Enum
    {
        parameters.Declared(name, ApiParameterKind.Choice);
        var value = query[name].ToString();
        if (value.Length == 0)
            return null;
        if (ApiValidation.Choice<TEnum>(value) is { } chosen)
            return chosen;
        Errors[name] = [$"« {name} » vaut l'une de ces valeurs : {ApiValidation.Choices<TEnum>()}."];
        return null;
    }

    public bool? Flag(string name)
    {
        parameters.Declared(name, ApiParameterKind.Flag);
        var value = query[name].ToString();
        if (value.Length == 0)
            return null;
        if (value is "true" or "false")
            return value == "true";
        Errors[name] = [$"« {name} » vaut true ou false."];
        return null;
    }

    public DateTimeOffset? Instant(string name)
    {
        parameters.Declared(name, ApiParameterKind.Instant);
        var value = query[name].ToString();
        if (value.Length == 0)
            return null;
        if (DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture,
            DateTimeStyles.None, out var at) && (value.EndsWith('Z') || value.Contains('+', StringComparison.Ordinal) || value.LastIndexOf('-') > 10))
            return at;
        Errors[name] = [$"« {name} » est une date et heure ISO 8601 avec son fuseau, par exemple 2026-12-01T09:30:00Z."];
        return null;
    }

    /// <summary>The page's size, from <c>limit</c>; a page reads one row more (<see cref="TakePage"/>) to know whether another follows.</summary>
    public int Limit()
    {
        var value = query["limit"].ToString();
        if (value.Length == 0)
            return DefaultLimit;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit)
            return limit;
        Errors["limit"] = [$"« limit » est un nombre de 1 à {MaxLimit}."];
        return DefaultLimit;
    }

    /// <summary>The id after which the page starts, from the previous page's <c>nextCursor</c>.</summary>
    public Guid? After()
    {
        var value = query["cursor"].ToString();
        if (value.Length == 0)
            return null;
        Span<byte> bytes = stackalloc byte[17];
        if (value.Length == 22 && Base64Url.TryDecodeFromChars(value, bytes, out var written) && written == 16)
            return new Guid(bytes[..16], bigEndian: true);
        Errors["cursor"] = ["Ce curseur n'est pas valide : reprenez celui de la page précédente (nextCursor)."];
        return null;
    }

    /// <summary>
    /// Where a list in the order the school added its rows (companies, contacts: shared with other schools, so their ids say when
    /// Passerelle first knew them, not when this school added them) starts: after the previous page's last addition and id.
    /// </summary>
    public (DateTimeOffset AddedAt, Guid Id)? AfterAdded()
    {
        var value = query["cursor"].ToString();
        if (value.Length == 0)
            return null;
        Span<byte> bytes = stackalloc byte[25];
        if (value.Length == 32 && Base64Url.TryDecodeFromChars(value, bytes, out var written) && written == 24
            && BinaryPrimitives.ReadInt64BigEndian(bytes) is var ticks and >= 0 and <= 3155378975999999999 /* DateTimeOffset.MaxValue.UtcTicks */)
            return (new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes[8..24], bigEndian: true));
        Errors["cursor"] = ["Ce curseur n'est pas valide : reprenez celui de la page précédente (nextCursor)."];
        return null;
    }

    public static string Cursor(DateTimeOffset addedAt, Guid lastId)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, addedAt.UtcTicks);
        lastId.TryWriteBytes(bytes[8..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    public static string Cursor(Guid lastId)
    {
        Span<byte> bytes = stackalloc byte[16];
        lastId.TryWriteBytes(bytes, bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// A page's rows and one more, with the count written in the SQL: given as a parameter, the LIMIT leaves PostgreSQL no generic
    /// plan it likes, and it planned the referrals' page again at every call (five times longer than running it). A platform asks
    /// for one or two sizes: one prepared statement each.
    /// </summary>
    public static IQueryable<T> TakePage<T>(IQueryable<T> rows, int limit) =>
        rows.Provider.CreateQuery<T>(Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(T)], rows.Expression,
            Expression.Call(typeof(EF), nameof(EF.Constant), [typeof(int)], Expression.Constant(limit + 1))));

    /// <summary>A page of <paramref name="limit"/> from rows read with one more (<paramref name="rows"/>): whether there is a next page.</summary>
    public static ApiPage<T> Page<T>(List<T> rows, int limit, Func<T, Guid> id) => Page(rows, limit, row => row, row => Cursor(id(row)));

    /// <summary>A page of <paramref name="limit"/> resources from rows read with one more, the next page's cursor made from the last row.</summary>
    public static ApiPage<TResource> Page<TRow, TResource>(List<TRow> rows, int limit, Func<TRow, TResource> resource, Func<TRow, string> cursor) =>
        new([.. rows.Take(limit).Select(resource)], rows.Count > limit ? cursor(rows[limit - 1]) : null);
}
