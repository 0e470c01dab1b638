// Translator end to end on a task with a known answer — reversing strings of letters, at character level — where an
// attention decoder must look back at the source: exact match on held-out strings (greedy and beam), the attention
// weights (rows sum to 1 over the source, and the first output attends most to the last source letter), a file round
// trip translating the same, and the refusals (empty sides, a model file of another task).
using LstmSharp.Data;
using LstmSharp.IO;
using LstmSharp.Translation;
using Xunit;

namespace LstmSharp.Tests.Translation;

public sealed class TranslatorTests
{
    static (string[] Sources, string[] Targets) Reversals(int count, int seed)
    {
        var rng = new Random(seed);
        var sources = new string[count];
        for (var i = 0; i < count; i++) sources[i] = new string([.. Enumerable.Range(0, rng.Next(3, 7)).Select(_ => (char)('a' + rng.Next(6)))]);
        return (sources, [.. sources.Select(s => new string([.. s.Reverse()]))]);
    }

    static readonly Lazy<Translator> Trained = new(() =>
    {
        var (sources, targets) = Reversals(3000, 1);
        return Translator.Train(sources, targets, new TranslatorOptions
        {
            SourceLevel = TokenLevel.Character, TargetLevel = TokenLevel.Character, Units = 32, EmbeddingSize = 16,
            Epochs = 8, BatchSize = 32, LearningRate = 0.01f, Dropout = 0f, BleuSamples = 50, Seed = 3,
        });
    });

    [Fact]
    public void Reversal_IsLearned_GreedyAndBeam()
    {
        var translator = Trained.Value;
        var (sources, targets) = Reversals(200, 2);
        var greedy = translator.Evaluate(sources, targets, beamSize: 1);
        var beam = translator.Evaluate(sources, targets, beamSize: 4);
        Assert.True(greedy.ExactMatch > 0.9, $"greedy exact match {greedy.ExactMatch:P1}");
        Assert.True(beam.ExactMatch >= greedy.ExactMatch - 0.02, $"beam {beam.ExactMatch:P1} vs greedy {greedy.ExactMatch:P1}");
        Assert.True(greedy.CopyExactMatch < 0.2, $"copying the source matches {greedy.CopyExactMatch:P1}");
        Assert.True(greedy.TokenErrorRate < 0.05, $"character error rate {greedy.TokenErrorRate:P1}");
        Assert.Contains("val_bleu", translator.History!.Keys);
        Assert.True(translator.History["val_exact_match"][^1] > 0.8, $"last val_exact_match {translator.History["val_exact_match"][^1]}");
        Assert.True(translator.History["val_bleu"][^1] > 0.9, $"last val_bleu {translator.History["val_bleu"][^1]}");
        translator.MaxLengthRatio = 0.01f;   // ⌈0.01 · 5⌉ + 10 = 11 steps: more than a reversal needs, so the same answer
        Assert.Equal("edcba", translator.Translate("abcde"));
        Assert.Throws<ArgumentOutOfRangeException>(() => translator.MaxLengthRatio = -1f);
        Assert.Equal(0.01f, translator.MaxLengthRatio);
        translator.MaxLengthRatio = 0f;
        var nBest = translator.TranslateNBest("abcde", beamSize: 4, nBest: 3);
        Assert.Equal(3, nBest.Count);
        Assert.True(nBest[0].Score >= nBest[1].Score && nBest[1].Score >= nBest[2].Score);
    }

    [Fact]
    public void Evaluate_ARepeatedSourceIsOneSentenceWithSeveralReferences()
    {
        var translator = Trained.Value;
        Assert.Equal("cba", translator.Translate("abc", beamSize: 1));
        var both = translator.Evaluate(["abc", "abc"], ["xyz", "cba"], beamSize: 1);
        Assert.Equal(1, both.Sentences);
        Assert.Equal(1.0, both.ExactMatch);
        Assert.Equal(0.0, both.TokenErrorRate);
        var near = translator.Evaluate(["abc", "abc"], ["cbxx", "xbx"], beamSize: 1);   // 2 edits to either: the shorter reference counts
        Assert.Equal(0.0, near.ExactMatch);
        Assert.Equal(2.0 / 3, near.TokenErrorRate, 12);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("abc", "abc", 0)]
    public void EditDistance_IsLevenshtein(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Distance(a.ToCharArray(), b.ToCharArray()));
        Assert.Equal(expected, EditDistance.Distance(b.ToCharArray(), a.ToCharArray()));
    }

    [Fact]
    public void AttentionWeights_AreADistributionOverTheSource_AndLookBackwards()
    {
        var translator = Trained.Value;
        var (source, output, weights) = translator.AttentionWeights("abcdef", "fedcba");
        Assert.Equal(["a", "b", "c", "d", "e", "f"], source);
        Assert.Equal(["f", "e", "d", "c", "b", "a", "</s>"], output);
        Assert.Equal(7, weights.GetLength(0));
        for (var t = 0; t < 7; t++) Assert.Equal(1.0, Enumerable.Range(0, 6).Sum(s => (double)weights[t, s]), 4);
        // Writing the first letter of the reversal, the decoder looks at the source's last letter more than at its first.
        Assert.True(weights[0, 5] > weights[0, 0], $"first output: weight {weights[0, 5]} on 'f', {weights[0, 0]} on 'a'");
    }

    [Fact]
    public void SaveAndLoad_TranslateTheSame_AndOtherTasksAreRefused()
    {
        var translator = Trained.Value;
        var path = Path.Combine(Path.GetTempPath(), $"translator-{Guid.NewGuid():N}.safetensors");
        try
        {
            translator.Save(path);
            var loaded = Translator.Load(path);
            foreach (var s in new[] { "abc", "fedcab", "aaaa" })
                Assert.Equal(translator.Translate(s), loaded.Translate(s));
            Assert.Equal(translator.MaxSourceLength, loaded.MaxSourceLength);
            var e = Assert.Throws<InvalidDataException>(() => LstmSharp.Text.TextClassifier.Load(path));
            Assert.Contains("'translate' task", e.Message, StringComparison.Ordinal);
            var model = Model.Load(path);
            model.Metadata[ModelTasks.Key] = ModelTasks.Classify;
            model.Save(path);
            e = Assert.Throws<InvalidDataException>(() => Translator.Load(path));
            Assert.Contains("not a translator", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Train_RefusesEmptySidesAndUnevenLists()
    {
        var options = new TranslatorOptions { Epochs = 1, Units = 4, EmbeddingSize = 2 };
        var e = Assert.Throws<ArgumentException>(() => Translator.Train(["a b", "c"], ["x", " "], options));
        Assert.Contains("Pair 2 has an empty target", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Translator.Train(["a"], ["x", "y"], options));
        Assert.Throws<ArgumentOutOfRangeException>(() => Translator.Train(["a"], ["x"], options with { Units = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Translator.Train(["a"], ["x"], options with { LearningRateDecay = 1f }));
    }
}
