// Model.ValueAt / GradientAt / Forward with a replaced symbol, and Model.IntegratedGradients: the gradient at an
// Embedding's output (in the model and in a model inside it) against finite differences of the double reference;
// integrated gradients against hand computation on a model linear in the embeddings (where they equal gradient ×
// input exactly) and against a brute-force path integral of finite-difference gradients on an LSTM.
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class ModelActivationsTests
{
    const int B = 2, T = 4, V = 6, E = 3, H = 4, C = 2;

    // Row 0 is padded after two tokens, so the mask that travels with the embeddings matters.
    static readonly float[] Ids = [2, 5, 0, 0, 1, 3, 4, 2];

    /// <summary>Embedding → LSTM → Dense, flat or with the Embedding and LSTM inside a nested model; and the embedding's output symbol.</summary>
    static (Model Model, Symbol Embedded) Network(bool nested)
    {
        var embedding = new Embedding(V, E, name: "embedding");
        var lstm = new Lstm(H, new() { Name = "lstm" });
        if (!nested)
        {
            var ids = new Input(T);
            var embedded = embedding.Call(ids);
            return (new Model([ids], [new Dense(C, name: "head").Call(lstm.Call(embedded))], seed: 3), embedded);
        }
        var inner = new Sequential(3, new Input(T), embedding, lstm) { Name = "encoder" };
        var outerIds = new Input(T);
        var model = new Model([outerIds], [new Dense(C, name: "head").Call(inner.Call(outerIds))], seed: 3);
        return (model, inner.OutputsOf(embedding)[0]);
    }

    /// <summary>The reference network from the embedded values z [B,T,E] on: masked LSTM, Dense → logits [B,C].</summary>
    static double[] FromEmbedded(Dictionary<string, double[]> v, string prefix)
    {
        var mask = Ids.Select(id => id == 0 ? 0.0 : 1.0).ToArray();
        var zeros = new double[B * H];
        var (_, h, _) = Reference.Lstm(v["z"], B, T, E, H, v[prefix + "lstm.weight_ih_l0"], v[prefix + "lstm.weight_hh_l0"], v[prefix + "lstm.bias_ih_l0"], v[prefix + "lstm.bias_hh_l0"], null, zeros, zeros, false, mask);
        return Reference.Dense(h, B, H, C, v["head.weight"], v["head.bias"], Activation.Linear);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientAt_ReplacedEmbeddingOutput_MatchesFiniteDifferences(bool nested)
    {
        var (model, embedded) = Network(nested);
        var values = GraphGradientTests.Randomize(model, seed: 30);
        var prefix = nested ? "encoder." : "";
        var ids = new Tensor(Ids, B, T);

        // Without a replacement the symbol holds the looked-up rows (the padding row is zero).
        model.Forward([ids]);
        Approx.Equal(Reference.Embedding(values[prefix + "embedding.weight"], Ids, E), model.ValueAt(embedded), 1e-7, "embedding output");
        Assert.Equal([1f, 1f, 0f, 0f, 1f, 1f, 1f, 1f], model.MaskAt(embedded)!.ToArray());

        var z = new Tensor(GradientCheck.RandomFloats(B * T * E, 31, 1f), B, T, E);
        values["z"] = z.ToDouble();
        var g = GradientCheck.RandomFloats(B * C, 32, 1f).Select(x => (double)x).ToArray();
        var y = model.Forward([ids], embedded, z)[0];
        Approx.Equal(FromEmbedded(values, prefix), y, 1e-5, "logits from the replaced embeddings");
        Assert.Same(z, model.ValueAt(embedded));
        model.Backward([new Tensor([.. g.Select(x => (float)x)], B, C)]);
        var dz = model.GradientAt(embedded);
        Assert.NotNull(dz);
        GradientCheck.Assert(values, v => Reference.Dot(FromEmbedded(v, prefix), g), new Dictionary<string, Tensor> { ["z"] = dz });
    }

    [Fact]
    public void Forward_ReplacementOfAnotherShapeOrAnInput_IsRefusedNamingBoth()
    {
        var (model, embedded) = Network(nested: false);
        var ids = new Tensor(Ids, B, T);
        var wrong = Assert.Throws<ArgumentException>(() => model.Forward([ids], embedded, Tensor.Zeros(B, T, E + 1)));
        Assert.Contains("[2, 4, 3]", wrong.Message);
        Assert.Contains("[2, 4, 4]", wrong.Message);
        var input = Assert.Throws<ArgumentException>(() => model.Forward([ids], model.Inputs[0], ids));
        Assert.Contains("is an input", input.Message);
        var stranger = Assert.Throws<ArgumentException>(() => model.GradientAt(new Input(3) { Name = "elsewhere" }));
        Assert.Contains("'elsewhere'", stranger.Message);
        // After a refused replacement the model runs normally again.
        var before = model.Forward([ids])[0].ToArray();
        Assert.Equal(before, model.Forward([ids])[0].ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(50)]
    public void IntegratedGradients_ModelLinearInTheEmbeddings_EqualsGradientTimesInputAtAnyStepCount(int steps)
    {
        // F_c = Σ_{t,e} W[c, t·E + e] · x[t, e] + b_c: the gradient is W_c everywhere on the path, so IG = W_c ⊙ x exactly.
        var ids = new Input(T);
        var embedding = new Embedding(V, E, name: "embedding");
        var embedded = embedding.Call(ids);
        var model = new Model([ids], [new Dense(C, name: "head").Call(new Flatten().Call(embedded))], seed: 1);
        var values = GraphGradientTests.Randomize(model, seed: 40);
        ClearPadding(model, values);
        var row = new Tensor([3, 1, 4, 0], 1, T);   // the last token is padding
        var x = Reference.Embedding(values["embedding.weight"], row.Span, E);

        const int c = 1;
        var w = values["head.weight"].AsSpan(c * T * E, T * E).ToArray();
        var result = model.IntegratedGradients([row], embedded, c, steps, batchSize: 4);
        var expected = w.Zip(x, (a, b) => a * b).ToArray();
        Approx.Equal(expected, result.Attributions, 1e-6, "IG of a linear model");
        Assert.All(result.Attributions.ToArray()[(3 * E)..], a => Assert.Equal(0f, a));
        Assert.Equal(expected.Sum() + values["head.bias"][c], result.Output, 1e-5);
        Assert.Equal(values["head.bias"][c], result.BaselineOutput, 1e-6);
        Assert.True(Math.Abs(result.CompletenessGap) < 1e-5, $"gap {result.CompletenessGap}");
        Assert.All(model.Parameters, p => Assert.All(p.Gradient.ToArray(), gr => Assert.Equal(0f, gr)));
    }

    [Fact]
    public void IntegratedGradients_LstmClassifier_MatchesBruteForcePathIntegralInDouble()
    {
        var (model, embedded) = Network(nested: false);
        var values = GraphGradientTests.Randomize(model, seed: 50);
        ClearPadding(model, values);
        var row = new Tensor(Ids[..T], 1, T);   // two tokens, two padded steps
        const int steps = 16, c = 0;
        var result = model.IntegratedGradients([row], embedded, c, steps, batchSize: 5);

        // Brute force in double: ∂F_c/∂z by central differences of the reference at each trapezoid point.
        var x = Reference.Embedding(values["embedding.weight"], row.Span, E);
        double F(double[] z)
        {
            var v = new Dictionary<string, double[]>(values) { ["z"] = [.. z, .. new double[(B - 1) * T * E]] };
            return FromEmbedded(v, "")[c];
        }
        var expected = new double[T * E];
        for (var k = 0; k <= steps; k++)
        {
            var weight = k == 0 || k == steps ? 0.5 / steps : 1.0 / steps;
            var point = x.Select(v => v * k / steps).ToArray();
            for (var i = 0; i < 2 * E; i++)   // the real steps; padded ones get none
            {
                var keep = point[i];
                point[i] = keep + 1e-6;
                var plus = F(point);
                point[i] = keep - 1e-6;
                var minus = F(point);
                point[i] = keep;
                expected[i] += weight * (plus - minus) / 2e-6 * x[i];
            }
        }
        Approx.Equal(expected, result.Attributions, 1e-5, "IG against the brute-force path integral");
        Assert.Equal(F(x), result.Output, 1e-5);
        Assert.Equal(F(new double[T * E]), result.BaselineOutput, 1e-5);
    }

    /// <summary>Zeroes the padding row of the embedding, which randomizing overwrote, as the layer keeps it.</summary>
    static void ClearPadding(Model model, Dictionary<string, double[]> values)
    {
        values["embedding.weight"].AsSpan(0, E).Clear();
        model.Layers.OfType<Embedding>().Single().Parameters[0].Value.Span[..E].Clear();
    }

    [Fact]
    public void IntegratedGradients_BadArguments_AreRefusedWithTheRange()
    {
        var (model, embedded) = Network(nested: false);
        var two = new Tensor(Ids, B, T);
        Assert.Contains("one sample", Assert.Throws<ArgumentException>(() => model.IntegratedGradients([two], embedded, 0)).Message);
        var row = new Tensor(Ids[..T], 1, T);
        Assert.Contains("2 value(s) per sample", Assert.Throws<ArgumentOutOfRangeException>(() => model.IntegratedGradients([row], embedded, 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.IntegratedGradients([row], embedded, 0, steps: 0));
    }
}
