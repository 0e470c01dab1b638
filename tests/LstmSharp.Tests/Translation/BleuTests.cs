// Bleu against NLTK 3.8's corpus_bleu on the committed fixture (plain, epsilon and NIST smoothing, orders 4 and 2),
// on tokens and on 13a-tokenized strings, plus hand cases: a perfect match, no overlap, the brevity penalty.
using System.Text.Json;
using LstmSharp.Translation;
using Xunit;

namespace LstmSharp.Tests.Translation;

public sealed class BleuTests
{
    const double Tolerance = 1e-9;

    public static TheoryData<string> TokenCases => BleuFixture.Names("bleu");
    public static TheoryData<string> TextCases => BleuFixture.Names("bleu_text");

    [Theory]
    [MemberData(nameof(TokenCases))]
    public void Bleu_Corpus_MatchesNltkOnTokens(string name)
    {
        var c = BleuFixture.Case("bleu", name);
        var hypotheses = BleuFixture.StringLists(c.GetProperty("hypotheses"));
        var references = BleuFixture.StringListLists(c.GetProperty("references"));
        foreach (var expected in c.GetProperty("results").EnumerateArray())
            AssertMatches(expected, Bleu.Corpus(hypotheses, references, Options(expected)));
    }

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Bleu_Corpus_MatchesNltkOn13aTokenizedStrings(string name)
    {
        var c = BleuFixture.Case("bleu_text", name);
        var hypotheses = BleuFixture.Strings(c.GetProperty("hypotheses"));
        var references = BleuFixture.StringLists(c.GetProperty("references"));
        foreach (var expected in c.GetProperty("results").EnumerateArray())
            AssertMatches(expected, Bleu.Corpus(hypotheses, references, Options(expected)));
    }

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Tokenizer13a_Tokenize_MatchesSacreBleuRules(string name)
    {
        var c = BleuFixture.Case("bleu_text", name);
        var hypotheses = BleuFixture.Strings(c.GetProperty("hypotheses"));
        var hypothesisTokens = BleuFixture.StringLists(c.GetProperty("hypothesis_tokens"));
        for (var i = 0; i < hypotheses.Length; i++) Assert.Equal(hypothesisTokens[i], Tokenizer13a.Tokenize(hypotheses[i]));
        var references = BleuFixture.StringLists(c.GetProperty("references"));
        var referenceTokens = BleuFixture.StringListLists(c.GetProperty("reference_tokens"));
        for (var i = 0; i < references.Length; i++)
            for (var j = 0; j < references[i].Length; j++) Assert.Equal(referenceTokens[i][j], Tokenizer13a.Tokenize(references[i][j]));
    }

    [Fact]
    public void Tokenizer13a_Tokenize_SplitsPunctuationButKeepsNumbers()
    {
        Assert.Equal(["Hello", ",", "world", "!"], Tokenizer13a.Tokenize("Hello, world!"));
        Assert.Equal(["3.14", "1,000", "5", "-", "3", "e-mail"], Tokenizer13a.Tokenize("3.14 1,000 5-3 e-mail"));
        Assert.Equal("a & b", Tokenizer13a.TokenizeToString("a &amp; b"));
    }

    [Fact]
    public void Bleu_Corpus_PerfectMatchIsOne()
    {
        var score = Bleu.Corpus(["the cat sat on the mat"], [["the cat sat on the mat"]]);
        Assert.Equal(1.0, score.Score, Tolerance);
        Assert.Equal([1.0, 1.0, 1.0, 1.0], score.Precisions);
        Assert.Equal(1.0, score.BrevityPenalty);
    }

    [Fact]
    public void Bleu_Corpus_NoOverlapIsZeroWithAnySmoothing()
    {
        foreach (var smoothing in Enum.GetValues<BleuSmoothing>())
            Assert.Equal(0.0, Bleu.Corpus(["a b c d"], [["w x y z"]], new() { Smoothing = smoothing }).Score);
    }

    [Fact]
    public void Bleu_Corpus_BrevityPenaltyIsExpOfOneMinusRefOverHyp()
    {
        // every n-gram matches, c = 6, r = 9: BLEU = exp(1 − 9/6)
        var score = Bleu.Corpus([["the", "cat", "sat", "on", "the", "mat"]], [[["the", "cat", "sat", "on", "the", "mat", "by", "the", "door"]]]);
        Assert.Equal(Math.Exp(1 - 9.0 / 6), score.BrevityPenalty, Tolerance);
        Assert.Equal(Math.Exp(1 - 9.0 / 6), score.Score, Tolerance);
        Assert.Equal((6L, 9L), (score.HypothesisLength, score.ReferenceLength));
    }

    [Fact]
    public void Bleu_Corpus_WorksOnIntegerIds()
    {
        int[][] hypotheses = [[1, 2, 3, 4, 5]];
        int[][][] references = [[[1, 2, 3, 4, 5]]];
        Assert.Equal(1.0, Bleu.Corpus(hypotheses, references).Score, Tolerance);
    }

    [Fact]
    public void Bleu_Corpus_RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => Bleu.Corpus(["a"], [["a"], ["b"]]));
        Assert.Throws<ArgumentException>(() => Bleu.Corpus(["a"], [[]]));
        Assert.Throws<ArgumentException>(() => Bleu.Corpus([], Array.Empty<string[]>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Corpus(["a"], [["a"]], new() { MaxOrder = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bleu.Corpus(["a"], [["a"]], new() { Epsilon = 0 }));
    }

    static BleuOptions Options(JsonElement expected) => new()
    {
        MaxOrder = expected.GetProperty("max_order").GetInt32(),
        Epsilon = expected.GetProperty("epsilon").GetDouble(),
        Smoothing = expected.GetProperty("smoothing").GetString() switch
        {
            "none" => BleuSmoothing.None,
            "epsilon" => BleuSmoothing.Epsilon,
            "nist" => BleuSmoothing.Nist,
            var other => throw new InvalidDataException($"Unknown smoothing '{other}' in the fixture."),
        },
    };

    static void AssertMatches(JsonElement expected, BleuScore actual)
    {
        Assert.Equal(expected.GetProperty("score").GetDouble(), actual.Score, Tolerance);
        Assert.Equal(expected.GetProperty("brevity_penalty").GetDouble(), actual.BrevityPenalty, Tolerance);
        Assert.Equal(BleuFixture.Longs(expected.GetProperty("matches")), actual.Matches);
        Assert.Equal(BleuFixture.Longs(expected.GetProperty("totals")), actual.Totals);
        Assert.Equal(expected.GetProperty("hypothesis_length").GetInt64(), actual.HypothesisLength);
        Assert.Equal(expected.GetProperty("reference_length").GetInt64(), actual.ReferenceLength);
    }
}
