using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Passerelle.Webhooks;

namespace Passerelle.Tests.Webhooks;

public class WebhookOptionsTests
{
    [Theory]
    [InlineData(null, null, 80)] // 50 deliveries in 7 waves of 8, 10 s each at most, and one more
    [InlineData("30", null, 240)]
    [InlineData(null, "600", 600)]
    public void A_claim_lasts_longer_than_its_batch_can_take_to_send(string? timeout, string? lease, int seconds)
    {
        var settings = new Dictionary<string, string?> { ["Webhooks:TimeoutSeconds"] = timeout, ["Webhooks:LeaseSeconds"] = lease };
        var options = WebhookOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build(),
            new HostingEnvironment { EnvironmentName = "Production" });
        options.LeaseSeconds.ShouldBe(seconds);
    }

    [Fact]
    public void The_retries_last_about_four_hours_by_default() =>
        new WebhookOptions().RetryWindow.ShouldBe(TimeSpan.FromSeconds(30 * 511)); // 30 s doubled nine times: 4 h 15 min 30 s
}
