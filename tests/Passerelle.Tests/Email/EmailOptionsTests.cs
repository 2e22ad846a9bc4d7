using Microsoft.Extensions.Configuration;
using Passerelle.Email;
using Passerelle.Storage;

namespace Passerelle.Tests.Email;

public class EmailOptionsTests
{
    [Fact]
    public void Mail_is_retried_for_five_days_by_default()
    {
        var options = Read([]);
        options.RetryHours.ShouldBe(120);
        options.RetryMaxSeconds.ShouldBe(3600);
    }

    [Theory]
    [InlineData("MaxAttempts", "8", "Email:MaxAttempts is gone")]
    [InlineData("RetryHours", "-1", "Email:RetryHours must be 0 or more")]
    [InlineData("RetryBaseSeconds", "0", "RetryBaseSeconds more than 0")]
    public void A_retry_setting_that_would_not_do_what_it_says_stops_the_start(string key, string value, string message) =>
        Should.Throw<StartupException>(() => Read([($"Email:{key}", value)])).Message.ShouldContain(message);

    private static EmailOptions Read((string Key, string Value)[] settings) =>
        EmailOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());
}
