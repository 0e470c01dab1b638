// TextTokens: whitespace and rule-based splitting of raw text, each token with its offset, on hand-made sentences
// covering contractions, hyphens, numbers, abbreviations, quotes and repeated marks.
using LstmSharp.Tagging;
using Xunit;

namespace LstmSharp.Tests.Tagging;

public sealed class TextTokensTests
{
    static string[] Texts(IReadOnlyList<TextToken> tokens) => [.. tokens.Select(t => t.Text)];

    [Theory]
    [InlineData("Anna visited Oslo.", "Anna|visited|Oslo|.")]
    [InlineData("\"It isn't here,\" she said...", "\"|It|isn't|here|,|\"|she|said|...")]
    [InlineData("Mr. Smith left the U.S. on May 3.", "Mr.|Smith|left|the|U.S.|on|May|3|.")]
    [InlineData("a well-known fact -- 1,000 people paid $3.50 (or less)!", "a|well-known|fact|--|1,000|people|paid|$|3.50|(|or|less|)|!")]
    [InlineData("It cost 3.5.", "It|cost|3.5|.")]
    [InlineData("'quoted' don’t ", "'|quoted|'|don’t")]
    [InlineData("Zürich, 2 p.m.", "Zürich|,|2|p.m.")]
    [InlineData("I said no. I met Jan.", "I|said|no|.|I|met|Jan|.")]
    [InlineData("etc... and example.com.", "etc|...|and|example.com|.")]
    [InlineData("John F. Kennedy got a Ph.D. in it, plan B.", "John|F.|Kennedy|got|a|Ph.D.|in|it|,|plan|B|.")]
    [InlineData("Dr. Berg, Jr. met Mrs. Holm", "Dr.|Berg|,|Jr.|met|Mrs.|Holm")]
    [InlineData("", "")]
    public void Rules_SplitAsExpected(string text, string expected) =>
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), Texts(TextTokens.Rules(text)));

    [Fact]
    public void Rules_OffsetsPointAtEachToken()
    {
        const string text = "  Dr. Berg  met\tAnna, twice.";
        var tokens = TextTokens.Rules(text);
        Assert.Equal(["Dr.", "Berg", "met", "Anna", ",", "twice", "."], Texts(tokens));
        foreach (var t in tokens) Assert.Equal(t.Text, text.Substring(t.Start, t.Text.Length));
        Assert.Equal(2, tokens[0].Start);
    }

    [Fact]
    public void Rules_SurrogatePairsStayWhole()
    {
        var tokens = TextTokens.Rules("ok 😀😀 𝒜b");
        Assert.Equal(["ok", "😀😀", "𝒜b"], Texts(tokens));
    }

    [Fact]
    public void Whitespace_KeepsTokensVerbatim()
    {
        var tokens = TextTokens.Whitespace(" Oslo. isn't  (x)");
        Assert.Equal(["Oslo.", "isn't", "(x)"], Texts(tokens));
        Assert.Equal([1, 7, 14], tokens.Select(t => t.Start));
    }
}
