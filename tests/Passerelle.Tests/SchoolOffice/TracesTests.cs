using Passerelle.PersonalData;

namespace Passerelle.Tests.SchoolOffice;

/// <summary>What an erasure replaces in the free texts it keeps: the person's name and details, and nothing else.</summary>
public class TracesTests
{
    private static readonly Traces Lea = new(Erasure.ErasedName, "DUPONT Léa", "Léa DUPONT", "DUPONT", "Léa", "lea.dupont@example.org", "NC");

    [Theory]
    [InlineData("Bonjour Léa, M. Dupont vous attend.", "Bonjour Candidat effacé, M. Candidat effacé vous attend.")]
    [InlineData("Écrire à lea.dupont@example.org", "Écrire à Candidat effacé")]
    [InlineData("Léa DUPONT (Dupontel, Dupond, Léandre)", "Candidat effacé (Dupontel, Dupond, Léandre)")]
    [InlineData("Tél. NC — annoncé en France", "Tél. Candidat effacé — annoncé en France")]
    public void Whole_words_of_the_person_go_and_words_that_only_contain_them_stay(string text, string scrubbed) =>
        Lea.Scrub(text).ShouldBe(scrubbed);

    [Fact]
    public void In_a_stored_json_payload_the_escaped_name_goes_and_the_keys_stay()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { location = "/api/v1/referrals/1", cancelled = true, body = new { comment = "Merci\nLéa DUPONT", phone = "NC" } });
        var scrubbed = Lea.Scrub(json)!;
        scrubbed.ShouldNotContain("L\\u00E9a", Case.Insensitive);
        scrubbed.ShouldNotContain("DUPONT", Case.Insensitive);
        var document = System.Text.Json.JsonDocument.Parse(scrubbed).RootElement;
        document.GetProperty("location").GetString().ShouldBe("/api/v1/referrals/1");
        document.GetProperty("cancelled").GetBoolean().ShouldBeTrue("a key holding the letters of a short value (\"nc\") is left alone");
        document.GetProperty("body").GetProperty("comment").GetString().ShouldBe("Merci\nCandidat effacé");
        document.GetProperty("body").GetProperty("phone").GetString().ShouldBe("Candidat effacé");
    }
}
