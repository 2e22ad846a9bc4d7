using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Passerelle.Storage;

/// <summary>One versioned SQL script of Storage/Migrations/{provider}/NNNN_name.sql.</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>What the database holds compared to the scripts this build carries.</summary>
public sealed record SchemaStatus(int AppliedVersion, int LatestVersion, IReadOnlyList<SchemaMigration> Pending)
{
    public bool IsUpToDate => Pending.Count == 0 && !IsAheadOfThisBuild;

    /// <summary>A newer release migrated the database: this instance is one of the previous version, being replaced.</summary>
    public bool IsAheadOfThisBuild => AppliedVersion > LatestVersion;

    /// <summary>Why an instance of this build does not start on this database (null when it may).</summary>
    public string? StartRefusal(string database) =>
        IsAheadOfThisBuild ? $"The {database} is at schema version {AppliedVersion} but this Passerelle knows only up to {LatestVersion}: deploy the newer version."
        : IsUpToDate ? null
        : $"The {database} is at schema version {AppliedVersion}, this Passerelle needs {LatestVersion}: " +
          "run `dotnet Passerelle.dll migrate` (from source: `dotnet run --project src/Passerelle -- migrate`) first.";
}

/// <summary>
/// Applies the hand-written SQL migrations in order, each once, recorded in <c>schema_migrations</c> with its
/// checksum (an applied script that was edited afterwards stops the run). On PostgreSQL a session advisory
/// lock makes concurrent instances wait for each other, so only one migrates; on SQLite the whole run holds
/// the write lock (BEGIN IMMEDIATE).
/// </summary>
public sealed class SchemaMigrator(DatabaseOptions options, ILogger<SchemaMigrator> logger)
{
    // Any constant works; it only has to be the same for every instance of Passerelle.
    private const long PostgresAdvisoryLockKey = 0x5041_5353_4552; // "PASSER"

    private const string HistoryTableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer PRIMARY KEY,
            name        text    NOT NULL,
            checksum    text    NOT NULL,
            applied_at  text    NOT NULL
        )
        """;

    public IReadOnlyList<SchemaMigration> Migrations { get; } = Load(options.Provider);

    public static IReadOnlyList<SchemaMigration> Load(DatabaseProvider provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Storage.Migrations.{provider}.";
        var migrations = new List<SchemaMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var fileName = resource[prefix.Length..^".sql".Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName[..separator], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new SchemaMigration(version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
                throw new InvalidOperationException($"Migrations of {provider} must be numbered 1, 2, 3… without gaps; found {migrations[i].Version} at position {i + 1}.");
        }
        return migrations;
    }

    public async Task<SchemaStatus> GetStatusAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var applied = await ReadAppliedAsync(connection, null, ct);
        return Status(applied);
    }

    /// <summary>Brings the database to the latest version (or to <paramref name="targetVersion"/>); returns how many scripts ran.</summary>
    public async Task<int> MigrateAsync(int? targetVersion = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return options.Provider == DatabaseProvider.PostgreSQL
            ? await MigratePostgresAsync(connection, targetVersion, ct)
            : await MigrateSqliteAsync((SqliteConnection)connection, targetVersion, ct);
    }

    private async Task<int> MigratePostgresAsync(DbConnection connection, int? targetVersion, CancellationToken ct)
    {
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({PostgresAdvisoryLockKey})", ct);
        try
        {
            await ExecuteAsync(connection, null, HistoryTableSql, ct);
            var applied = await ReadAppliedAsync(connection, null, ct);
            var ran = 0;
            foreach (var migration in ToApply(applied, targetVersion))
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ApplyAsync(connection, transaction, migration, ct);
                await transaction.CommitAsync(ct);
                ran++;
            }
            return ran;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({PostgresAdvisoryLockKey})", CancellationToken.None);
        }
    }

    private async Task<int> MigrateSqliteAsync(SqliteConnection connection, int? targetVersion, CancellationToken ct)
    {
        // WAL lets readers go on while a writer commits; the setting is stored in the file.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        await ExecuteAsync(connection, transaction, HistoryTableSql, ct);
        var applied = await ReadAppliedAsync(connection, transaction, ct);
        var ran = 0;
        foreach (var migration in ToApply(applied, targetVersion))
        {
            await ApplyAsync(connection, transaction, migration, ct);
            ran++;
        }
        await transaction.CommitAsync(ct);
        return ran;
    }

    private List<SchemaMigration> ToApply(Dictionary<int, string> applied, int? targetVersion)
    {
        if (Status(applied) is { IsAheadOfThisBuild: true } status)
            throw new StartupException(status.StartRefusal(options.Describe())!);
        var target = targetVersion ?? Migrations.Count;
        return Migrations.Where(m => m.Version <= target && !applied.ContainsKey(m.Version)).ToList();
    }

    private async Task ApplyAsync(DbConnection connection, DbTransaction transaction, SchemaMigration migration, CancellationToken ct)
    {
        logger.LogInformation("Applying migration {Version} {Name} to {Database}", migration.Version, migration.Name, options.Describe());
        await ExecuteAsync(connection, transaction, migration.Sql, ct);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, @appliedAt)";
        AddParameter(insert, "@version", migration.Version);
        AddParameter(insert, "@name", migration.Name);
        AddParameter(insert, "@checksum", migration.Checksum);
        AddParameter(insert, "@appliedAt", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Where the database stands. One newer than this build (the next release migrated it while this instance still runs) is
    /// said, not refused: the scripts this build knows must still be the ones applied.
    /// </summary>
    private SchemaStatus Status(Dictionary<int, string> applied)
    {
        CheckApplied(applied);
        var pending = Migrations.Where(m => !applied.ContainsKey(m.Version)).ToList();
        return new SchemaStatus(applied.Count == 0 ? 0 : applied.Keys.Max(), Migrations.Count, pending);
    }

    /// <summary>The scripts this build knows are the ones applied (a newer one, this build cannot judge).</summary>
    private void CheckApplied(Dictionary<int, string> applied)
    {
        foreach (var (version, checksum) in applied)
        {
            if (version > Migrations.Count)
                continue;
            if (!string.Equals(Migrations[version - 1].Checksum, checksum, StringComparison.Ordinal))
                throw new StartupException(
                    $"Migration {version} ({Migrations[version - 1].Name}) was edited after it was applied: restore the script and add a new migration instead.");
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = options.CreateConnection();
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception e) when (e is DbException or System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            await connection.DisposeAsync();
            throw new StartupException($"Cannot reach the {options.Describe()}: {FirstLine(e.Message)}. Check Database:ConnectionString and that the server is running.", e);
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        var applied = new Dictionary<int, string>();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = connection is SqliteConnection
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) == 0)
            return applied;

        command.CommandText = "SELECT version, checksum FROM schema_migrations";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            applied[Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture)] = reader.GetString(1);
        return applied;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        // Waiting for another instance's migration, or a long script, must not time out.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim().TrimEnd('.');
}
