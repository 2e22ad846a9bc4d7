using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Companies;
using Passerelle.Demo;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.CompanyPortal;

/// <summary>The app with the demo data (the user document's example), a moving clock and an SMTP sink.</summary>
public sealed class PortalWorld : IAsyncDisposable
{
    private readonly string _documents;

    private PortalWorld(TestDatabase database, SmtpSink sink, PasserelleFactory app, FixedClock clock, string documents)
    {
        Database = database;
        Sink = sink;
        App = app;
        Clock = clock;
        _documents = documents;
    }

    public TestDatabase Database { get; }
    public SmtpSink Sink { get; }
    public PasserelleFactory App { get; }
    public FixedClock Clock { get; }

    /// <summary>Where the app stores candidates' files.</summary>
    public string DocumentsFolder => _documents;

    public static async Task<PortalWorld> CreateAsync(DatabaseProvider provider) => await CreateAsync(provider, logs: null);

    /// <summary>The same, with every log line (Trace level) captured by <paramref name="logs"/>.</summary>
    public static Task<PortalWorld> CreateAsync(DatabaseProvider provider, CapturedLogs? logs) => CreateAsync(provider, logs, _ => []);

    /// <summary>The same, with these settings.</summary>
    public static Task<PortalWorld> WithSettingsAsync(DatabaseProvider provider, params (string Key, string Value)[] settings) =>
        CreateAsync(provider, logs: null, _ => settings);

    /// <summary>On PostgreSQL, the app with a pool of <paramref name="connections"/> for its pages and API.</summary>
    public static Task<PortalWorld> WithPoolAsync(int connections) =>
        CreateAsync(DatabaseProvider.PostgreSQL, logs: null, database => [database.PoolOf(connections)]);

    private static async Task<PortalWorld> CreateAsync(DatabaseProvider provider, CapturedLogs? logs, Func<TestDatabase, (string Key, string Value)[]> extra)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var sink = await SmtpSink.StartAsync();
        var clock = new FixedClock(Seed.Now);
        var documents = Directory.CreateTempSubdirectory("passerelle-documents-").FullName;
        (string, string)[] common = [("Database:SeedDemoData", "true"), ("Documents:Folder", documents), .. extra(database)];
        var settings = logs is null
            ? PasserelleFactory.SmtpTo(sink, common)
            : PasserelleFactory.SmtpTo(sink, [.. common, ("Logging:LogLevel:Default", "Trace"),
                ("Logging:LogLevel:Microsoft", "Trace"), ("Logging:LogLevel:Microsoft.AspNetCore", "Trace")]);
        var app = new PasserelleFactory(database, settings, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            if (logs is not null)
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        });
        _ = app.Services;
        return new PortalWorld(database, sink, app, clock, documents);
    }

    public HttpClient Client() => App.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = PasserelleFactory.Https, AllowAutoRedirect = true, HandleCookies = true });

    /// <summary>Signs in to Passerelle Entreprises through the login form; returns the page reached.</summary>
    public static Task<(HttpStatusCode Status, IHtmlDocument Page)> LogInAsync(HttpClient client, string userName, string password = DemoData.Password) =>
        LogInThroughAsync(client, "/entreprise/connexion", userName, password);

    /// <summary>Signs in to Passerelle École through the login form; returns the page reached.</summary>
    public static Task<(HttpStatusCode Status, IHtmlDocument Page)> TryLogInStaffAsync(HttpClient client, string userName, string password = DemoData.Password) =>
        LogInThroughAsync(client, "/ecole/connexion", userName, password);

    /// <summary>Signs a staff member in to Passerelle École, which must succeed.</summary>
    public static async Task LogInStaffAsync(HttpClient client, string userName, string password = DemoData.Password) =>
        (await TryLogInStaffAsync(client, userName, password)).Status.ShouldBe(HttpStatusCode.OK, $"{userName} logs in");

    private static async Task<(HttpStatusCode Status, IHtmlDocument Page)> LogInThroughAsync(HttpClient client, string loginPage, string userName, string password)
    {
        var (_, form) = await Browserless.GetAsync(client, loginPage);
        var response = await Browserless.SubmitAsync(client, form, "Se connecter", new Dictionary<string, string> { ["UserName"] = userName, ["Password"] = password });
        return (response.StatusCode, await Browserless.ReadAsync(response));
    }

    /// <summary>A client signed in to Passerelle École as <paramref name="userName"/>.</summary>
    public async Task<HttpClient> StaffClientAsync(string userName)
    {
        var client = Client();
        await LogInStaffAsync(client, userName);
        return client;
    }

    /// <summary>Chooses a school in the side navigation.</summary>
    public static async Task<IHtmlDocument> ChooseSchoolAsync(HttpClient client, Guid schoolId)
    {
        var (_, home) = await Browserless.GetAsync(client, "/entreprise");
        var response = await Browserless.SubmitAsync(client, home, "Choisir", new Dictionary<string, string> { ["schoolId"] = schoolId.ToString() });
        return await Browserless.ReadAsync(response);
    }

    /// <summary>
    /// Takes the demo's pending push CV mail out of the outbox, for a test about the other demo mail alone (the offer mail
    /// of today's referral).
    /// </summary>
    public async Task WithoutDemoPushMailAsync()
    {
        await using var db = Database.NewContext();
        (await db.OutboxMessages.Where(m => m.CvPushId != null).ExecuteDeleteAsync()).ShouldBe(1);
    }

    public async Task<Guid> ReferralOfAsync(string candidateLastName, Guid? schoolId = null)
    {
        await using var db = Database.NewContext();
        db.ForSchool(schoolId ?? DemoData.SchoolId);
        return await (from r in db.Referrals join c in db.Candidates on r.CandidateId equals c.Id where c.LastName == candidateLastName select r.Id).SingleAsync();
    }

    /// <summary>Another company's contact, working with the demo school too.</summary>
    public async Task<string> OtherCompanyContactAsync()
    {
        await using var db = Database.NewContext();
        db.ForSystem();
        var company = new Company { Id = Guid.NewGuid(), Name = "Concurrent SA", Siret = Seed.NextSiret(), CreatedAt = Seed.Now };
        var contact = new CompanyContact
        {
            Id = Guid.NewGuid(), CompanyId = company.Id, LastName = "Autre", FirstName = "Contact", Email = "autre@example.org",
            UserName = "autre.contact", CreatedAt = Seed.Now,
        };
        contact.PasswordHash = new PasswordHasher<CompanyContact>().HashPassword(contact, DemoData.Password);
        db.AddRange(company, contact, new SchoolContact { SchoolId = DemoData.SchoolId, ContactId = contact.Id, CreatedAt = Seed.Now },
            new SchoolCompany { SchoolId = DemoData.SchoolId, CompanyId = company.Id, CreatedAt = Seed.Now });
        await db.SaveChangesAsync();
        return contact.UserName;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Sink.DisposeAsync();
        await Database.DisposeAsync();
        Directory.Delete(_documents, recursive: true);
    }
}
