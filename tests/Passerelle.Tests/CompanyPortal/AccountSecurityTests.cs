using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Accounts;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.CompanyPortal;

/// <summary>
/// Accounts under attack: failed logins that tell nothing, a wait per client address instead of a lock anyone
/// could set off, links and sessions that end when they should, and passwords that guessing lists do not hold.
/// </summary>
[Trait(Category.Name, Category.Smtp)]
public sealed partial class AccountSecurityTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_sign_in_that_upgrades_an_old_hash_does_not_undo_a_password_changed_meanwhile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database);
        // A hash of an older format (Identity V2): a sign-in with the right password stores it again in today's format.
        var oldFormat = new Microsoft.AspNetCore.Identity.PasswordHasher<IAccount>(Microsoft.Extensions.Options.Options.Create(
            new Microsoft.AspNetCore.Identity.PasswordHasherOptions { CompatibilityMode = Microsoft.AspNetCore.Identity.PasswordHasherCompatibilityMode.IdentityV2 }));
        await using (var db = database.NewContext())
            await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == school.Contact.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.PasswordHash, oldFormat.HashPassword(null!, "Ancien2020!")));

        // The owner resets their password while a sign-in with the old one is between its check and its upgrade.
        var reset = new RaceStep(RaceStep.Updating("company_contacts"), async () =>
        {
            await using var db = database.NewContext();
            await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == school.Contact.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.PasswordHash, "hash-du-nouveau-mot-de-passe"));
        });
        await using (var db = database.NewContext(reset))
            (await new PasswordSignIn(db, TimeProvider.System).SignInAsync<Passerelle.Companies.CompanyContact>(AccountKind.CompanyContact, school.Contact.UserName,
                "Ancien2020!", "192.0.2.1", CancellationToken.None)).ShouldNotBeNull();
        reset.Ran.ShouldBeTrue("the sign-in upgraded the hash");
        await using (var db = database.NewContext())
            (await db.CompanyContacts.IgnoreQueryFilters().Where(c => c.Id == school.Contact.Id).Select(c => c.PasswordHash).SingleAsync())
                .ShouldBe("hash-du-nouveau-mot-de-passe", "the new password stays");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Five_failures_from_one_address_make_that_address_wait_while_the_owner_signs_in_from_elsewhere(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var attacker = From(world, "203.0.113.7");
        using var owner = From(world, "198.51.100.20");

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var (status, page) = await PortalWorld.LogInAsync(attacker, "demo.entreprise", "mauvais");
            status.ShouldBe(HttpStatusCode.Unauthorized);
            page.Text().ShouldContain(LoginPage<Passerelle.Companies.CompanyContact>.Refused);
        }
        (await PortalWorld.LogInAsync(attacker, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.Unauthorized, "that address waits, even with the right password");
        (await PortalWorld.LogInAsync(owner, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.OK, "the owner, elsewhere, is not locked out");

        // Each attempt while waiting counts and lengthens the wait: 1 minute after the fifth failure, 2 after the sixth,
        // 4 after the seventh.
        world.Clock.Now = Seed.Now.AddSeconds(61);
        (await PortalWorld.LogInAsync(attacker, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.Unauthorized, "two minutes after the sixth failure");
        world.Clock.Now = Seed.Now.AddSeconds(61 + 4 * 60 + 1);
        (await PortalWorld.LogInAsync(attacker, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.OK, "after the wait the right password opens the session");
        await using var db = world.Database.NewContext();
        (await db.Set<LoginThrottle>().CountAsync()).ShouldBe(0, "a successful login forgets the failures of its address");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_failed_login_reads_the_same_whether_the_account_exists_has_no_password_yet_or_waits(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var noPassword = await world.OtherCompanyContactAsync();
        await using (var db = world.Database.NewContext())
            await db.CompanyContacts.Where(c => c.UserName == noPassword).ExecuteUpdateAsync(set => set.SetProperty(c => c.PasswordHash, ""));
        using var client = From(world, "203.0.113.8");
        using var waiting = From(world, "203.0.113.9");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await PortalWorld.LogInAsync(client, "demo.ecole.inconnu", "mauvais");
            await PortalWorld.LogInAsync(waiting, "demo.entreprise", "mauvais");
        }

        var answers = new List<(HttpStatusCode Status, string Text)>();
        foreach (var (login, password) in new[] { ("personne@nulle-part.example", "mauvais"), ("demo.entreprise", "mauvais"), (noPassword, ""), ("demo.ecole.inconnu", "mauvais") })
        {
            var (status, page) = await PortalWorld.LogInAsync(client, login, password.Length == 0 ? "n'importe-quoi" : password);
            answers.Add((status, Regex.Replace(page.QuerySelector("main")!.TextContent, @"\s+", " ")));
        }

        // A real account whose address waits, even with the right password, reads the same.
        var (waitingStatus, waitingPage) = await PortalWorld.LogInAsync(waiting, "demo.entreprise");
        answers.Add((waitingStatus, Regex.Replace(waitingPage.QuerySelector("main")!.TextContent, @"\s+", " ")));

        answers.Select(a => a.Status).Distinct().ShouldBe([HttpStatusCode.Unauthorized]);
        answers.Select(a => a.Text).Distinct().Count().ShouldBe(1, string.Join("\n", answers.Select(a => a.Text)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_new_password_uses_up_the_other_links_and_the_reset_form_mails_once_in_ten_minutes(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        var delivery = world.App.Services.GetRequiredService<OutboxDelivery>();
        await delivery.DispatchOnceAsync(CancellationToken.None); // the demo's offer mail
        var before = world.Sink.Messages().Count;

        for (var request = 0; request < 3; request++)
            await RequestResetAsync(client, "demo.entreprise");
        world.Clock.Now = Seed.Now.AddMinutes(11);
        await RequestResetAsync(client, "sophie.lefebvre@laboriosam.example");
        await delivery.DispatchOnceAsync(CancellationToken.None);

        var mails = (await world.Sink.WaitForAsync(before + 2)).Skip(before).ToList();
        mails.Count.ShouldBe(2, "three requests in ten minutes mail once; the next one ten minutes later mails again");
        var (first, second) = (ResetLink(mails[0].Text!), ResetLink(mails[1].Text!));
        var (_, choose) = await Browserless.GetAsync(client, second);
        var saved = await Browserless.SubmitAsync(client, choose, "Enregistrer le mot de passe",
            new Dictionary<string, string> { ["Password"] = "Trois pommes vertes", ["Confirmation"] = "Trois pommes vertes" });
        saved.StatusCode.ShouldBe(HttpStatusCode.OK);

        (await client.GetAsync(first)).StatusCode.ShouldBe(HttpStatusCode.Gone, "the older link no longer sets the password");
    }

    [Theory]
    [InlineData("azertyuiop", "Ce mot de passe fait partie des plus courants")]
    [InlineData("motdepasse123", "Ce mot de passe fait partie des plus courants")]
    [InlineData("Passerelle2026!", "ni votre identifiant ni le nom « Passerelle »")]
    [InlineData("aaaaaaaaaaaa", "trop peu de caractères différents")]
    public async Task A_common_password_is_refused_with_a_French_reason(string password, string reason)
    {
        await using var world = await PortalWorld.CreateAsync(DatabaseProvider.Sqlite);
        using var client = world.Client();
        await RequestResetAsync(client, "demo.entreprise");
        await world.App.Services.GetRequiredService<OutboxDelivery>().DispatchOnceAsync(CancellationToken.None);
        var mail = (await world.Sink.WaitForAsync(2)).Single(m => m.Subject!.StartsWith("Réinitialiser", StringComparison.Ordinal));
        var (_, choose) = await Browserless.GetAsync(client, ResetLink(mail.Text!));

        var refused = await Browserless.SubmitAsync(client, choose, "Enregistrer le mot de passe",
            new Dictionary<string, string> { ["Password"] = password, ["Confirmation"] = password });

        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Browserless.ReadAsync(refused)).Text().ShouldContain(reason);
        (await PortalWorld.LogInAsync(client, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.OK, "the password did not change");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Logging_out_ends_the_session_on_the_server_so_a_copied_cookie_opens_nothing(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        var session = new CookieSession();
        using var client = world.App.CreateDefaultClient(PasserelleFactory.Https, session);
        await PortalWorld.LogInAsync(client, "demo.entreprise");
        var copied = session.Cookies.GetCookieHeader(PasserelleFactory.Https);
        using var thief = world.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = PasserelleFactory.Https, AllowAutoRedirect = false, HandleCookies = false,
        });
        (await GetWithCookie(thief, copied)).StatusCode.ShouldBe(HttpStatusCode.OK, "the copied cookie works while the session is open");

        var (_, home) = await Browserless.GetAsync(client, "/entreprise");
        (await Browserless.SubmitAsync(client, home, "Se déconnecter")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var after = await GetWithCookie(thief, copied);
        after.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Headers.Location!.AbsolutePath.ShouldBe("/entreprise/connexion");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_session_ends_eight_hours_after_login_however_active(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        await PortalWorld.LogInAsync(client, "demo.entreprise");

        for (var minutes = 20; minutes < 8 * 60; minutes += 20)
        {
            world.Clock.Now = Seed.Now.AddMinutes(minutes);
            (await client.GetAsync("/entreprise")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise", $"still signed in after {minutes} minutes of activity");
        }
        world.Clock.Now = Seed.Now.AddHours(8);
        (await client.GetAsync("/entreprise")).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/entreprise/connexion");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Five_failures_at_the_school_login_form_make_that_address_wait_and_four_do_not(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var attacker = From(world, "203.0.113.17");
        using var owner = From(world, "198.51.100.30");
        using var typo = From(world, "192.0.2.40");

        for (var attempt = 1; attempt <= 4; attempt++)
            (await PortalWorld.TryLogInStaffAsync(typo, "demo.ecole", "mauvais")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await PortalWorld.TryLogInStaffAsync(typo, "demo.ecole")).Status.ShouldBe(HttpStatusCode.OK, "four failures do not make an address wait");

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var (status, page) = await PortalWorld.TryLogInStaffAsync(attacker, "demo.ecole", "mauvais");
            status.ShouldBe(HttpStatusCode.Unauthorized);
            page.Text().ShouldContain(LoginPage<Passerelle.Schools.Staff>.Refused);
        }
        var (waitingStatus, waitingPage) = await PortalWorld.TryLogInStaffAsync(attacker, "demo.ecole");
        waitingStatus.ShouldBe(HttpStatusCode.Unauthorized, "that address waits, even with the right password");
        waitingPage.Text().ShouldContain(LoginPage<Passerelle.Schools.Staff>.Refused);
        (await PortalWorld.TryLogInStaffAsync(owner, "demo.ecole")).Status.ShouldBe(HttpStatusCode.OK, "the staff member, elsewhere, is not locked out");

        // The attempt while waiting was the sixth failure: two minutes from then.
        world.Clock.Now = Seed.Now.AddMinutes(2).AddSeconds(-1);
        (await PortalWorld.TryLogInStaffAsync(attacker, "demo.ecole")).Status.ShouldBe(HttpStatusCode.Unauthorized, "a second before the end of the wait");
        world.Clock.Now = Seed.Now.AddMinutes(2).AddSeconds(-1).AddMinutes(4).AddSeconds(1);
        (await PortalWorld.TryLogInStaffAsync(attacker, "demo.ecole")).Status.ShouldBe(HttpStatusCode.OK, "after the wait the right password opens the session");
        await using var db = world.Database.NewContext();
        (await db.Set<LoginThrottle>().CountAsync()).ShouldBe(0, "each successful login forgot the failures of its address");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_company_session_ends_after_30_minutes_without_activity(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = world.Client();
        (await PortalWorld.LogInAsync(client, "demo.entreprise")).Status.ShouldBe(HttpStatusCode.OK);

        await IdleSessionEndsAsync(world, client, "/entreprise", "/entreprise/connexion");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_staff_session_ends_after_30_minutes_without_activity(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var client = await world.StaffClientAsync("demo.ecole");

        await IdleSessionEndsAsync(world, client, "/ecole/mises-en-relation", "/ecole/connexion");
    }

    /// <summary>Activity keeps a session (29 minutes apart); 30 minutes and a second without any ends it.</summary>
    private static async Task IdleSessionEndsAsync(PortalWorld world, HttpClient client, string page, string login)
    {
        world.Clock.Now = Seed.Now.AddMinutes(29);
        (await client.GetAsync(page)).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe(page, "29 minutes after the login the session is open");
        world.Clock.Now = Seed.Now.AddMinutes(58);
        (await client.GetAsync(page)).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe(page, "29 minutes after the last request the session is still open");
        world.Clock.Now = Seed.Now.AddMinutes(58 + 30).AddSeconds(1);
        (await client.GetAsync(page)).RequestMessage!.RequestUri!.AbsolutePath.ShouldBe(login, "30 minutes without a request end the session");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_staff_session_holds_only_what_the_database_grants_now(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        using var admin = await world.StaffClientAsync("demo.admin");
        (await admin.GetAsync("/ecole/modeles")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using (var db = world.Database.NewContext())
            await db.Staff.IgnoreQueryFilters().Where(s => s.UserName == "demo.admin")
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.Role, Passerelle.Schools.StaffRole.Recruiter));

        var response = await admin.GetAsync("/ecole/modeles");
        response.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/ecole/connexion", "a cookie that claims a role the database no longer grants opens nothing");
    }

    private static HttpClient From(PortalWorld world, string address)
    {
        var client = world.Client();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static async Task RequestResetAsync(HttpClient client, string login)
    {
        var (_, forgot) = await Browserless.GetAsync(client, "/entreprise/mot-de-passe-oublie");
        (await Browserless.SubmitAsync(client, forgot, "Recevoir le lien", new Dictionary<string, string> { ["Login"] = login })).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static string ResetLink(string text) => ResetPath().Match(text).Groups[1].Value;

    private static async Task<HttpResponseMessage> GetWithCookie(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/entreprise");
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    [GeneratedRegex(@"https://passerelle\.test(/entreprise/mot-de-passe/[A-Za-z0-9_-]{43})")]
    private static partial Regex ResetPath();
}
