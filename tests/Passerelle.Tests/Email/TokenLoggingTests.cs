using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

[Trait(Category.Name, Category.Smtp)]
public partial class TokenLoggingTests
{
    [Fact]
    public async Task Link_tokens_never_reach_the_logs_even_at_the_most_verbose_level()
    {
        var logs = new CapturedLogs();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var sink = await SmtpSink.StartAsync();
        var settings = PasserelleFactory.SmtpTo(sink, ("Logging:LogLevel:Default", "Trace"), ("Logging:LogLevel:Microsoft", "Trace"),
            ("Logging:LogLevel:Microsoft.AspNetCore", "Trace"));
        await using var app = new PasserelleFactory(database, settings, services => services.AddSingleton<ILoggerProvider>(logs));
        var school = await Seed.SchoolAsync(database);
        await Seed.ReferralAsync(database, school);
        await app.Services.GetRequiredService<Passerelle.Email.OutboxDelivery>().DispatchOnceAsync(CancellationToken.None);
        var token = System.Text.RegularExpressions.Regex.Match((await sink.WaitForAsync(1))[0].Text!, "/l/([A-Za-z0-9_-]{43})").Groups[1].Value;
        using var client = app.CreateClient();

        var (_, page) = await Browserless.GetAsync(client, $"/l/{token}/accepter");
        await Browserless.SubmitAsync(client, page, "Accepter l'offre");

        logs.Messages.Length.ShouldBeGreaterThan(10, "verbose logging is really on");
        logs.Messages.Where(m => m.Contains(token, StringComparison.Ordinal)).Select(m => m.Split(':')[0]).Distinct().ShouldBeEmpty();
        var start = token.Substring(0, 20);
        logs.Messages.ShouldNotContain(m => m.Contains(start, StringComparison.Ordinal));
    }
}
