using Passerelle.Companies;

namespace Passerelle.Tests.Companies;

public class SiretTests
{
    [Theory]
    [InlineData("90123456700013")]
    [InlineData("73282932000074")]
    [InlineData("35600000000010")] // La Poste: digit sum divisible by 5
    public void A_valid_siret_is_accepted(string siret) => Siret.IsValid(siret).ShouldBeTrue();

    [Theory]
    [InlineData("90123456700014")] // wrong check digit
    [InlineData("9012345670001")] // 13 digits
    [InlineData("901234567000133")] // 15 digits
    [InlineData("9012345670001A")]
    [InlineData("")]
    [InlineData("35600000000011")] // La Poste rule broken
    public void An_invalid_siret_is_refused(string siret) => Siret.IsValid(siret).ShouldBeFalse();

    [Fact]
    public void Spaces_people_type_are_removed() => Siret.Normalize(" 901 234 567 00013 ").ShouldBe("90123456700013");

    [Fact]
    public void Normalizing_an_invalid_siret_gives_nothing() => Siret.Normalize("123").ShouldBeNull();
}
