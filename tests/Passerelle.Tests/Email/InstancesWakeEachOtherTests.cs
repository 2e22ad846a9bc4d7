using Npgsql;
using Passerelle.Email;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>
/// Several instances on one PostgreSQL database: mail queued by an instance that sends none itself
/// (<c>Email:DispatcherEnabled=false</c>, a web instance) wakes the dispatching instance at once (LISTEN/NOTIFY), instead
/// of waiting for its poll.
/// </summary>
public class InstancesWakeEachOtherTests
{
    public static TheoryData<DatabaseProvider> PostgreSQL => TestDatabase.PostgreSQLOnly;

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task Mail_queued_by_a_web_instance_goes_out_through_the_dispatching_one_without_waiting_for_its_poll(DatabaseProvider provider)
    {
        // The world's own instance sends no mail (the tests' default): it is the web instance.
        await using var world = await EmailWorld.CreateAsync(provider);
        await using var dispatching = new PasserelleFactory(world.Database,
            PasserelleFactory.SmtpTo(world.Sink, ("Email:DispatcherEnabled", "true"), ("Email:PollSeconds", "600")));
        _ = dispatching.Services; // starts it: it looks at the queue once, then polls every ten minutes
        await WaitUntilListeningAsync(world.Database);

        await world.ProposeAsync();

        var mails = await world.Sink.WaitForAsync(1, TimeSpan.FromSeconds(20));
        mails.Count.ShouldBe(1, "the web instance announces the mail it committed; the dispatching one's poll is ten minutes away");
        mails.Single().Subject.ShouldBe("École Test vous propose une offre : Et laboriosam praesentium");
    }

    private static async Task WaitUntilListeningAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = @listen", connection);
        command.Parameters.AddWithValue("listen", $"LISTEN {OutboxNotifications.Channel}");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            waited.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "the dispatching instance listens for other instances' mail");
            await Task.Delay(50);
        }
    }
}
