using System.Data.Common;

namespace Passerelle.Storage;

/// <summary>
/// Claiming rows of a work queue (the mail outbox, the webhook deliveries): due pending rows are leased to one instance
/// for a while and their attempt counted, in one statement — PostgreSQL skips rows another instance is claiming
/// (<c>FOR UPDATE SKIP LOCKED</c>), SQLite runs the statement alone. A lease that ends without the row being finished
/// (a crash) lets another instance take it: at least once, never lost.
/// </summary>
public static class WorkLeases
{
    /// <summary>
    /// Claims up to <paramref name="batch"/> rows of <paramref name="table"/> (alias <c>d</c>; columns state, next_attempt_at,
    /// locked_until, locked_by, attempts) that are due and match <paramref name="condition"/>; returns their ids, oldest due
    /// first (an UPDATE's RETURNING gives its rows in no particular order).
    /// </summary>
    public static async Task<List<Guid>> ClaimAsync(
        DatabaseOptions database, string table, string condition, string me, DateTimeOffset now, TimeSpan lease, int batch, CancellationToken ct)
    {
        var postgres = database.Provider == DatabaseProvider.PostgreSQL;
        var sql = $"""
            UPDATE {table}
            SET locked_until = @leaseEnd, locked_by = @me, attempts = attempts + 1
            WHERE id IN (
                SELECT d.id FROM {table} d
                WHERE d.state = 'Pending' AND d.next_attempt_at <= @now AND (d.locked_until IS NULL OR d.locked_until < @now) {condition}
                ORDER BY d.next_attempt_at
                LIMIT @batch
                {(postgres ? "FOR UPDATE OF d SKIP LOCKED" : "")})
            RETURNING id, next_attempt_at
            """;
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "@leaseEnd", Time(database, now + lease));
        Add(command, "@me", me);
        Add(command, "@now", Time(database, now));
        Add(command, "@batch", batch);
        var claimed = new List<(Guid Id, long Due)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(postgres
                ? (reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1).UtcTicks)
                : (Guid.Parse(reader.GetString(0)), reader.GetInt64(1)));
        }
        return [.. claimed.OrderBy(c => c.Due).Select(c => c.Id)];
    }

    /// <summary>An instance as a parameter: SQLite stores UTC ticks.</summary>
    private static object Time(DatabaseOptions database, DateTimeOffset instant) => database.Provider == DatabaseProvider.Sqlite ? instant.UtcTicks : instant;

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
