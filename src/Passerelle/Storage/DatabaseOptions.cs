using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Passerelle.Storage;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSQL,
}

/// <summary>
/// Section "Database": which provider, which database, and whether this process migrates it and adds the demo data.
/// The embedded default (SQLite under ./data/) migrates itself, and seeds the demo in Development only (what
/// <c>dotnet run</c> uses); PostgreSQL is migrated by the explicit <c>migrate</c> command unless
/// <c>MigrateOnStartup</c> says otherwise.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string DefaultSqliteConnectionString = "Data Source=data/passerelle.db";

    public DatabaseProvider Provider { get; init; }
    public string ConnectionString { get; init; } = "";
    public bool MigrateOnStartup { get; init; }
    public bool SeedDemoData { get; init; }

    /// <summary>Reads and checks the section; a mistake becomes a <see cref="StartupException"/> saying what to fix.</summary>
    public static DatabaseOptions FromConfiguration(IConfiguration configuration, bool development = false)
    {
        var section = configuration.GetSection(Section);
        var providerText = section["Provider"];
        DatabaseProvider provider;
        if (string.IsNullOrWhiteSpace(providerText))
            provider = DatabaseProvider.Sqlite;
        else if (!Enum.TryParse(providerText.Trim(), ignoreCase: true, out provider) || !Enum.IsDefined(provider))
            throw new StartupException(
                $"Unknown database provider '{providerText}': set Database:Provider to Sqlite or PostgreSQL.");

        var connectionString = section["ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = provider == DatabaseProvider.Sqlite
                ? DefaultSqliteConnectionString
                : throw new StartupException(
                    "Database:ConnectionString is empty: give the PostgreSQL connection string (Host=…;Database=…;Username=…;Password=…).");
        }

        var embedded = provider == DatabaseProvider.Sqlite;
        var options = new DatabaseOptions
        {
            Provider = provider,
            ConnectionString = provider == DatabaseProvider.Sqlite ? PrepareSqlite(connectionString) : CheckPostgres(connectionString),
            MigrateOnStartup = ReadBool(section, "MigrateOnStartup", embedded),
            SeedDemoData = ReadBool(section, "SeedDemoData", embedded && development),
        };
        return options;
    }

    /// <summary>The pages' connections per instance, unless the connection string says <c>Maximum Pool Size</c>.</summary>
    public const int PoolSize = 8;

    /// <summary>The dispatcher's connections per instance, at most (<see cref="DispatcherConnectionString"/>).</summary>
    public const int DispatcherPoolSize = 4;

    /// <summary>
    /// The connection string of the outbox dispatcher's connections (<see cref="DispatcherScopes"/>). PostgreSQL: the same
    /// server under another application name, hence a pool of its own, where the dispatcher's statements are prepared from
    /// their second use, planned once (generic plans: they all look rows up by id) and joined in the order they are written
    /// (they all start from the mails they compose: the nine tables a referral's mail reads took 130 ms to plan, 20 in the
    /// written order, for the same plan), with at most <see cref="DispatcherPoolSize"/> connections. SQLite: the same string.
    /// </summary>
    public string DispatcherConnectionString => Provider == DatabaseProvider.PostgreSQL ? Dispatcher(new NpgsqlConnectionStringBuilder(ConnectionString)) : ConnectionString;

    private static string Dispatcher(NpgsqlConnectionStringBuilder builder)
    {
        builder.ApplicationName = $"{builder.ApplicationName ?? "Passerelle"} (outbox)";
        builder.Options = $"{builder.Options} -c plan_cache_mode=force_generic_plan -c join_collapse_limit=1".Trim();
        builder.AutoPrepareMinUsages = 2;
        // The dispatcher runs at most a few statements at once (a group composed in two halves, the mails sent marked).
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, DispatcherPoolSize);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        return builder.ConnectionString;
    }

    public DbConnection CreateConnection() => Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteConnection(ConnectionString),
        _ => new NpgsqlConnection(ConnectionString),
    };

    /// <summary>Where the database is, for messages (never the password).</summary>
    public string Describe() => Provider switch
    {
        DatabaseProvider.Sqlite => $"SQLite file {new SqliteConnectionStringBuilder(ConnectionString).DataSource}",
        _ => DescribePostgres(new NpgsqlConnectionStringBuilder(ConnectionString)),
    };

    private static string DescribePostgres(NpgsqlConnectionStringBuilder builder) =>
        $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";

    private static bool ReadBool(IConfigurationSection section, string key, bool fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        return bool.TryParse(text, out var value)
            ? value
            : throw new StartupException($"Database:{key} is '{text}': write true or false.");
    }

    /// <summary>A relative SQLite path is taken from the current directory (./data/ where the user runs the app); its folder is created.</summary>
    private static string PrepareSqlite(string connectionString)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new StartupException($"Database:ConnectionString is not a valid SQLite connection string: {e.Message}");
        }

        if (builder.DataSource is "" or ":memory:" || builder.Mode == SqliteOpenMode.Memory)
            return builder.ToString();

        var path = Path.GetFullPath(builder.DataSource);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Cannot create the folder of the SQLite database {path}: {e.Message}");
        }
        builder.DataSource = path;
        builder.Pooling = true;
        // Writers queue on SQLite's lock for up to this many seconds instead of failing at once.
        if (builder.DefaultTimeout < 30)
            builder.DefaultTimeout = 30;
        return builder.ToString();
    }

    private static string CheckPostgres(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
                throw new StartupException("Database:ConnectionString has no Host: give the PostgreSQL server (Host=127.0.0.1;…).");
            // Every page runs the same few queries: prepared once per connection, they are not planned again on each
            // request (docs/adr/0005). A connection string that says otherwise wins.
            var given = connectionString.Replace(" ", "", StringComparison.Ordinal);
            if (!given.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
                builder.MaxAutoPrepare = 64;
            // Passerelle changes no session state on a pooled connection (no SET, no temporary table; its LISTEN has a
            // connection of its own, see OutboxNotifications): a pooled connection needs no reset, which would otherwise
            // cost the server five statements on each query's connection.
            if (!given.Contains("ResetOnClose", StringComparison.OrdinalIgnoreCase))
                builder.NoResetOnClose = true;
            // A few busy connections serve more than many: past about twice the server's cores, PostgreSQL's processes take
            // the cores from each other, and its throughput falls (bench/findings.md: an answer's statements ran 1,503 times
            // a second on 2 connections, 540 on 16). Requests beyond the pool wait in the app for a connection (a few
            // milliseconds under the benchmark's load); the pool also keeps several instances within max_connections.
            if (!given.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase) && !given.Contains("MaximumPoolSize", StringComparison.OrdinalIgnoreCase))
                builder.MaxPoolSize = PoolSize;
            // Who is who in pg_stat_activity: "Passerelle", and "Passerelle (outbox)" for the dispatcher's connections.
            builder.ApplicationName ??= "Passerelle";
            return builder.ToString();
        }
        catch (ArgumentException e)
        {
            throw new StartupException($"Database:ConnectionString is not a valid PostgreSQL connection string: {e.Message}");
        }
    }
}
