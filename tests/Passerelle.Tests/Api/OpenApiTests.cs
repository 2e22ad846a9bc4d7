using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Passerelle.Api;
using Passerelle.Storage;
using Passerelle.Tests.Browser;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Api;

/// <summary>The OpenAPI document describes every operation fully, and passes Redocly's strictest lint.</summary>
public sealed class OpenApiTests
{
    private static async Task<JsonObject> DocumentAsync()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseProvider.Sqlite);
        using var anonymous = world.App.CreateClient();
        return await ApiWorld.GetAsync(anonymous, "/openapi/v1.json");
    }

    [Fact]
    public async Task Every_list_documents_its_query_parameters_and_accepts_those_only()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseProvider.Sqlite);
        await using (var db = world.Db())
            await db.Schools.Where(x => x.Id == world.School.School.Id).ExecuteUpdateAsync(set => set.SetProperty(x => x.PushCvEnabled, true));
        using var anonymous = world.App.CreateClient();
        var document = await ApiWorld.GetAsync(anonymous, "/openapi/v1.json");
        using var client = world.Client();
        var lists = document["paths"]!.AsObject().Where(p => !p.Key.Contains('{') && p.Value!["get"] is not null).ToList();
        lists.Select(l => l.Key).ShouldBe(["/api/v1/candidates", "/api/v1/companies", "/api/v1/contacts", "/api/v1/offers", "/api/v1/referrals", "/api/v1/pushes"], ignoreOrder: true);
        foreach (var (path, operations) in lists)
        {
            var parameters = operations!["get"]!["parameters"]!.AsArray().Select(p => p!.AsObject()).ToList();
            parameters.Select(p => p["name"]!.GetValue<string>()).ShouldContain("limit", path);
            parameters.Select(p => p["name"]!.GetValue<string>()).ShouldContain("cursor", path);
            foreach (var parameter in parameters)
            {
                var name = parameter["name"]!.GetValue<string>();
                parameter["in"]!.GetValue<string>().ShouldBe("query", $"{path} {name}");
                parameter["description"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace($"{path} {name}");
                // Documented, so accepted (an empty value is no filter).
                (await client.GetAsync($"{path}?{name}=")).StatusCode.ShouldBe(HttpStatusCode.OK, $"{path}?{name}=");
            }
            using var unknown = await client.GetAsync($"{path}?updatedAfter=2026-01-01T00:00:00Z");
            unknown.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, path);
            var problem = JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!;
            problem["errors"]!["updatedAfter"]![0]!.GetValue<string>().ShouldStartWith("« updatedAfter » n'est pas un paramètre de cette liste. Ses paramètres : ");
        }
        var stage = document["paths"]!["/api/v1/referrals"]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "stage")!;
        stage["schema"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ShouldContain("awaitingCompany");
        var updatedSince = document["paths"]!["/api/v1/referrals"]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "updatedSince")!;
        updatedSince["schema"]!["format"]!.GetValue<string>().ShouldBe("date-time");
    }

    [Fact]
    public async Task Every_webhook_event_type_is_documented_with_its_signature_headers_body_and_example()
    {
        var document = await DocumentAsync();
        var webhooks = document["webhooks"]!.AsObject();
        webhooks.Select(w => w.Key).ShouldBe(Passerelle.Webhooks.WebhookEvents.Types.Select(t => t.Type), ignoreOrder: true);
        foreach (var (type, item) in webhooks)
        {
            var post = item!["post"]!;
            post["summary"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(type);
            post["parameters"]!.AsArray().Select(p => (p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["required"]!.GetValue<bool>()))
                .ShouldBe([("webhook-id", "header", true), ("webhook-timestamp", "header", true), ("webhook-signature", "header", true)], type);
            var body = post["requestBody"]!["content"]!["application/json"]!;
            var schemaName = body["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1];
            var example = body["example"]!;
            example["type"]!.GetValue<string>().ShouldBe(type);
            // The example says what the sender writes: every one of its fields is in the schema, and the other way round.
            var fields = document["components"]!["schemas"]![schemaName]!["properties"]!["data"]!["properties"]!.AsObject().Select(f => f.Key);
            example["data"]!.AsObject().Select(f => f.Key).ShouldBe(fields, ignoreOrder: true, type);
            post["responses"]!.AsObject().Select(r => r.Key).ShouldBe(["2XX", "4XX", "5XX"], ignoreOrder: true);
        }
    }

    [Fact]
    public async Task Every_operation_has_a_summary_an_id_its_error_answers_and_examples()
    {
        var document = await DocumentAsync();
        document["openapi"]!.GetValue<string>().ShouldStartWith("3.1");
        document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>().ShouldBe("bearer");
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(o => o.Key is "get" or "post" or "put" or "patch" or "delete").Select(o => (Path: path.Key, Method: o.Key, Operation: o.Value!.AsObject())))
            .ToList();
        operations.Count.ShouldBeGreaterThanOrEqualTo(26);
        document["paths"]!.AsObject().Select(p => p.Key).ShouldAllBe(p => p.StartsWith("/api/v1/", StringComparison.Ordinal));
        foreach (var (path, method, operation) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            operation["summary"].ShouldNotBeNull(name);
            operation["summary"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(name);
            operation["operationId"].ShouldNotBeNull(name);
            operation["operationId"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(name);
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
                (parameter!["description"]?.GetValue<string>()).ShouldNotBeNullOrWhiteSpace($"{name} {parameter["name"]}");
            var responses = operation["responses"]!.AsObject();
            responses.Select(r => r.Key).ShouldContain("401", name);
            responses.Select(r => r.Key).ShouldContain("429", name);
            foreach (var (code, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                var problem = response!["content"]!["application/problem+json"]!;
                problem["example"]!["title"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace($"{name} {code}");
            }
            if (operation["requestBody"]?["content"]?["application/json"] is { } body)
                body["example"].ShouldNotBeNull($"{name}: its request body has an example");
        }
        // A number is a number, in a request and in an answer (not "integer or string").
        var numbers = document["components"]!["schemas"]!.AsObject()
            .SelectMany(s => s.Value!["properties"]?.AsObject().Select(p => (Name: $"{s.Key}.{p.Key}", Schema: p.Value!)) ?? [])
            .Where(p => p.Schema["format"]?.GetValue<string>() is "int32" or "int64")
            .ToList();
        numbers.Select(p => p.Name).ShouldContain("ReferralResource.version");
        foreach (var (field, schema) in numbers)
        {
            schema["type"]!.ToJsonString().ShouldNotContain("string", customMessage: field);
            schema["pattern"].ShouldBeNull(field);
        }
        var answers = document["paths"]!["/api/v1/referrals/{id}/answers"]!["post"]!["responses"]!.AsObject().Select(r => r.Key).ToList();
        answers.ShouldBe(["200", "400", "401", "404", "409", "415", "422", "429"], ignoreOrder: true);

        // The creations that send mail take an Idempotency-Key, and a generated client offers it: in the header, with its bounds.
        var idempotent = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Operation: $"{o.Key.ToUpperInvariant()} {p.Key}", Parameters: o.Value!["parameters"]?.AsArray() ?? [])))
            .Where(o => o.Parameters.Any(p => p!["name"]!.GetValue<string>() == Idempotency.Header))
            .ToList();
        idempotent.Select(o => o.Operation).ShouldBe(["POST /api/v1/referrals", "POST /api/v1/pushes"], ignoreOrder: true);
        foreach (var (operation, parameters) in idempotent)
        {
            var header = parameters.Single(p => p!["name"]!.GetValue<string>() == Idempotency.Header)!;
            (header["in"]!.GetValue<string>(), header["required"]?.GetValue<bool>() ?? false, header["schema"]!["maxLength"]!.GetValue<int>())
                .ShouldBe(("header", false, Idempotency.MaxKeyLength), operation);
            var path = operation.Split(' ')[1];
            document["paths"]![path]!["post"]!["responses"]!["201"]!["headers"]![Idempotency.ReplayedHeader].ShouldNotBeNull(operation);
        }
    }

    /// <summary>
    /// What a platform's generated client and a reader of /api/docs take from a request body's <c>required</c>: the fields
    /// without which the API answers 422, no more (an optional phone or version marked required would have to be sent) and
    /// no fewer, each of them not nullable (a null one is refused like an absent one). And each field says what it is.
    /// </summary>
    [Fact]
    public async Task Each_request_body_requires_exactly_the_fields_the_api_refuses_without()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseProvider.Sqlite);
        var s = world.School;
        await using (var db = world.Db())
            await db.Schools.Where(x => x.Id == s.School.Id).ExecuteUpdateAsync(set => set.SetProperty(x => x.PushCvEnabled, true));
        var referral = await Seed.ReferralAsync(world.Database, s);
        using var anonymous = world.App.CreateClient();
        var document = await ApiWorld.GetAsync(anonymous, "/openapi/v1.json");
        var schemas = document["components"]!["schemas"]!.AsObject();
        using var client = world.Client();

        // The body sent: "{}" for the request itself, or a valid request with "{}" where a nested input goes.
        var bodies = new List<(string Method, string Path, string Schema, string Body, string Prefix)>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var content = operation!["requestBody"]?["content"];
                var json = content?["application/json"] is not null;
                if ((content?["application/json"] ?? content?["multipart/form-data"])?["schema"]?["$ref"] is not { } reference)
                    continue;
                var id = path.StartsWith("/api/v1/candidates/", StringComparison.Ordinal) ? s.Candidate.Id
                    : path.StartsWith("/api/v1/offers/", StringComparison.Ordinal) ? s.Offer.Id
                    : path.StartsWith("/api/v1/companies/", StringComparison.Ordinal) ? s.Company.Id
                    : path.StartsWith("/api/v1/contacts/", StringComparison.Ordinal) ? s.Contact.Id
                    : referral;
                var filled = path.Replace("{externalId}", "ETU-REQ", StringComparison.Ordinal).Replace("{id}", id.ToString(), StringComparison.Ordinal);
                // A form with neither file nor field for a multipart body.
                bodies.Add((method.ToUpperInvariant(), filled, reference.GetValue<string>().Split('/')[^1], json ? "{}" : "", ""));
            }
        }
        bodies.Add(("POST", "/api/v1/referrals", "ReferralCandidateInput", $$"""{"offerId":"{{s.Offer.Id}}","contactId":"{{s.Contact.Id}}","candidates":[{}]}""", "candidates[0]."));
        bodies.Add(("POST", "/api/v1/pushes", "PushProfileInput", $$"""{"profiles":[{}],"contactIds":["{{s.Contact.Id}}"]}""", "profiles[0]."));
        bodies.Add(("POST", $"/api/v1/referrals/{referral}/answers", "AppointmentInput", """{"party":"company","answer":"acceptCandidate","appointment":{}}""", "appointment."));

        // Every object a request body holds is checked, nested ones included.
        var reachable = new HashSet<string>();
        void Reach(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o when o["$ref"] is { } r && r.GetValue<string>().Split('/')[^1] is var name:
                    if (schemas[name]!["properties"] is not null && reachable.Add(name))
                        Reach(schemas[name]);
                    break;
                case JsonObject o:
                    foreach (var (_, child) in o)
                        Reach(child);
                    break;
                case JsonArray a:
                    foreach (var child in a)
                        Reach(child);
                    break;
            }
        }
        foreach (var body in bodies.Where(b => b.Prefix.Length == 0))
            Reach(new JsonObject { ["$ref"] = $"#/components/schemas/{body.Schema}" });
        bodies.Select(b => b.Schema).Distinct().ShouldBe(reachable, ignoreOrder: true);

        var failures = new List<string>();
        foreach (var (method, path, schemaName, body, prefix) in bodies)
        {
            var schema = schemas[schemaName]!;
            var required = schema["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToList() ?? [];
            HttpContent content = body.Length > 0 ? ApiWorld.Raw(body) : new MultipartFormDataContent { { new StringContent(""), "title" } };
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });
            var problem = await ApiWorld.ProblemAsync(response, 422);
            var refused = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
            if (!refused.All(f => f.StartsWith(prefix, StringComparison.Ordinal))
                || !refused.Select(f => f[prefix.Length..]).Order().SequenceEqual(required.Order()))
                failures.Add($"{method} {path} {schemaName}: refuses without [{string.Join(", ", refused)}], requires [{string.Join(", ", required)}]");
            foreach (var (field, property) in schema["properties"]!.AsObject())
            {
                var description = property!["description"] ?? property["oneOf"]?.AsArray().Select(o => o!["description"]).FirstOrDefault(d => d is not null);
                if (string.IsNullOrWhiteSpace(description?.GetValue<string>()))
                    failures.Add($"{schemaName}.{field} has no description");
            }
            foreach (var field in required)
            {
                var property = schema["properties"]![field]!;
                if (property["$ref"] is { } referenced)
                    property = schemas[referenced.GetValue<string>().Split('/')[^1]]!;
                if (property.ToJsonString().Contains("\"null\"", StringComparison.Ordinal))
                    failures.Add($"{schemaName}.{field} is required but documented as nullable: {property.ToJsonString()}");
            }
        }
        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures));
    }

    [Fact]
    [Trait(Category.Name, Category.Process)]
    public async Task The_document_passes_redocly_lint_recommended_strict()
    {
        Category.Needs(Category.Process);
        var document = await DocumentAsync();
        var root = BrowserApp.RepositoryRoot();
        var redocly = Path.Combine(root, "tests", "Passerelle.Tests", "node_modules", ".bin", "redocly");
        File.Exists(redocly).ShouldBeTrue("npm ci in tests/Passerelle.Tests installs @redocly/cli (scripts/test.sh does it)");
        var folder = Directory.CreateTempSubdirectory("passerelle-openapi-").FullName;
        try
        {
            var file = Path.Combine(folder, "openapi.json");
            await File.WriteAllTextAsync(file, document.ToJsonString());
            var start = new ProcessStartInfo(redocly)
            {
                ArgumentList = { "lint", file, "--config", Path.Combine(root, "docs", "api", "redocly.yaml"), "--format", "stylish" },
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder,
            };
            start.Environment["REDOCLY_TELEMETRY"] = "off";
            start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            using var lint = Process.Start(start)!;
            var output = lint.StandardOutput.ReadToEndAsync();
            var errors = lint.StandardError.ReadToEndAsync();
            await lint.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
            var report = await output + await errors;
            lint.ExitCode.ShouldBe(0, report);
            report.ShouldNotContain("warning", Case.Insensitive, report);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
