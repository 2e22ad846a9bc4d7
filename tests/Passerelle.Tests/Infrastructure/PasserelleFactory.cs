using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Passerelle.Tests.Infrastructure;

/// <summary>The real app in memory, on a test database of either provider.</summary>
public sealed class PasserelleFactory(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Mail stays in the outbox unless a test asks for the dispatcher (and says where mail goes).
        builder.UseSetting("Email:DispatcherEnabled", "false");
        foreach (var (key, value) in database.Settings.Concat(settings ?? new Dictionary<string, string?>()))
            builder.UseSetting(key, value);
    }
}
