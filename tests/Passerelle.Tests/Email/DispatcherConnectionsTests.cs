using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>
/// The dispatcher reads and composes mail on PostgreSQL connections of its own (application name "Passerelle (outbox)"),
/// where its statements are planned once instead of on every connection of the pages (Storage/DispatcherScopes.cs).
/// </summary>
public class DispatcherConnectionsTests
{
    public static TheoryData<DatabaseProvider> PostgreSQL => TestDatabase.PostgreSQLOnly;

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task The_dispatcher_composes_on_connections_of_its_own(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var referralId = await world.ProposeAsync();
        (await LastStatementsAsync(world.Database, "Passerelle (outbox)")).ShouldBeEmpty("nothing has been sent yet");

        await world.DispatchAllAsync();

        world.Sink.Messages().Count.ShouldBe(1);
        var statements = await LastStatementsAsync(world.Database, "Passerelle (outbox)");
        statements.ShouldNotBeEmpty("the mail was read and composed on the dispatcher's connections");
        statements.ShouldContain(sql => sql.Contains("outbox_messages"), "the dispatcher's own statements ran there");
        (await world.QueryAsync(db => db.ActionLinks.Where(l => l.ReferralId == referralId))).ShouldNotBeEmpty("the mail's links were saved");
    }

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task The_dispatcher_s_connections_keep_one_generic_plan_and_the_written_join_order(DatabaseProvider provider)
    {
        await using var world = await EmailWorld.CreateAsync(provider);
        var options = world.App.Services.GetRequiredService<DatabaseOptions>();
        await using var connection = new NpgsqlConnection(options.DispatcherConnectionString);
        await connection.OpenAsync();

        (await ShowAsync(connection, "plan_cache_mode")).ShouldBe("force_generic_plan");
        (await ShowAsync(connection, "join_collapse_limit")).ShouldBe("1");
        (await ShowAsync(connection, "application_name")).ShouldBe("Passerelle (outbox)");
    }

    /// <summary>The last statement of each connection to the test's database under that application name.</summary>
    private static async Task<List<string>> LastStatementsAsync(TestDatabase database, string applicationName)
    {
        await using var connection = new NpgsqlConnection(database.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("name", applicationName);
        var statements = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            statements.Add(reader.GetString(0));
        return statements;
    }

    private static async Task<string> ShowAsync(NpgsqlConnection connection, string setting)
    {
        await using var command = new NpgsqlCommand($"SHOW {setting}", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
