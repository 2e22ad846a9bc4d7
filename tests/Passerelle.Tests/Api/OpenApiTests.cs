using System.Diagnostics;
using System.Text.Json.Nodes;
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
        var answers = document["paths"]!["/api/v1/referrals/{id}/answers"]!["post"]!["responses"]!.AsObject().Select(r => r.Key).ToList();
        answers.ShouldBe(["200", "400", "401", "404", "409", "415", "422", "429"], ignoreOrder: true);
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
