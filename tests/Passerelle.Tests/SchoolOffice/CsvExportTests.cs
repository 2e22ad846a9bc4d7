using System.Text;
using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.SchoolOffice;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>
/// A cell a spreadsheet would read as a formula (=, +, -, @, tab, carriage return first: OWASP's list) starts with an
/// apostrophe, so an exported name like <c>=HYPERLINK(…)</c> shows as text instead of running.
/// </summary>
public class CsvCellTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+33 6 12 34 56 78", "'+33 6 12 34 56 78")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SOMME(A1:A9)", "'@SOMME(A1:A9)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    [InlineData("Jean-Pierre @ Bordeaux", "Jean-Pierre @ Bordeaux")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    public void A_cell_that_starts_like_a_formula_starts_with_an_apostrophe(string value, string cell) => CsvExport.Cell(value).ShouldBe(cell);

    [Theory]
    [InlineData("simple", "simple")]
    [InlineData("a;b", "\"a;b\"")]
    [InlineData("dit \"oui\"", "\"dit \"\"oui\"\"\"")]
    [InlineData("deux\nlignes", "\"deux\nlignes\"")]
    public void A_cell_with_a_separator_a_quote_or_a_line_break_is_quoted(string value, string cell) => CsvExport.Cell(value).ShouldBe(cell);
}

[Trait(Category.Name, Category.Smtp)]
public class CsvExportTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_column_people_fill_in_is_exported_as_text_never_as_a_formula(DatabaseProvider provider)
    {
        await using var world = await PortalWorld.CreateAsync(provider);
        await using (var db = world.Database.NewContext())
        {
            db.ForSchool(DemoData.SchoolId);
            (await db.Candidates.SingleAsync(c => c.LastName == "TECHER")).LastName = "-2+3";
            (await db.JobOffers.SingleAsync(o => o.Title == "Et laboriosam praesentium")).Title = "\r=1+1";
            (await db.Companies.IgnoreQueryFilters().SingleAsync(c => c.Name == "Laboriosam Industries")).Name = "\t=2+2";
            (await db.CompanyContacts.IgnoreQueryFilters().SingleAsync(c => c.LastName == "LEFEBVRE")).LastName = "@SOMME(A1:A9)";
            (await db.Staff.SingleAsync(s => s.LastName == "MARTIN")).LastName = "=HYPERLINK(\"HTTPS://EXAMPLE.ORG\")";
            await db.SaveChangesAsync();
        }
        using var client = world.Client();
        await PortalWorld.LogInStaffAsync(client, "demo.ecole");

        var csv = await client.GetAsync("/ecole/mises-en-relation?handler=Csv");

        var lines = Encoding.UTF8.GetString((await csv.Content.ReadAsByteArrayAsync())[3..]).Split("\r\n");
        lines.ShouldContain("15/05/2020;'-2+3 Margaud;\"'\r=1+1\";'\t=2+2;'@SOMME(A1:A9) Sophie;\"'=HYPERLINK(\"\"HTTPS://EXAMPLE.ORG\"\") Benoît\";"
            + "En attente de l'entreprise;Offre acceptée - le 15/06/2020;;");
    }
}
