using System.Collections.Concurrent;
using System.Diagnostics;
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

    /// <summary>A copy of this key, last used at that time (<see cref="ApiKeys.NoteUseAsync"/>).</summary>
    public ApiKey UsedAt(DateTimeOffset time)
    {
        var copy = (ApiKey)MemberwiseClone();
        copy.LastUsedAt = time;
        return copy;
    }
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

    /// <summary>
    /// Revokes a key of the context's school: its next request to this process is refused, and to any other (another instance)
    /// within <see cref="RecheckAfter"/>. False when there is no such key.
    /// </summary>
    public static async Task<bool> RevokeAsync(PasserelleDb db, Guid keyId, DateTimeOffset now, CancellationToken ct)
    {
        var revoked = await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null).ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now), ct) > 0;
        Recent.TryRemove(keyId, out _);
        return revoked || await db.ApiKeys.AnyAsync(k => k.Id == keyId, ct);
    }

    public static Task<List<ApiKey>> ListAsync(PasserelleDb db, CancellationToken ct) =>
        db.ApiKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenByDescending(k => k.CreatedAt).ToListAsync(ct);

    /// <summary>
    /// How long this process goes on trusting a key it read valid without reading it again. An API client sends its requests in
    /// bursts (a platform's synchronisation, a batch of creates), and reading the key for each cost a round trip to the database
    /// per request: one of the three of a create (bench/findings.md). A key revoked through this process is forgotten at once
    /// (<see cref="RevokeAsync"/>); one revoked elsewhere — another instance, the command line — is refused here within this time.
    /// </summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(1);

    /// <summary>A valid key as this process read it, and when (<see cref="Stopwatch.GetTimestamp"/>: real time, whatever the app's clock).</summary>
    private sealed record Checked(ApiKey Key, long At);

    /// <summary>The valid keys read in the last moment, by id: as many as the keys in use; a key unknown or revoked is never kept.</summary>
    private static readonly ConcurrentDictionary<Guid, Checked> Recent = new();

    /// <summary>The look-up behind <see cref="FindAsync"/>, compiled once (across schools: the key says which school it is).</summary>
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, CancellationToken, Task<ApiKey?>>> ById = new(() => EF.CompileAsyncQuery(
        (PasserelleDb db, Guid id, CancellationToken ct) => db.ApiKeys.IgnoreQueryFilters().AsNoTracking().SingleOrDefault(k => k.Id == id)));

    /// <summary>
    /// The key a request presents (the whole <c>Authorization</c> header), if it exists and is not revoked; read across
    /// schools, since the key says which school it is, at most once per <see cref="RecheckAfter"/> for a key in use.
    /// The secret is compared each time, in constant time. The key returned is shared: read it, never change it.
    /// </summary>
    public static async Task<ApiKey?> FindAsync(PasserelleDb db, string? authorization, CancellationToken ct)
    {
        const string bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            return null;
        var presented = authorization[bearer.Length..].Trim();
        if (!presented.StartsWith(ApiKey.Prefix, StringComparison.Ordinal) || !SecretToken.TryParse(presented[ApiKey.Prefix.Length..], out var id, out var hash))
            return null;
        ApiKey? key;
        if (Recent.TryGetValue(id, out var known) && Stopwatch.GetElapsedTime(known.At) < RecheckAfter)
        {
            key = known.Key;
        }
        else
        {
            var readAt = Stopwatch.GetTimestamp();
            key = await ById.For(db)(db, id, ct);
            if (key is { RevokedAt: null })
                Recent[id] = new Checked(key, readAt);
            else
                Recent.TryRemove(id, out _);
        }
        return key is not null && key.RevokedAt is null && SecretToken.Matches(key.SecretHash, hash) ? key : null;
    }

    /// <summary>
    /// Writes a key's "Dernière utilisation", to the minute: one write a minute per key at most, whatever the traffic (the
    /// process's copy of the key says when it was last written, and the statement itself writes only a minute after the last).
    /// </summary>
    public static async Task NoteUseAsync(PasserelleDb db, ApiKey key, DateTimeOffset now, CancellationToken ct)
    {
        if (key.LastUsedAt is { } last && now - last < TimeSpan.FromMinutes(1))
            return;
        var stale = now.AddMinutes(-1);
        await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt < stale))
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), ct);
        // The shared copy is never changed: a new one says the use is noted, read as old as the one it replaces.
        if (Recent.TryGetValue(key.Id, out var known) && known.Key == key)
            Recent.TryUpdate(key.Id, known with { Key = key.UsedAt(now) }, known);
    }
}
