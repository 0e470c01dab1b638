// ChrF against sacreBLEU 2.x's definition (transcribed into the fixture generator) on the committed fixture, for the
// default chrF2, with white space kept, and for order 3 with β = 1; plus hand cases.
using LstmSharp.Translation;
using Xunit;

namespace LstmSharp.Tests.Translation;

public sealed class ChrFTests
{
    const double Tolerance = 1e-9;

    public static TheoryData<string> Cases => BleuFixture.Names("chrf");

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChrF_Corpus_MatchesSacreBleuDefinition(string name)
    {
        var c = BleuFixture.Case("chrf", name);
        var hypotheses = BleuFixture.Strings(c.GetProperty("hypotheses"));
        var references = BleuFixture.StringLists(c.GetProperty("references"));
        foreach (var expected in c.GetProperty("results").EnumerateArray())
        {
            var options = new ChrFOptions
            {
                CharOrder = expected.GetProperty("char_order").GetInt32(),
                Beta = expected.GetProperty("beta").GetDouble(),
                IncludeWhiteSpace = expected.GetProperty("whitespace").GetBoolean(),
            };
            var actual = ChrF.Corpus(hypotheses, references, options);
            Assert.Equal(expected.GetProperty("score").GetDouble(), actual.Score, Tolerance);
            Assert.Equal(expected.GetProperty("precision").GetDouble(), actual.Precision, Tolerance);
            Assert.Equal(expected.GetProperty("recall").GetDouble(), actual.Recall, Tolerance);
            Assert.Equal(BleuFixture.Longs(expected.GetProperty("hypothesis_counts")), actual.HypothesisCounts);
            Assert.Equal(BleuFixture.Longs(expected.GetProperty("reference_counts")), actual.ReferenceCounts);
            Assert.Equal(BleuFixture.Longs(expected.GetProperty("matches")), actual.Matches);
        }
    }

    [Fact]
    public void ChrF_Corpus_PerfectMatchIsOneAndNoOverlapIsZero()
    {
        Assert.Equal(1.0, ChrF.Corpus(["the cat sat"], [["the cat sat"]]).Score, Tolerance);
        Assert.Equal(1.0, ChrF.Corpus(["thecat sat"], [["the cat  sat"]]).Score, Tolerance); // white space removed
        Assert.Equal(0.0, ChrF.Corpus(["xyz"], [["abc"]]).Score);
    }

    [Fact]
    public void ChrF_Corpus_UnigramsOnlyIsFBetaOfCharacterPrecisionAndRecall()
    {
        // order 1: hypothesis "ab" vs reference "abcd": P = 1, R = 1/2, F₂ = 5 · 0.5 / (4 + 0.5)
        var score = ChrF.Corpus(["ab"], [["abcd"]], new() { CharOrder = 1 });
        Assert.Equal(5 * 0.5 / 4.5, score.Score, Tolerance);
    }

    [Fact]
    public void ChrF_Corpus_RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => ChrF.Corpus(["a"], [["a"], ["b"]]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChrF.Corpus(["a"], [["a"]], new() { Beta = 0 }));
    }
}
