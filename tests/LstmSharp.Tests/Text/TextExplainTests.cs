// Explaining texts: TextClassifier.Explain's integrated gradients on a trained classifier (the completeness axiom at
// two step counts, the signs the training data imply, offsets, errors), and LanguageModel.Activations against the
// double reference LSTM run on the model's own embeddings.
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using LstmSharp.Text;
using Xunit;

namespace LstmSharp.Tests.Text;

public sealed class TextExplainTests : IClassFixture<SeparableTexts>
{
    readonly TextClassifier _classifier;

    public TextExplainTests(SeparableTexts data) => _classifier = data.Classifier;

    [Fact]
    public void Explain_TrainedClassifier_AttributionsAddUpToTheLogitDifferenceCloserWithMoreSteps()
    {
        const string text = "Great, bad and HAPPY";
        var coarse = _classifier.Explain(text, steps: 2);
        var fine = _classifier.Explain(text, steps: 64);
        var difference = fine.Attribution.Output - fine.Attribution.BaselineOutput;
        Assert.True(Math.Abs(difference) > 0.5, $"the logit moves by {difference} from the baseline");
        Assert.Equal(fine.Tokens.Sum(t => t.Attribution), fine.Attribution.Sum, 1e-4);
        Assert.True(Math.Abs(fine.Attribution.CompletenessGap) < 0.01 * Math.Abs(difference),
            $"gap {fine.Attribution.CompletenessGap} at 64 steps for a difference of {difference}");
        Assert.True(Math.Abs(fine.Attribution.CompletenessGap) < Math.Abs(coarse.Attribution.CompletenessGap),
            $"gap {fine.Attribution.CompletenessGap} at 64 steps, {coarse.Attribution.CompletenessGap} at 2");
        // The same end points whatever the steps.
        Assert.Equal(coarse.Attribution.Output, fine.Attribution.Output, 1e-5);
        Assert.Equal(coarse.Attribution.BaselineOutput, fine.Attribution.BaselineOutput, 1e-5);
    }

    [Fact]
    public void Explain_PositiveAndNegativeWords_PullTowardsTheirClass()
    {
        const string text = "Great, bad and HAPPY";
        var pos = _classifier.Explain(text, classId: 1);
        Assert.Equal("pos", pos.Class);
        Assert.Equal(["great", "bad", "and", "happy"], pos.Tokens.Select(t => t.Token));
        Assert.Equal(["Great", "bad", "and", "HAPPY"], pos.Tokens.Select(t => text[t.Range!.Value]));
        Assert.True(pos.Tokens[0].Attribution > 0 && pos.Tokens[3].Attribution > 0, string.Join(", ", pos.Tokens));
        Assert.True(pos.Tokens[1].Attribution < 0, string.Join(", ", pos.Tokens));
        var neg = _classifier.Explain(text, classId: 0);
        Assert.True(neg.Tokens[1].Attribution > 0, string.Join(", ", neg.Tokens));
        Assert.Equal(_classifier.PredictProbabilities([text])[0], pos.Probabilities);
        Assert.Equal(pos.PredictedClassId, neg.PredictedClassId);
        Assert.Equal(pos.PredictedClassId, _classifier.Explain(text).ClassId);
    }

    [Fact]
    public void Explain_LongerThanMaxLength_ExplainsTheTokensReadAndCountsTheRest()
    {
        var text = string.Join(' ', Enumerable.Repeat("good", _classifier.MaxLength + 3));
        var explanation = _classifier.Explain(text, steps: 8);
        Assert.Equal(_classifier.MaxLength, explanation.Tokens.Count);
        Assert.Equal(3, explanation.TokensCut);
    }

    [Fact]
    public void Explain_BadInput_IsRefusedNamingIt()
    {
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(() => _classifier.Explain(" ,.; ")).Message);
        Assert.Contains("classes 0 to 1", Assert.Throws<ArgumentOutOfRangeException>(() => _classifier.Explain("good", classId: 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _classifier.Explain("good", steps: 0));
    }
}

public sealed class LanguageModelActivationsTests
{
    [Fact]
    public void Activations_CellOfEachLayer_MatchTheReferenceLstmOnTheModelsEmbeddings()
    {
        const string text = "abba cab";
        var lm = LanguageModel.Create("abc abc cab bac", new LanguageModelOptions { Units = 5, Layers = 2, EmbeddingSize = 3, Seed = 7 });
        var ids = lm.Encode(text).Select(i => (float)i).ToArray();
        var embedding = (Embedding)lm.Model.Layers[0];
        var input = Reference.Embedding(embedding.Parameters[0].Value.ToDouble(), ids, 3);
        var size = 3;
        for (var layer = 0; layer < 2; layer++)
        {
            var lstm = lm.LstmLayers[layer];
            var p = lstm.Parameters.ToDictionary(q => q.Name, q => q.Value.ToDouble());
            var trace = Enumerable.Range(0, 6).Select(_ => new double[ids.Length * 5]).ToArray();
            var zeros = new double[5];
            var (seq, _, _) = Reference.Lstm(input, 1, ids.Length, size, 5, p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"], null, zeros, zeros, false, trace: trace);
            // Another text first: the trace starts from a zero state all the same.
            lm.Activations("cab", layer, LstmActivation.Hidden);
            var cell = lm.Activations(text, layer, LstmActivation.Cell);
            Assert.Equal([ids.Length, 5], cell.Values.Shape.ToArray());
            Approx.Equal(trace[4], cell.Values, 1e-5, $"layer {layer} cell");
            Approx.Equal(trace[1], lm.Activations(text, layer, LstmActivation.ForgetGate).Values, 1e-5, $"layer {layer} forget gate");
            Assert.Equal(text.Length, cell.Tokens.Count);
            Assert.Equal([.. text.Select(ch => ch.ToString())], cell.Tokens.Select(t => text[t.Range!.Value]));
            (input, size) = (seq, 5);
        }
    }

    [Fact]
    public void MostVarying_RanksUnitsByStandardDeviationComputedByHand()
    {
        // Unit 0 constant, unit 1 in {−1, 1} (σ = 1), unit 2 in {0, 1} (σ = 0.5).
        var values = new Tensor([0.3f, -1f, 0f, 0.3f, 1f, 1f, 0.3f, -1f, 0f, 0.3f, 1f, 1f], 4, 3);
        var trace = new TextActivations("abcd", [], 0, LstmActivation.Cell, values);
        var top = trace.MostVarying(2);
        Assert.Equal([1, 2], top.Select(t => t.Unit));
        Assert.Equal(1.0, top[0].StandardDeviation, 1e-6);
        Assert.Equal(0.5, top[1].StandardDeviation, 1e-6);
    }

    [Fact]
    public void Activations_BadLayerOrEmptyText_IsRefused()
    {
        var lm = LanguageModel.Create("abc abc", new LanguageModelOptions { Units = 4, Layers = 1, EmbeddingSize = 3 });
        Assert.Contains("1 LSTM layer(s), numbered 0 to 0", Assert.Throws<ArgumentOutOfRangeException>(() => lm.Activations("abc", 1, LstmActivation.Cell)).Message);
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(() => lm.Activations("", 0, LstmActivation.Cell)).Message);
    }
}
