using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using Npgsql;
using Passerelle.Bench;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.CompanyPortal;

/// <summary>
/// The benchmark's data and its baseline page (issue 6): the generated database is one the portal serves, the
/// baseline lists exactly the rows of the company list it is compared with, and it exists only when asked for.
/// </summary>
public partial class BenchmarkBaselineTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_baseline_lists_the_company_list_s_rows_only_when_the_benchmark_asks_for_it(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: provider == DatabaseProvider.Sqlite);
        if (provider == DatabaseProvider.Sqlite)
        {
            // The generator and the baseline are PostgreSQL's (the embedded default refuses the setting: StartupTests).
            await using var app = new PasserelleFactory(database);
            (await app.CreateClient().GetAsync($"/bench/baseline?school={Guid.NewGuid()}&contact={Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            return;
        }

        await DataGenerator.RunAsync(database.Options.ConnectionString, schools: 2, referrals: 400, TextWriter.Null);
        var (school, contact) = await SchoolAndContactAsync(database.Options.ConnectionString);
        var baselineUrl = $"/bench/baseline?school={school}&contact={contact}";

        await using (var production = new PasserelleFactory(database))
        {
            using var anonymous = production.CreateClient();
            (await anonymous.GetAsync(baselineUrl)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "off unless Benchmark:Baseline is true");
        }

        await using var bench = new PasserelleFactory(database, new Dictionary<string, string?> { ["Benchmark:Baseline"] = "true" });
        using var client = bench.CreateClient();
        await PortalWorld.LogInAsync(client, "bench.contact0", DataGenerator.Password);
        await PortalWorld.ChooseSchoolAsync(client, school);
        var (_, list) = await Browserless.GetAsync(client, "/entreprise/candidats");
        var (status, baseline) = await Browserless.GetAsync(bench.CreateClient(), baselineUrl);

        status.ShouldBe(HttpStatusCode.OK);
        list.QuerySelector("caption")!.TextContent.ShouldStartWith($"{DataGenerator.ListedReferrals} mise(s) en relation");
        var listed = Rows(list, "table.referrals tbody tr");
        var baselined = Rows(baseline, "tr:not(:first-child)");
        listed.Count.ShouldBe(20);
        baselined.Select(r => r[..4]).ShouldBe(listed.Select(r => r[..4]), "same offers, candidates, documents and dates, in the same order");
        listed.ShouldAllBe(r => r[2] == "CV - cv", "each generated referral shares the candidate's CV");
    }

    private static List<string[]> Rows(IHtmlDocument page, string selector) =>
        page.QuerySelectorAll(selector).Select(tr => tr.QuerySelectorAll("td").Select(td => Spaces().Replace(td.TextContent, " ").Trim()).ToArray()).ToList();

    private static async Task<(Guid School, Guid Contact)> SchoolAndContactAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT s.id, c.id FROM schools s, company_contacts c WHERE s.name = 'École 0000' AND c.user_name = 'bench.contact0'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        return (reader.GetGuid(0), reader.GetGuid(1));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
