using Microsoft.Extensions.Configuration;
using Npgsql;
using Passerelle.Storage;

namespace Passerelle.Tests.Storage;

/// <summary>The Npgsql settings Passerelle adds to a PostgreSQL connection string (ADR 0005), and when it leaves them.</summary>
public class ConnectionSettingsTests
{
    [Fact]
    public void A_PostgreSQL_connection_prepares_repeated_statements_and_skips_the_reset_by_default()
    {
        var options = Read("Host=db;Database=passerelle;Username=passerelle");

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        builder.MaxAutoPrepare.ShouldBe(64);
        builder.NoResetOnClose.ShouldBeTrue();
        (builder.Host, builder.Database).ShouldBe(("db", "passerelle"));
    }

    [Theory]
    [InlineData("Host=db;Database=p;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;Database=p;maxautoprepare=0;NoResetOnClose=false")]
    public void Settings_the_connection_string_names_are_kept(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(Read(connectionString).ConnectionString);

        builder.MaxAutoPrepare.ShouldBe(0);
        builder.NoResetOnClose.ShouldBeFalse();
    }

    [Fact]
    public void The_pages_and_the_dispatcher_each_have_a_small_pool_by_default()
    {
        var options = Read("Host=db;Database=passerelle;Username=passerelle");

        new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxPoolSize.ShouldBe(8);
        new NpgsqlConnectionStringBuilder(options.DispatcherConnectionString).MaxPoolSize.ShouldBe(4);
    }

    [Theory]
    [InlineData("Host=db;Database=p;Maximum Pool Size=30;Minimum Pool Size=10", 30)]
    [InlineData("Host=db;Database=p;MaxPoolSize=2", 2)]
    [InlineData("Host=db;Database=p;maximum pool size=50", 50)]
    public void A_pool_size_the_connection_string_gives_is_kept_and_bounds_the_dispatcher_too(string connectionString, int size)
    {
        var options = Read(connectionString);

        new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxPoolSize.ShouldBe(size);
        var dispatcher = new NpgsqlConnectionStringBuilder(options.DispatcherConnectionString);
        dispatcher.MaxPoolSize.ShouldBe(Math.Min(size, 4));
        // Npgsql refuses a pool whose minimum is above its maximum.
        dispatcher.MinPoolSize.ShouldBeLessThanOrEqualTo(dispatcher.MaxPoolSize);
    }

    private static DatabaseOptions Read(string connectionString) =>
        DatabaseOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL", ["Database:ConnectionString"] = connectionString,
        }).Build());
}
