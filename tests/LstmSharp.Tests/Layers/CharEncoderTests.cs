// A character encoder (Embedding → Bidirectional Lstm, built as a Model) run on every word through TimeDistributed:
// features and every parameter gradient against PyTorch (char_encoder.json, tools/torch_fixtures/make_char_encoder_fixture.py),
// exact zeros for padded words, a model-file round trip, and the error for an input of the wrong rank.
using System.Text.Json;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using Xunit;
using Xunit.Abstractions;

namespace LstmSharp.Tests.Layers;

public sealed class CharEncoderTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-5;

    /// <summary>
    /// chars [batch, words, chars] → features [batch, words, 2·hidden]: each word's character ids (0 = padding) are
    /// embedded and read by a bidirectional LSTM whose two final states are concatenated.
    /// </summary>
    static Model CharFeatures(int vocabulary, int dimension, int hidden, int seed = 3)
    {
        var word = new Input(-1) { Name = "word_chars" };                                                        // [chars]
        var e = new Embedding(vocabulary, dimension, "char_embedding").Call(word);                               // [chars, E], masks id 0
        var h = new Bidirectional(new Lstm(hidden, new LstmOptions { Name = "char_lstm" }), MergeMode.Concat, "char_lstm").Call(e); // [2H]
        var encoder = new Model([word], [h], seed, "char_encoder");
        var chars = new Input(-1, -1) { Name = "chars" };                                                        // [words, chars]
        var features = new TimeDistributed(encoder, "char_features").Call(chars);                                 // [words, 2H]
        return new Model([chars], [features], seed, "m");
    }

    /// <summary>Every layer, the encoder's inside the wrapper included, runs <paramref name="variant"/>.</summary>
    static void Use(Model model, KernelVariant variant)
    {
        var kernels = KernelSet.For(variant);
        foreach (var layer in model.AllLayers()) layer.Kernels = kernels;
    }

    static float[] Floats(JsonElement e) => [.. e.EnumerateArray().Select(v => (float)v.GetDouble())];

    static double[] Doubles(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetDouble())];

    static JsonElement[] Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", "char_encoder.json")));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    /// <summary>|ours − torch| ≤ tol · max(1, |torch|) per element; returns the largest absolute difference.</summary>
    static double AssertClose(double[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= Tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: torch {expected[i]:R}, ours {actual[i]:R} (difference {diff:E2}).");
            worst = Math.Max(worst, diff);
        }
        return worst;
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void TimeDistributed_CharEncoder_FeaturesAndGradientsMatchPyTorch(KernelVariant variant)
    {
        var cases = Cases();
        Assert.Equal(3, cases.Length);
        double worstFeatures = 0, worstGradients = 0;
        foreach (var c in cases)
        {
            var name = c.GetProperty("name").GetString();
            int b = c.GetProperty("batch").GetInt32(), w = c.GetProperty("words").GetInt32(), chars = c.GetProperty("chars").GetInt32();
            int v = c.GetProperty("vocab").GetInt32(), e = c.GetProperty("embedding").GetInt32(), h = c.GetProperty("hidden").GetInt32();
            var model = CharFeatures(v, e, h);
            Use(model, variant);

            // The fixture's parameters under our keys: the wrapper's name, then torch's state_dict names.
            var shapes = c.GetProperty("shapes");
            var parameters = c.GetProperty("parameters");
            var torchNames = shapes.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(torchNames.Select(n => "char_features." + n), model.GetWeights().Keys);
            model.SetWeights(torchNames.ToDictionary(n => "char_features." + n,
                n => new Tensor(Floats(parameters.GetProperty(n)), [.. shapes.GetProperty(n).EnumerateArray().Select(d => d.GetInt32())])));

            var ids = new Tensor(Floats(c.GetProperty("ids")), b, w, chars);                                     // [B, W, C]
            model.ZeroGradients();
            var features = model.Forward([ids], training: true)[0];                                              // [B, W, 2H]
            Assert.Equal([b, w, 2 * h], features.Shape.ToArray());
            worstFeatures = Math.Max(worstFeatures, AssertClose(Doubles(c.GetProperty("features")), features.Span, $"{name} features"));

            // A padded word (no characters) has exactly zero features.
            var lengths = c.GetProperty("lengths").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(n => n.GetInt32())).ToArray();
            Assert.Contains(0, lengths);
            for (var i = 0; i < b * w; i++)
                if (lengths[i] == 0) Assert.All(features.Span.Slice(i * 2 * h, 2 * h).ToArray(), f => Assert.Equal(0f, f));

            model.Backward([new Tensor(Floats(c.GetProperty("grad_features")), b, w, 2 * h)]);
            var grads = c.GetProperty("grad");
            var byKey = model.ParameterKeys().ToDictionary(k => k.Key, k => k.Parameter);
            foreach (var n in torchNames)
                worstGradients = Math.Max(worstGradients, AssertClose(Doubles(grads.GetProperty(n)), byKey["char_features." + n].Gradient.Span, $"{name} grad {n}"));
        }
        output.WriteLine($"{variant}: max |features − torch| = {worstFeatures:E2}, max |gradient − torch| = {worstGradients:E2}");
    }

    [Fact]
    public void TimeDistributed_CharEncoder_SavesAndLoadsBitIdentically()
    {
        const int B = 3, W = 4, C = 6, V = 11;
        var model = CharFeatures(V, 4, 3, seed: 8);
        var rng = new Random(5);
        var ids = new float[B * W * C];
        for (var s = 0; s < B; s++)
        {
            var words = s == 0 ? W : rng.Next(1, W);                     // padded words only at the end of a sentence
            for (var k = 0; k < words; k++)
            {
                var n = rng.Next(1, C + 1);                              // padded characters only at the end of a word
                for (var t = 0; t < n; t++) ids[(s * W + k) * C + t] = rng.Next(1, V);
            }
        }
        var x = new Tensor(ids, B, W, C);
        var path = Path.Combine(Path.GetTempPath(), $"char-encoder-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(model.GetWeights().Keys, loaded.GetWeights().Keys);
            Assert.Contains("char_features.char_lstm.weight_hh_l0_reverse", loaded.GetWeights().Keys);
            foreach (var (key, value) in model.GetWeights())
                Assert.Equal(value.ToArray().Select(BitConverter.SingleToInt32Bits), loaded.GetWeights()[key].ToArray().Select(BitConverter.SingleToInt32Bits));
            var before = model.Predict(x);
            var after = loaded.Predict(x);
            Assert.Equal([B, W, 6], after.Shape.ToArray());
            Assert.Equal(before.ToArray().Select(BitConverter.SingleToInt32Bits), after.ToArray().Select(BitConverter.SingleToInt32Bits));
            Assert.Contains(before.ToArray(), f => f != 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TimeDistributed_CharEncoder_InputOfTheWrongRank_ThrowsNamingTheWrapperAndTheModel()
    {
        var word = new Input(-1) { Name = "word_chars" };
        var h = new Bidirectional(new Lstm(2, new LstmOptions { Name = "char_lstm" }), MergeMode.Concat, "char_lstm").Call(new Embedding(7, 3, "char_embedding").Call(word));
        var encoder = new Model([word], [h], 1, "char_encoder");
        var e = Assert.Throws<ArgumentException>(() => new TimeDistributed(encoder, "char_features").Call(new Input(-1, -1, 3) { Name = "vectors" }));
        output.WriteLine(e.Message);
        Assert.Contains("char_features", e.Message, StringComparison.Ordinal);
        Assert.Contains("char_encoder", e.Message, StringComparison.Ordinal);
        Assert.Contains("word_chars", e.Message, StringComparison.Ordinal);
    }
}
