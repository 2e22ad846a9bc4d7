using System.Net;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Hosting;

public class HealthTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ready_answers_200_when_the_database_is_reachable_and_migrated(DatabaseProvider provider)
    {
        await using var instance = await ReadyInstance.StartAsync(provider);
        var client = instance.Client;

        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready");

        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Ready_answers_503_when_the_schema_falls_behind(DatabaseProvider provider)
    {
        await using var instance = await ReadyInstance.StartAsync(provider);
        var (database, client) = (instance.Database, instance.Client);
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await ExecuteAsync(database, "DELETE FROM schema_migrations");

        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK, "alive, just not ready");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_instance_of_the_previous_version_stays_ready_once_the_next_one_migrated(DatabaseProvider provider)
    {
        await using var instance = await ReadyInstance.StartAsync(provider);
        var (database, client) = (instance.Database, instance.Client);
        (await client.GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The next release's `migrate` ran: the database knows one migration more than this build.
        var next = database.Migrator().Migrations.Count + 1;
        await ExecuteAsync(database,
            $"INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ({next}, 'next_release', 'c0ffee', '2026-12-04T18:00:00.0000000+00:00')");

        var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, "kept by the load balancer until a new instance replaces it");
        (await ready.Content.ReadAsStringAsync()).ShouldBe("Degraded");
        // That a new instance of this version refuses to start: StartupTests, as a process.
    }

    /// <summary>An instance on a new, migrated test database, and a client of it.</summary>
    private sealed class ReadyInstance(TestDatabase database, PasserelleFactory app) : IAsyncDisposable
    {
        public TestDatabase Database { get; } = database;
        public HttpClient Client { get; } = app.CreateClient();

        public static async Task<ReadyInstance> StartAsync(DatabaseProvider provider)
        {
            var database = await TestDatabase.CreateAsync(provider);
            return new ReadyInstance(database, new PasserelleFactory(database));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await app.DisposeAsync();
            await Database.DisposeAsync();
        }
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = database.Options.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
