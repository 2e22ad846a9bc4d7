using Passerelle.Accounts;

namespace Passerelle.Tests.Security;

/// <summary>The tokens of links and API keys, as hands and mail clients alter them: refused, never an exception (a 500).</summary>
public class SecretTokenTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    [Fact]
    public void Any_last_character_is_parsed_or_refused_and_only_the_token_itself_names_its_id()
    {
        var (id, hash, token) = SecretToken.Create();
        var accepted = new List<char>();
        foreach (var last in Alphabet)
        {
            var altered = token[..^1] + last;
            if (SecretToken.TryParse(altered, out var parsedId, out var parsedHash))
            {
                accepted.Add(last);
                parsedId.ShouldBe(id);
                SecretToken.Matches(hash, parsedHash).ShouldBe(altered == token, altered);
            }
        }
        // 43 characters carry 32 bytes and 2 unused bits: the 16 characters whose unused bits are zero decode (to another
        // secret, which does not match); the 48 others are refused, not thrown on.
        accepted.ShouldContain(token[^1]);
        accepted.Count.ShouldBe(16, $"accepted: {string.Join(' ', accepted)}");
        accepted.ShouldAllBe(c => Alphabet.IndexOf(c) % 4 == 0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("court")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")]
    public void Malformed_tokens_are_refused(string? token) => SecretToken.TryParse(token, out _, out _).ShouldBeFalse();
}
