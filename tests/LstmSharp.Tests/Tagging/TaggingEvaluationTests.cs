// TaggingEvaluation: entity scores against a conlleval result computed by hand on the sentences of
// Fixtures/tagging/sample.conll (BIO) and sample_iobes.conll (the same spans in IOBES); token accuracy and confusion.
using LstmSharp.Tagging;
using Xunit;

namespace LstmSharp.Tests.Tagging;

public sealed class TaggingEvaluationTests
{
    static (IReadOnlyList<IReadOnlyList<string>> Gold, IReadOnlyList<IReadOnlyList<string>> Predicted) Sample(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tagging", name);
        return ([.. Conll.Read(path, tagColumn: 1).Select(s => s.Tags)], [.. Conll.Read(path, tagColumn: 2).Select(s => s.Tags)]);
    }

    // Hand computation, conlleval's chunks (spans as [start, end)):
    //   1 adjacent:   gold PER[0,2) PER[2,4)        predicted PER[0,4)                 gold 2, predicted 1, correct 0
    //   2 I- start, one too long:
    //                 gold LOC[1,2) LOC[3,5)        predicted LOC[1,2) LOC[3,6)        gold 2, predicted 2, correct 1
    //   3 type at one end:
    //                 gold ORG[1,4)                 predicted ORG[1,3) LOC[3,4)        gold 1, predicted 2, correct 0
    //   4 right:      gold PER[0,1) ORG[3,4)        predicted the same                 gold 2, predicted 2, correct 2
    //   5 missed:     gold LOC[0,1)                 predicted none                     gold 1, predicted 0, correct 0
    // Overall: gold 8, predicted 7, correct 3; precision 3/7, recall 3/8, F1 = 2·3/(8+7) = 6/15 = 0.4
    //   (conlleval prints precision 42.86%, recall 37.50%, FB1 40.00).
    // LOC: gold 1+2 = 3 (s2, s5), predicted 2+1 = 3 (s2, s3), correct 1 (Oslo in s2): P = R = F1 = 1/3.
    // ORG: gold 2 (s3, s4), predicted 2 (s3, s4), correct 1 (s4): P = R = F1 = 1/2.
    // PER: gold 2+1 = 3 (s1, s4), predicted 1+1 = 2, correct 1 (s4): P = 1/2, R = 1/3, F1 = 2·1/(3+2) = 0.4.
    static void AssertSampleSpans(TaggingEvaluation e)
    {
        Assert.Equal(new EntityScore(8, 7, 3), e.Overall);
        Assert.Equal(3.0 / 7, e.Overall.Precision, 1e-12);
        Assert.Equal(3.0 / 8, e.Overall.Recall, 1e-12);
        Assert.Equal(0.4, e.Overall.F1, 1e-12);
        Assert.Equal(["LOC", "ORG", "PER"], e.ByType.Keys);
        Assert.Equal(new EntityScore(3, 3, 1), e.ByType["LOC"]);
        Assert.Equal(1.0 / 3, e.ByType["LOC"].F1, 1e-12);
        Assert.Equal(new EntityScore(2, 2, 1), e.ByType["ORG"]);
        Assert.Equal(0.5, e.ByType["ORG"].F1, 1e-12);
        Assert.Equal(new EntityScore(3, 2, 1), e.ByType["PER"]);
        Assert.Equal(0.5, e.ByType["PER"].Precision, 1e-12);
        Assert.Equal(1.0 / 3, e.ByType["PER"].Recall, 1e-12);
        Assert.Equal(0.4, e.ByType["PER"].F1, 1e-12);
    }

    [Fact]
    public void TaggingEvaluation_Compute_Bio_MatchesHandComputedConlleval()
    {
        var (gold, predicted) = Sample("sample.conll");
        var e = TaggingEvaluation.Compute(gold, predicted, TagScheme.Bio);
        AssertSampleSpans(e);
        // Tokens 5+6+5+4+3 = 23; wrong tags: Carl (s1), Oslo and today (s2), Oslo (s3), Bergen (s5) = 5; 18 right.
        Assert.Equal(23, e.TokenCount);
        Assert.Equal(18, e.CorrectTokens);
        Assert.Equal(18.0 / 23, e.TokenAccuracy, 1e-12);
    }

    [Fact]
    public void TaggingEvaluation_Compute_Iobes_SameSpansAsTheBioSample()
    {
        var (gold, predicted) = Sample("sample_iobes.conll");
        var e = TaggingEvaluation.Compute(gold, predicted, TagScheme.Iobes);
        AssertSampleSpans(e);
        // Wrong tags: Berg, Carl (s1); Oslo, Geneva, today (s2); of, Oslo (s3); Bergen (s5) = 8; 15 of 23 right.
        Assert.Equal(15, e.CorrectTokens);
        Assert.Equal(15.0 / 23, e.TokenAccuracy, 1e-12);
    }

    [Fact]
    public void TaggingEvaluation_Compute_NoPredictedSpans_ScoresAreZero()
    {
        var (gold, _) = Sample("sample.conll");
        IReadOnlyList<IReadOnlyList<string>> none = [.. gold.Select(s => (IReadOnlyList<string>)[.. s.Select(_ => "O")])];
        var e = TaggingEvaluation.Compute(gold, none, TagScheme.Bio);
        // conlleval: found 0 phrases, correct 0: precision 0.00%, recall 0/8 = 0.00%, FB1 0.00.
        Assert.Equal(new EntityScore(8, 0, 0), e.Overall);
        Assert.Equal(0, e.Overall.Precision);
        Assert.Equal(0, e.Overall.Recall);
        Assert.Equal(0, e.Overall.F1);
        Assert.All(e.ByType.Values, s => Assert.Equal((0, 0, 0.0), (s.Predicted, s.Correct, s.F1)));
        // The gold O tokens are right: 1 + 3 + 2 + 2 + 2 = 10 of 23.
        Assert.Equal(10, e.CorrectTokens);
    }

    [Fact]
    public void TaggingEvaluation_Compute_NoGoldSpans_RecallAndPrecisionAreZero()
    {
        var e = TaggingEvaluation.Compute([["O", "O"]], [["B-PER", "O"]], TagScheme.Bio);
        Assert.Equal(new EntityScore(0, 1, 0), e.Overall);
        Assert.Equal((0.0, 0.0, 0.0), (e.Overall.Precision, e.Overall.Recall, e.Overall.F1));
        Assert.Equal(0.5, e.TokenAccuracy);
    }

    [Fact]
    public void TaggingEvaluation_Compute_None_ScoresEachTaggedTokenAsASpan()
    {
        // Gold DT NN VBZ / predicted DT VBZ VBZ: 3 gold spans, 3 predicted, 2 correct (DT at 0, VBZ at 2).
        var e = TaggingEvaluation.Compute([["DT", "NN", "VBZ"]], [["DT", "VBZ", "VBZ"]], TagScheme.None);
        Assert.Equal(new EntityScore(3, 3, 2), e.Overall);
        Assert.Equal(2.0 / 3, e.Overall.F1, 1e-12);
        Assert.Equal(new EntityScore(1, 0, 0), e.ByType["NN"]);
        Assert.Equal(new EntityScore(1, 2, 1), e.ByType["VBZ"]);
    }

    [Fact]
    public void TaggingEvaluation_Compute_ConfusionCountsGoldAgainstPredicted()
    {
        var (gold, predicted) = Sample("sample.conll");
        var e = TaggingEvaluation.Compute(gold, predicted, TagScheme.Bio);
        Assert.Equal(["B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG", "I-PER", "O"], e.Tags);
        int Count(string g, string p) => e.Confusion[e.Tags.ToList().IndexOf(g), e.Tags.ToList().IndexOf(p)];
        Assert.Equal(1, Count("B-PER", "I-PER"));   // Carl
        Assert.Equal(1, Count("B-LOC", "I-LOC"));   // Oslo, s2
        Assert.Equal(1, Count("O", "I-LOC"));       // today
        Assert.Equal(1, Count("I-ORG", "I-LOC"));   // Oslo, s3
        Assert.Equal(1, Count("B-LOC", "O"));       // Bergen
        Assert.Equal(9, Count("O", "O"));           // 10 gold O tokens, today excepted
        Assert.Equal(2, Count("I-PER", "I-PER"));   // Berg, Dahl
        var total = 0;
        var diagonal = 0;
        for (var g = 0; g < e.Tags.Count; g++)
            for (var p = 0; p < e.Tags.Count; p++)
            {
                total += e.Confusion[g, p];
                if (g == p) diagonal += e.Confusion[g, p];
            }
        Assert.Equal(23, total);
        Assert.Equal(e.CorrectTokens, diagonal);
    }

    [Fact]
    public void TaggingEvaluation_Compute_MismatchedSentences_ThrowWithIndexAndLengths()
    {
        var lengths = Assert.Throws<ArgumentException>(() => TaggingEvaluation.Compute([["O"], ["O", "O", "O"]], [["O"], ["O", "O"]], TagScheme.Bio));
        Assert.Contains("Sentence 1 (counting from 0) has 3 gold tags and 2 predicted tags", lengths.Message, StringComparison.Ordinal);
        var counts = Assert.Throws<ArgumentException>(() => TaggingEvaluation.Compute([["O"], ["O"]], [["O"]], TagScheme.Bio));
        Assert.Contains("received 2 gold and 1 predicted", counts.Message, StringComparison.Ordinal);
    }
}
