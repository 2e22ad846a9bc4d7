using Npgsql;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>
/// The dispatcher reads and composes mail on PostgreSQL connections of its own (application name "Passerelle (outbox)"),
/// where its statements are planned once instead of on every connection of the pages (Storage/DispatcherScopes.cs).
/// </summary>
[Trait(Category.Name, Category.PostgreSQL)] // the pool of its own is PostgreSQL's; SQLite has one
public class DispatcherConnectionsTests
{
    public static TheoryData<DatabaseProvider> PostgreSQL => TestDatabase.PostgreSQLOnly;

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task The_dispatcher_composes_on_connections_of_its_own(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        (await ConnectionsAsync(world.Database, "Passerelle (outbox)")).ShouldBe(0, "nothing has been sent yet");

        await world.DispatchAllAsync();

        world.Sink.Messages().Count.ShouldBe(1);
        (await ConnectionsAsync(world.Database, "Passerelle (outbox)")).ShouldBeGreaterThan(0, "the mail was read and composed on the dispatcher's connections");
        (await world.QueryAsync(db => db.ActionLinks.Where(l => l.ReferralId == referralId))).Count
            .ShouldBeGreaterThan(0, "the links the mail carries were saved with it, on those connections");
    }

    /// <summary>The connections to the test's database under that application name, idle in their pool or busy.</summary>
    private static async Task<long> ConnectionsAsync(TestDatabase database, string applicationName)
    {
        await using var connection = new NpgsqlConnection(database.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("name", applicationName);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
