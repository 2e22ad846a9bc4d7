using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Passerelle.Common;
using Passerelle.Storage;

namespace Passerelle.Api;

/// <summary>A creation made with an <c>Idempotency-Key</c>: what the request said (hashed) and what was answered.</summary>
public sealed class IdempotentRequest : ISchoolOwned
{
    public Guid ApiKeyId { get; set; }
    public string IdempotencyKey { get; set; } = "";
    public Guid SchoolId { get; set; }
    public byte[] RequestHash { get; set; } = [];
    public int Status { get; set; }
    public string Response { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class IdempotentRequestConfiguration : IEntityTypeConfiguration<IdempotentRequest>
{
    public void Configure(EntityTypeBuilder<IdempotentRequest> builder)
    {
        builder.ToTable("api_idempotency");
        builder.HasKey(r => new { r.ApiKeyId, r.IdempotencyKey });
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(r => r.ApiKeyId);
    }
}

/// <summary>
/// <c>Idempotency-Key</c> on a creation: the same key with the same body gives the first answer again and creates nothing
/// more; the same key with another body is refused (422). The key's row is written first in the creation's transaction,
/// so a second identical call made at the same moment waits on it (the primary key), then replays the stored answer.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 200;

    /// <summary>A creation's answer: its status and its JSON body.</summary>
    public sealed record Answer(int Status, object Body, string? Location = null);

    public static async Task<IResult> RunAsync<TRequest>(
        HttpContext http, PasserelleDb db, TRequest request, Func<CancellationToken, Task<Answer>> create, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0)
            return Result(await create(ct), replayed: false);
        if (key.Length > MaxKeyLength || !key.All(c => c is >= '!' and <= '~'))
            return ApiProblem.Of(StatusCodes.Status400BadRequest,
                $"L'en-tête {Header} est une chaîne de 1 à {MaxKeyLength} caractères ASCII visibles (un UUID, par exemple).");

        var caller = ApiCaller.Of(http);
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ApiJson.Options));
        if (await StoredAsync(db, caller.KeyId, key, ct) is { } stored)
            return Replay(stored, hash);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var row = new IdempotentRequest
        {
            ApiKeyId = caller.KeyId, IdempotencyKey = key, SchoolId = caller.SchoolId, RequestHash = hash, CreatedAt = clock.GetUtcNow(),
        };
        db.IdempotentRequests.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The same key, committed meanwhile by a call made at the same moment: its answer is the answer.
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return await StoredAsync(db, caller.KeyId, key, ct) is { } first ? Replay(first, hash) : ApiProblem.Of(StatusCodes.Status409Conflict);
        }

        var answer = await create(ct);
        if (answer.Status >= 400)
        {
            // Nothing was created: nothing to replay, and the key stays free for the corrected request.
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return Result(answer, replayed: false);
        }
        // The row written first, still tracked unless the creation cleared the context.
        if (db.Entry(row).State == EntityState.Detached)
            row = await db.IdempotentRequests.SingleAsync(r => r.ApiKeyId == caller.KeyId && r.IdempotencyKey == key, ct);
        row.Status = answer.Status;
        row.Response = JsonSerializer.Serialize(new StoredAnswer(answer.Location, answer.Body), ApiJson.Options);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Result(answer, replayed: false);
    }

    private sealed record StoredAnswer(string? Location, object Body);

    private static Task<IdempotentRequest?> StoredAsync(PasserelleDb db, Guid keyId, string key, CancellationToken ct) =>
        db.IdempotentRequests.AsNoTracking().SingleOrDefaultAsync(r => r.ApiKeyId == keyId && r.IdempotencyKey == key, ct);

    private static IResult Replay(IdempotentRequest stored, byte[] hash)
    {
        if (!CryptographicOperations.FixedTimeEquals(stored.RequestHash, hash))
            return ApiProblem.Invalid(Header,
                $"Cette clé {Header} a déjà servi pour une autre requête : une nouvelle requête prend une nouvelle clé.");
        using var document = JsonDocument.Parse(stored.Response);
        var location = document.RootElement.GetProperty("location").GetString();
        var body = document.RootElement.GetProperty("body").Clone();
        return Result(new Answer(stored.Status, body, location), replayed: true);
    }

    private static Replayable Result(Answer answer, bool replayed) => new Replayable(answer, replayed);

    /// <summary>Writes the answer with its status, its Location and, for a replay, <c>Idempotent-Replayed: true</c>.</summary>
    private sealed class Replayable(Answer answer, bool replayed) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            if (answer.Body is Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem)
            {
                await problem.ExecuteAsync(httpContext);
                return;
            }
            if (replayed)
                httpContext.Response.Headers[ReplayedHeader] = "true";
            if (answer.Location is not null)
                httpContext.Response.Headers.Location = answer.Location;
            httpContext.Response.StatusCode = answer.Status;
            await httpContext.Response.WriteAsJsonAsync(answer.Body, answer.Body.GetType(), ApiJson.Options, "application/json; charset=utf-8", httpContext.RequestAborted);
        }
    }
}
