using Passerelle.Email;
using Passerelle.Referrals;

namespace Passerelle.Tests.Email;

public class ActionLinkTests
{
    private static (ActionLink Link, string Token) NewLink() => ActionLink.Create(Guid.NewGuid(), Guid.NewGuid(), Recipient.CompanyContact,
        Guid.NewGuid(), LinkStep.Company, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(7), null);

    [Fact]
    public void A_token_names_its_link_and_matches_only_its_own_secret()
    {
        var (link, token) = NewLink();

        ActionLink.TryParse(token, out var id, out var hash).ShouldBeTrue();

        id.ShouldBe(link.Id);
        link.Matches(hash).ShouldBeTrue();
        token.Length.ShouldBe(43, "32 random-bearing bytes, base64url");
        link.SecretHash.Length.ShouldBe(32, "only the SHA-256 of the secret is kept");
        token.ShouldNotContain(Convert.ToBase64String(link.SecretHash));
    }

    [Fact]
    public void Two_links_never_share_a_token()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => NewLink().Token).ToHashSet();

        tokens.Count.ShouldBe(1000);
    }

    [Fact]
    public void A_tampered_token_does_not_match()
    {
        var (link, token) = NewLink();
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        ActionLink.TryParse(tampered, out var id, out var hash).ShouldBeTrue();

        id.ShouldBe(link.Id);
        link.Matches(hash).ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_malformed_token_is_refused(string? token) => ActionLink.TryParse(token, out _, out _).ShouldBeFalse();
}
