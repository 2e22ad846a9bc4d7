using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Api;
using Passerelle.Common;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Api;

/// <summary>The app on a test database with two schools, each with an API key; clients that present them.</summary>
public sealed class ApiWorld : IAsyncDisposable
{
    private readonly string _documents;

    private ApiWorld(TestDatabase database, PasserelleFactory app, FixedClock clock, SchoolFixture school, SchoolFixture other, string key, string otherKey, string documents)
    {
        (Database, App, Clock, School, Other, Key, OtherKey, _documents) = (database, app, clock, school, other, key, otherKey, documents);
    }

    public TestDatabase Database { get; }
    public PasserelleFactory App { get; }
    public FixedClock Clock { get; }
    public SchoolFixture School { get; }
    public SchoolFixture Other { get; }

    /// <summary>School's key ("ERP") and the other school's.</summary>
    public string Key { get; }
    public string OtherKey { get; }

    public static Task<ApiWorld> CreateAsync(DatabaseProvider provider, params (string Key, string Value)[] settings) =>
        CreateAsync(provider, _ => settings);

    /// <summary>On PostgreSQL, the app with a pool of <paramref name="connections"/> for its pages and API.</summary>
    public static Task<ApiWorld> WithPoolAsync(int connections) =>
        CreateAsync(DatabaseProvider.PostgreSQL, database => [database.PoolOf(connections)]);

    private static async Task<ApiWorld> CreateAsync(DatabaseProvider provider, Func<TestDatabase, (string Key, string Value)[]> settings)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FixedClock(Seed.Now);
        var documents = Directory.CreateTempSubdirectory("passerelle-api-documents-").FullName;
        var all = new Dictionary<string, string?> { ["Documents:Folder"] = documents };
        foreach (var (key, value) in settings(database))
            all[key] = value;
        // The app's clock, as in production (to the microsecond), over the test's.
        var app = new PasserelleFactory(database, all, services => services.AddSingleton<TimeProvider>(new MicrosecondClock(clock)));
        var school = await Seed.SchoolAsync(database, "École API");
        var other = await Seed.SchoolAsync(database, "Autre École");
        var world = new ApiWorld(database, app, clock, school, other, await KeyAsync(database, school, "ERP"), await KeyAsync(database, other, "Autre ERP"), documents);
        _ = app.Services;
        return world;
    }

    public static async Task<string> KeyAsync(TestDatabase database, SchoolFixture school, string name)
    {
        await using var db = database.NewContext();
        db.ForSchool(school.School.Id);
        var (_, secret, problem) = await ApiKeys.CreateAsync(db, name, school.Staff, Seed.Now, CancellationToken.None);
        problem.ShouldBeNull();
        return secret!;
    }

    /// <summary>A client presenting <paramref name="key"/> (the school's by default; "" for none).</summary>
    public HttpClient Client(string? key = null)
    {
        var client = App.CreateClient();
        if ((key ?? Key) is { Length: > 0 } k)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", k);
        return client;
    }

    public PasserelleDb Db(SchoolFixture? school = null) => Database.NewContext().ForSchool((school ?? School).School.Id);

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static StringContent Raw(string body, string contentType = "application/json") => new(body, Encoding.UTF8, contentType);

    public static async Task<JsonObject> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException($"not a JSON object: {text}");
    }

    /// <summary>The titles the platform shows people, written here apart from the API's own table (Api/ApiProblem.cs).</summary>
    public static readonly IReadOnlyDictionary<int, string> FrenchTitles = new Dictionary<int, string>
    {
        [400] = "Requête mal formée", [401] = "Clé d'API absente, inconnue ou révoquée", [403] = "Action refusée",
        [404] = "Ressource introuvable", [405] = "Méthode non permise à cette adresse", [409] = "Conflit avec l'état actuel",
        [413] = "Requête trop volumineuse", [415] = "Type de contenu non pris en charge", [422] = "Données non valides",
        [429] = "Trop de requêtes",
    };

    /// <summary>Asserts a problem details answer: the status, the JSON type, a French title; returns the body.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, text);
        response.Content.Headers.ContentType.ShouldNotBeNull(text);
        response.Content.Headers.ContentType.MediaType.ShouldBe("application/problem+json", text);
        var body = JsonNode.Parse(text)!.AsObject();
        body["status"]!.GetValue<int>().ShouldBe(status);
        body["title"]!.GetValue<string>().ShouldBe(FrenchTitles[status]);
        body["detail"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        return body;
    }

    /// <summary>Posts JSON and reads the answer's JSON body (201/200 expected).</summary>
    public static async Task<JsonObject> PostAsync(HttpClient client, string path, object body, int status = 201)
    {
        var response = await client.PostAsync(path, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>
    /// Reads a list page after page, following <c>nextCursor</c> to the end, with <paramref name="afterFirstPage"/> run once the
    /// first page is read (rows added while a platform pages). Gives the ids in the order read and the number of pages.
    /// </summary>
    public static async Task<(List<Guid> Ids, int Pages)> ReadAllPagesAsync(HttpClient client, string path, int limit, Func<Task> afterFirstPage)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetAsync(client, $"{path}?limit={limit}{(cursor is null ? "" : $"&cursor={cursor}")}");
            ids.AddRange(page["items"]!.AsArray().Select(item => item!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            if (pages++ == 0)
                await afterFirstPage();
        }
        while (cursor is not null);
        return (ids, pages);
    }

    /// <summary>Row counts of every table the API writes: "nothing changed" is these counts unchanged.</summary>
    public async Task<Dictionary<string, int>> CountsAsync()
    {
        await using var db = Database.NewContext();
        return new Dictionary<string, int>
        {
            ["candidates"] = await db.Candidates.IgnoreQueryFilters().CountAsync(),
            ["documents"] = await db.Documents.IgnoreQueryFilters().CountAsync(),
            ["companies"] = await db.Companies.CountAsync(),
            ["contacts"] = await db.CompanyContacts.CountAsync(),
            ["invitations"] = await db.ContactInvitations.IgnoreQueryFilters().CountAsync(),
            ["offers"] = await db.JobOffers.IgnoreQueryFilters().CountAsync(),
            ["referrals"] = await db.Referrals.IgnoreQueryFilters().CountAsync(),
            ["events"] = await db.ReferralEvents.IgnoreQueryFilters().CountAsync(),
            ["pushes"] = await db.CvPushes.IgnoreQueryFilters().CountAsync(),
            ["outbox"] = await db.OutboxMessages.IgnoreQueryFilters().CountAsync(),
            ["idempotency"] = await db.IdempotentRequests.IgnoreQueryFilters().CountAsync(),
            ["offersActive"] = await db.JobOffers.IgnoreQueryFilters().CountAsync(o => o.IsActive),
            ["candidateVersions"] = (await db.Candidates.IgnoreQueryFilters().OrderBy(c => c.Id).Select(c => c.LastName + c.FirstName + c.Email + (c.Phone ?? "") + (c.ExternalId ?? "")).ToListAsync())
                .Aggregate(0, (hash, text) => HashCode.Combine(hash, text.GetHashCode(StringComparison.Ordinal))),
            ["referralVersions"] = await db.Referrals.IgnoreQueryFilters().SumAsync(r => r.Version),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(_documents, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
