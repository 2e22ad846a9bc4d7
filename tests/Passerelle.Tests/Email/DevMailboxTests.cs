using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Email;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>The embedded default writes mail to a folder; in Development /dev/mails shows it with working links.</summary>
public sealed class DevMailboxTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-mail-").FullName;

    /// <summary>A mail file beside the mail folder, not in it: what a path traversal would reach.</summary>
    private readonly string _outside = Path.Combine(Path.GetTempPath(), $"passerelle-outside-{Guid.NewGuid():N}.eml");

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        File.Delete(_outside);
    }

    [Fact]
    public async Task Erasing_a_candidate_removes_the_folders_copies_of_the_mails_to_and_about_them()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new PasserelleFactory(database, new Dictionary<string, string?>
        {
            ["Database:SeedDemoData"] = "true", ["Email:Folder"] = _folder, ["Email:PublicBaseUrl"] = "http://127.0.0.1:5080",
        }, environment: "Development");
        var delivery = app.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None);
        string[] traces = ["DUPONT", "Léa", "lea.dupont@example.org"];
        Directory.GetFiles(_folder, "*.eml").Select(SentMail.Load).ShouldContain(m => m.To.Contains("lea.dupont@example.org"), "the demo's offer mail to Léa");
        var before = Directory.GetFiles(_folder, "*.eml").Length;

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(Passerelle.Demo.DemoData.SchoolId);
            var lea = await db.Candidates.SingleAsync(c => c.Email == "lea.dupont@example.org");
            (await scope.ServiceProvider.GetRequiredService<Passerelle.PersonalData.Erasure>()
                .EraseCandidateAsync(lea.Id, Passerelle.Referrals.Actor.Staff(Guid.Empty, "test"), null, CancellationToken.None)).ShouldNotBeNull();
        }
        await delivery.DispatchOnceAsync(CancellationToken.None); // what the erasure leaves to send, without the name

        var left = Directory.GetFiles(_folder, "*.eml").Select(SentMail.Load).ToList();
        left.Count.ShouldBeLessThan(before);
        foreach (var mail in left)
        {
            foreach (var trace in traces)
                (mail.To + mail.Subject + mail.Text + mail.Html).ShouldNotContain(trace, Case.Insensitive, $"'{mail.Subject}' still names the candidate");
        }
    }

    [Fact]
    public async Task A_mail_written_to_the_folder_while_its_recipient_is_erased_leaves_no_copy()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new PasserelleFactory(database, new Dictionary<string, string?>
        {
            ["Database:SeedDemoData"] = "true", ["Email:Folder"] = _folder, ["Email:PublicBaseUrl"] = "http://127.0.0.1:5080", ["Email:Parallelism"] = "1",
        }, environment: "Development");
        Guid leaId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            leaId = await db.Candidates.IgnoreQueryFilters().Where(c => c.Email == "lea.dupont@example.org").Select(c => c.Id).SingleAsync();
            // Only the demo's offer mail to Léa is due.
            await db.OutboxMessages.IgnoreQueryFilters().Where(m => m.Recipient != Passerelle.Referrals.Recipient.Candidate)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, DateTimeOffset.UtcNow.AddDays(1)));
        }
        var transport = new EmailDeliveryTests.HoldsTheFirstMail(app.Services.GetRequiredService<IMailTransport>());
        var delivery = ActivatorUtilities.CreateInstance<OutboxDelivery>(app.Services, transport);

        // The mail is composed and about to be written when an admin erases Léa; it is written after the erasure cleaned the folder.
        var round = delivery.DispatchOnceAsync(CancellationToken.None);
        await transport.FirstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(Passerelle.Demo.DemoData.SchoolId);
            (await scope.ServiceProvider.GetRequiredService<Passerelle.PersonalData.Erasure>()
                .EraseCandidateAsync(leaId, Passerelle.Referrals.Actor.Staff(Guid.Empty, "test"), null, CancellationToken.None)).ShouldNotBeNull();
        }
        transport.Release.SetResult();
        await round;

        Directory.GetFiles(_folder, "*.eml").Select(SentMail.Load)
            .ShouldNotContain(m => (m.To + m.Text).Contains("lea.dupont@example.org", StringComparison.OrdinalIgnoreCase), "the copy written after the erasure went");
    }

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
        Directory.GetFiles(_folder, "*.eml").Length.ShouldBe(2, "the demo's offer mail and its push CV mail");
        list.QuerySelectorAll("tbody a").Select(a => a.TextContent).ShouldBe(
            ["Passerelle School vous propose une offre : Et laboriosam praesentium", "Passerelle School vous propose un profil de candidat"], ignoreOrder: true);
        var entry = list.QuerySelectorAll("tbody a").Single(a => a.TextContent.Contains("une offre", StringComparison.Ordinal));
        list.Text().ShouldContain("DUPONT Léa <lea.dupont@example.org>");

        var (_, mail) = await Browserless.GetAsync(client, entry.GetAttribute("href")!);
        var frame = mail.QuerySelector("iframe")!;
        frame.GetAttribute("sandbox").ShouldBe("allow-top-navigation-by-user-activation", "the mail's HTML runs no script; only a click on its links leaves the frame");
        var preview = frame.GetAttribute("srcdoc")!;
        preview.ShouldContain("<base target=\"_top\">");
        preview.ShouldContain("Bonjour Léa,");
        preview.ShouldContain("http://127.0.0.1:5080/l/");
        mail.Text().ShouldContain("Accepter l'offre : http://127.0.0.1:5080/l/");
    }

    [Fact]
    public async Task The_mailbox_page_shows_no_file_outside_the_mail_folder()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new PasserelleFactory(database, new Dictionary<string, string?> { ["Email:Folder"] = _folder }, environment: "Development");
        using var client = app.CreateClient();
        File.WriteAllText(_outside, "From: passerelle@example.org\r\nTo: personne@example.org\r\nSubject: Hors du dossier\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nCe fichier n'est pas dans le dossier des mails.\r\n");
        Path.GetDirectoryName(_outside).ShouldBe(Path.GetDirectoryName(_folder), "the file sits one level up from the mail folder");
        var name = Path.GetFileName(_outside);

        // The same file inside the folder is shown: only its place keeps it out.
        File.Copy(_outside, Path.Combine(_folder, name));
        var (inside, shown) = await Browserless.GetAsync(client, $"/dev/mails/{name}");
        inside.ShouldBe(HttpStatusCode.OK);
        shown.Text().ShouldContain("Hors du dossier");
        File.Delete(Path.Combine(_folder, name));

        foreach (var traversal in new[] { $"..%2F{name}", $"..%5C{name}", $"%2E%2E%2F{name}", $"..%252F{name}" })
        {
            var response = await client.GetAsync($"/dev/mails/{traversal}");
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, traversal);
            (await response.Content.ReadAsStringAsync()).ShouldNotContain("Hors du dossier", customMessage: traversal);
        }
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
