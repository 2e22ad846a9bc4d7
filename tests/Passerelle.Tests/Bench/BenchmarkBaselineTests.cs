using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Npgsql;
using Passerelle.Bench;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Bench;

/// <summary>
/// The benchmark's data and its baseline (figure b): the generated database is one the portal serves, and the
/// baseline — served by the benchmark's own host, not by Passerelle — lists exactly the rows of the company list it
/// is compared with.
/// </summary>
[Trait(Category.Name, Category.PostgreSQL)] // PostgreSQL only: the generator and the baseline are written for it
public partial class BenchmarkBaselineTests
{
    public static TheoryData<DatabaseProvider> PostgreSQL => TestDatabase.PostgreSQLOnly;

    [Theory]
    [MemberData(nameof(PostgreSQL))]
    public async Task The_baseline_lists_the_company_list_s_rows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        await DataGenerator.RunAsync(database.Options.ConnectionString, schools: 2, referrals: 400, TextWriter.Null);
        var (school, contact) = await SchoolAndContactAsync(database.Options.ConnectionString);

        await using var app = new PasserelleFactory(database);
        using var client = app.CreateClient();
        await PortalWorld.LogInAsync(client, "bench.contact0", DataGenerator.Password);
        await PortalWorld.ChooseSchoolAsync(client, school);
        var (_, list) = await Browserless.GetAsync(client, "/entreprise/candidats");
        var baseline = await new HtmlParser().ParseDocumentAsync(
            await BaselineList.RenderAsync(database.Options.ConnectionString, school, contact, CancellationToken.None));

        list.QuerySelector("caption")!.TextContent.ShouldStartWith($"{DataGenerator.ListedReferrals} mise(s) en relation");
        var listed = Rows(list, "table.referrals tbody tr");
        var baselined = Rows(baseline, "tr:not(:first-child)");
        listed.Count.ShouldBe(20);
        baselined.Select(r => r[..4]).ShouldBe(listed.Select(r => r[..4]), "same offers, candidates, documents and dates, in the same order");
        listed.ShouldAllBe(r => r[2] == "CV - cv", "each generated referral shares the candidate's CV");
        (await client.GetAsync($"{BaselineList.Path}?school={school}&contact={contact}")).StatusCode
            .ShouldBe(HttpStatusCode.NotFound, "Passerelle itself has no page without a sign-in for the benchmark");
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
