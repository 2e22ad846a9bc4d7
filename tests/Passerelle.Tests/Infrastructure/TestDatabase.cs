using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Passerelle.Hosting;
using Passerelle.Storage;

namespace Passerelle.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database of one provider for one test: a temporary SQLite file, or a new database on the
/// PostgreSQL server named by PASSERELLE_TEST_POSTGRES (scripts/test.sh starts one). Dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "PASSERELLE_TEST_POSTGRES";

    private readonly string? _sqlitePath;
    private readonly string? _postgresName;

    private TestDatabase(DatabaseOptions options, string? sqlitePath, string? postgresName)
    {
        Options = options;
        _sqlitePath = sqlitePath;
        _postgresName = postgresName;
    }

    public DatabaseOptions Options { get; }
    public DatabaseProvider Provider => Options.Provider;

    /// <summary>The Database:* settings that point Passerelle at this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = Options.Provider.ToString(),
        ["Database:ConnectionString"] = Options.ConnectionString,
    };

    /// <summary>The setting that gives the app a pool of <paramref name="connections"/> on this (PostgreSQL) database.</summary>
    public (string Key, string Value) PoolOf(int connections) =>
        ("Database:ConnectionString", new Npgsql.NpgsqlConnectionStringBuilder(Options.ConnectionString) { MaxPoolSize = connections }.ToString());

    /// <summary>Runs with PostgreSQL whenever a server is configured, and always under CI (where its absence is a failure).</summary>
    public static TheoryData<DatabaseProvider> Providers
    {
        get
        {
            var data = new TheoryData<DatabaseProvider> { DatabaseProvider.Sqlite };
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresVariable)) || IsCi)
                data.Add(DatabaseProvider.PostgreSQL);
            return data;
        }
    }

    /// <summary>
    /// PostgreSQL alone, for what only exists there (the benchmark's data, LISTEN/NOTIFY, the pools). Always one case, so
    /// the framework tags it <see cref="Category.PostgreSQL"/> and the fast set leaves it out; run without a server, it
    /// fails saying <see cref="PostgresVariable"/> is missing (a theory with no case would fail too, untagged, even in
    /// the fast set).
    /// </summary>
    public static TheoryData<DatabaseProvider> PostgreSQLOnly => new() { DatabaseProvider.PostgreSQL };

    private static bool IsCi => Environment.GetEnvironmentVariable("CI") is "true" or "1";

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, bool migrate = true)
    {
        TestDatabase database;
        if (provider == DatabaseProvider.Sqlite)
        {
            var path = Path.Combine(Path.GetTempPath(), $"passerelle-test-{Guid.NewGuid():N}.db");
            database = new TestDatabase(Read(provider, $"Data Source={path}"), path, null);
        }
        else
        {
            Category.Needs(Category.PostgreSQL);
            var server = Environment.GetEnvironmentVariable(PostgresVariable);
            if (string.IsNullOrEmpty(server))
                throw new InvalidOperationException($"PostgreSQL tests need {PostgresVariable} (a connection string to a server where databases may be created); scripts/test.sh sets it.");
            var name = $"passerelle_test_{Guid.NewGuid():N}";
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                await create.ExecuteNonQueryAsync();
            }
            var builder = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 60 };
            database = new TestDatabase(Read(provider, builder.ToString()), null, name);
        }

        if (migrate)
            await database.Migrator().MigrateAsync();
        return database;
    }

    /// <summary>The SQLite file (null on PostgreSQL).</summary>
    public string? SqliteFile => _sqlitePath;

    public SchemaMigrator Migrator() => new(Options, NullLogger<SchemaMigrator>.Instance);

    /// <param name="interceptors">What the app would add to its contexts, for a test of one of them.</param>
    public PasserelleDb NewContext(params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors)
    {
        var builder = new DbContextOptionsBuilder<PasserelleDb>();
        PasserelleApp.UseDatabase(builder, Options).AddInterceptors(interceptors);
        return new PasserelleDb(builder.Options);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlitePath is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(_sqlitePath + suffix);
        }
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(PostgresVariable));
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static DatabaseOptions Read(DatabaseProvider provider, string connectionString) =>
        DatabaseOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connectionString,
        }).Build());
}
