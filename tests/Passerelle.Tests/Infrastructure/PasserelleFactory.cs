using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Passerelle.Tests.Infrastructure;

/// <summary>The real app in memory, on a test database of either provider.</summary>
public sealed class PasserelleFactory : WebApplicationFactory<Program>
{
    /// <summary>Outside Development cookies are Secure (__Host-): test clients speak https, as people behind the load balancer do.</summary>
    public static readonly Uri Https = new("https://localhost");

    private readonly TestDatabase database;
    private readonly IReadOnlyDictionary<string, string?>? settings;
    private readonly Action<IServiceCollection>? services;
    private readonly string environment;

    public PasserelleFactory(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null,
        string environment = "Testing")
    {
        (this.database, this.settings, this.services, this.environment) = (database, settings, services, environment);
        ClientOptions.BaseAddress = Https;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        // Mail stays in the outbox unless a test asks for the dispatcher (and says where mail goes).
        builder.UseSetting("Email:DispatcherEnabled", "false");
        builder.UseSetting("Webhooks:DispatcherEnabled", "false");
        builder.UseSetting("Database:SeedDemoData", "false");
        foreach (var (key, value) in database.Settings.Concat(settings ?? new Dictionary<string, string?>()))
            builder.UseSetting(key, value);
        if (services is not null)
            builder.ConfigureTestServices(services);
    }

    /// <summary>Settings that send mail to a test SMTP sink.</summary>
    public static Dictionary<string, string?> SmtpTo(SmtpSink sink, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Delivery"] = "Smtp",
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:SmtpTimeoutSeconds"] = "5",
            ["Email:FromAddress"] = "passerelle@passerelle.test",
            ["Email:PublicBaseUrl"] = "https://passerelle.test",
        };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }
}
