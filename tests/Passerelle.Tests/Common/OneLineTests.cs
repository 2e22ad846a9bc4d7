using Passerelle.Common;

namespace Passerelle.Tests.Common;

public sealed class OneLineTests
{
    [Theory]
    [InlineData("TECHER", "TECHER")]
    [InlineData("  Margaud ", "Margaud")]
    [InlineData("Martin\nde la Tour", "Martin de la Tour")]
    [InlineData("Jean\r\n\r\nPaul", "Jean Paul")]
    [InlineData("Alternance\t web ", "Alternance web")]
    [InlineData("06  12 34", "06 12 34")]
    [InlineData("Le\u0001Gall", "Le Gall")]
    [InlineData("Rendez-vous\u00A0: Bordeaux", "Rendez-vous\u00A0: Bordeaux")] // a non-breaking space is typography, kept
    public void A_value_is_kept_trimmed_on_one_line_with_single_spaces(string typed, string kept) => OneLine.Of(typed).ShouldBe(kept);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \r\n\t")]
    [InlineData("\u0001\u0007")] // control characters alone
    public void A_blank_optional_value_is_none(string? typed) => OneLine.OrNull(typed).ShouldBeNull();
}
