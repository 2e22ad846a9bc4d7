using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Accounts;
using Passerelle.Common;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Api;

/// <summary>
/// A school's key to the API (<c>Authorization: Bearer pas_…</c>). Shown once when created; only the SHA-256 of its
/// secret is kept. It acts for its school, in the name of the staff member who created it, and its name is what
/// timelines show ("Action effectuée par ERP (API)").
/// </summary>
public sealed class ApiKey : ISchoolOwned
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public string Name { get; set; } = "";
    public byte[] SecretHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public Guid CreatedByStaffId { get; set; }

    /// <summary>Who created the key, as their name was then.</summary>
    public string CreatedBy { get; set; } = "";

    /// <summary>When the key was last used, to the minute (written at most once a minute).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>How the key appears in timelines: "ERP (API)".</summary>
    public string ActorName => $"{Name} (API)";

    public const string Prefix = "pas_";
    public const int MaxNameLength = 100;
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasOne<School>().WithMany().HasForeignKey(k => k.SchoolId);
        builder.HasOne<Staff>().WithMany().HasForeignKey(k => k.CreatedByStaffId);
        builder.Ignore(k => k.ActorName);
    }
}

/// <summary>Creating, listing and revoking a school's keys: the same for the Intégrations page and the command line.</summary>
public static class ApiKeys
{
    /// <summary>Creates a key for the context's school; the key itself is returned here and never again.</summary>
    public static async Task<(ApiKey? Key, string? Secret, string? Problem)> CreateAsync(
        PasserelleDb db, string? name, Staff createdBy, DateTimeOffset now, CancellationToken ct)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        var clean = name?.Trim() ?? "";
        if (clean.Length == 0)
            return (null, null, "Donnez un nom à la clé (le logiciel qui l'utilisera, par exemple « ERP »).");
        if (clean.Length > ApiKey.MaxNameLength || clean.Any(char.IsControl))
            return (null, null, $"Le nom de la clé tient en une ligne de {ApiKey.MaxNameLength} caractères au plus.");
        if (createdBy.SchoolId != schoolId)
            throw new ArgumentException("The key's creator works for another school.", nameof(createdBy));
        var (id, secretHash, token) = SecretToken.Create();
        var key = new ApiKey
        {
            Id = id, SchoolId = schoolId, Name = clean, SecretHash = secretHash, CreatedAt = now,
            CreatedByStaffId = createdBy.Id, CreatedBy = createdBy.DisplayName,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return (key, ApiKey.Prefix + token, null);
    }

    /// <summary>Revokes a key of the context's school at once: its next request is refused. False when there is no such key.</summary>
    public static async Task<bool> RevokeAsync(PasserelleDb db, Guid keyId, DateTimeOffset now, CancellationToken ct) =>
        await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null).ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now), ct) > 0
        || await db.ApiKeys.AnyAsync(k => k.Id == keyId, ct);

    public static Task<List<ApiKey>> ListAsync(PasserelleDb db, CancellationToken ct) =>
        db.ApiKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenByDescending(k => k.CreatedAt).ToListAsync(ct);

    /// <summary>The look-up every API request makes, compiled once (across schools: the key says which school it is).</summary>
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<ApiKey?>>> ById = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) => db.ApiKeys.IgnoreQueryFilters().AsNoTracking().SingleOrDefault(k => k.Id == id)));

    /// <summary>
    /// The key a request presents (the whole <c>Authorization</c> header), if it exists and is not revoked; read across
    /// schools, since the key says which school it is. Compared in constant time.
    /// </summary>
    public static async Task<ApiKey?> FindAsync(PasserelleDb db, string? authorization, CancellationToken ct)
    {
        const string bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            return null;
        var presented = authorization[bearer.Length..].Trim();
        if (!presented.StartsWith(ApiKey.Prefix, StringComparison.Ordinal) || !SecretToken.TryParse(presented[ApiKey.Prefix.Length..], out var id, out var hash))
            return null;
        var key = await ById.For(db)(db, id, ct);
        return key is not null && key.RevokedAt is null && SecretToken.Matches(key.SecretHash, hash) ? key : null;
    }
}
