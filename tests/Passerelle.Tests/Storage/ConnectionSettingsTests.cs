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

    private static DatabaseOptions Read(string connectionString) =>
        DatabaseOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL", ["Database:ConnectionString"] = connectionString,
        }).Build());
}
