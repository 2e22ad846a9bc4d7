using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Email;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>The embedded default writes mail to a folder; in Development /dev/mails shows it with working links.</summary>
public sealed class DevMailboxTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-mail-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_demo_offer_mail_lands_in_the_folder_and_opens_in_the_mailbox_page()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new PasserelleFactory(database, new Dictionary<string, string?>
        {
            ["Database:SeedDemoData"] = "true", ["Email:Folder"] = _folder, ["Email:PublicBaseUrl"] = "http://127.0.0.1:5080",
        }, environment: "Development");
        using var client = app.CreateClient();
        await app.Services.GetRequiredService<OutboxDelivery>().DispatchOnceAsync(CancellationToken.None);

        var (status, list) = await Browserless.GetAsync(client, "/dev/mails");
        status.ShouldBe(HttpStatusCode.OK);
        Directory.GetFiles(_folder, "*.eml").Length.ShouldBe(1);
        var entry = list.QuerySelectorAll("tbody a").ShouldHaveSingleItem();
        entry.TextContent.ShouldBe("Passerelle School vous propose une offre : Et laboriosam praesentium");
        list.Text().ShouldContain("DUPONT Léa <lea.dupont@example.org>");

        var (_, mail) = await Browserless.GetAsync(client, entry.GetAttribute("href")!);
        var frame = mail.QuerySelector("iframe")!;
        frame.GetAttribute("sandbox").ShouldBe("allow-top-navigation-by-user-activation", "the mail's HTML runs no script; only a click on its links leaves the frame");
        var preview = frame.GetAttribute("srcdoc")!;
        preview.ShouldContain("<base target=\"_top\">");
        preview.ShouldContain("Bonjour Léa,");
        preview.ShouldContain("http://127.0.0.1:5080/l/");
        mail.Text().ShouldContain("Accepter l'offre : http://127.0.0.1:5080/l/");
        (await client.GetAsync("/dev/mails/..%2Fpasserelle.db")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_mailbox_page_does_not_exist_outside_development()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        // Staging: mail to a folder is allowed there (Production refuses it at start-up: StartupTests).
        await using var app = new PasserelleFactory(database, new Dictionary<string, string?> { ["Email:Folder"] = _folder }, environment: "Staging");
        using var client = app.CreateClient();

        (await client.GetAsync("/dev/mails")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
