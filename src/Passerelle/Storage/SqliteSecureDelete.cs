using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Passerelle.Storage;

/// <summary>
/// SQLite keeps what a row held in the file's free space after an update or a delete, until the file is vacuumed: an
/// erased candidate's name would stay readable in the bytes of <c>passerelle.db</c>. With <c>secure_delete</c> on (a
/// setting of each connection, hence set at each opening) SQLite overwrites freed content with zeros. After an erasure,
/// <see cref="CheckpointAsync"/> also moves the write-ahead log into the file, where the old pages' copies lie too.
/// </summary>
public sealed class SqliteSecureDelete : DbConnectionInterceptor
{
    public static readonly SqliteSecureDelete Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA secure_delete = ON";
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA secure_delete = ON";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>On SQLite, copies the write-ahead log into the file and empties it (best effort: a reader in the middle of a
    /// read leaves part of it for SQLite's next checkpoint; a failure is logged, the erasure stands). Nothing on PostgreSQL,
    /// whose old row versions stay until their space is reused.</summary>
    public static async Task CheckpointAsync(PasserelleDb db, ILogger logger)
    {
        if (!db.Database.IsSqlite())
            return;
        try
        {
            await db.Database.OpenConnectionAsync();
            try
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await using var reader = await command.ExecuteReaderAsync();
                // One row: busy (1 when a reader kept part of the log from being copied), log frames, frames checkpointed.
                if (await reader.ReadAsync() && reader.GetInt64(0) != 0)
                    logger.LogWarning("After an erasure, a reader kept part of the write-ahead log from the checkpoint; SQLite's next checkpoint will copy it");
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        catch (DbException e)
        {
            logger.LogWarning(e, "The write-ahead log could not be checkpointed after an erasure; SQLite's next checkpoint will do it");
        }
    }
}
