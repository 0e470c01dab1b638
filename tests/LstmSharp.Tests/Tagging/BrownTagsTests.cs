// BrownTags: the base-tag rule of data/README.md, on tags written for the test (no corpus text).
using LstmSharp.Tagging;
using Xunit;

namespace LstmSharp.Tests.Tagging;

public sealed class BrownTagsTests
{
    [Theory]
    [InlineData("nn", "nn")]
    [InlineData("nn-tl", "nn")]
    [InlineData("nn-tl-hl", "nn")]
    [InlineData("jj-nc", "jj")]
    [InlineData("fw-nn", "fw")]
    [InlineData("fw-in+at-t", "fw")]
    [InlineData("fw-*", "fw")]
    [InlineData("--", "--")]
    [InlineData("---hl", "--")]
    [InlineData("bez*", "bez")]
    [InlineData("md*-hl", "md")]
    [InlineData("ppss+bez*", "ppss+bez")]
    [InlineData("*", "*")]
    [InlineData("*-hl", "*")]
    [InlineData("np$", "np$")]
    [InlineData("np$-tl", "np$")]
    [InlineData("ppss+md", "ppss+md")]
    [InlineData("ppss+ber-n", "ppss+ber")]
    [InlineData("nil", "nil")]
    [InlineData("'", "'")]
    public void BrownTags_Base_AppliesTheRuleInOrder(string tag, string expected) =>
        Assert.Equal(expected, BrownTags.Base(tag));

    [Fact]
    public void BrownTags_Base_EmptyTag_Throws() =>
        Assert.Throws<ArgumentException>(() => BrownTags.Base(""));
}
