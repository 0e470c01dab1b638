// GlobalMaxPooling1D and GlobalAveragePooling1D: outputs against a brute-force reference in double that reads only
// the real steps, gradients by finite differences through it, masks from ids, shapes refused, and model files.
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class GlobalPoolingTests
{
    const int B = 4, T = 5, F = 3;

    // Sample 0 is full, 1 is padded after 3 steps, 2 has a hole at step 1, 3 has no real step at all.
    static readonly float[] s_mask = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0];

    static double[] Reference(bool max, double[] x, float[]? mask)
    {
        var y = new double[B * F];
        for (var b = 0; b < B; b++)
        {
            for (var f = 0; f < F; f++)
            {
                var real = Enumerable.Range(0, T).Where(t => mask is null || mask[b * T + t] == 1f).Select(t => x[(b * T + t) * F + f]).ToArray();
                y[b * F + f] = real.Length == 0 ? 0 : max ? real.Max() : real.Average();
            }
        }
        return y;
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void Pooling_MatchesBruteForceAndFiniteDifferences(bool max, bool masked)
    {
        Layer layer = max ? new GlobalMaxPooling1D() : new GlobalAveragePooling1D();
        // Distinct values a step apart, so that no ±eps perturbation changes which step holds a maximum.
        var values = Enumerable.Range(0, B * T * F).Select(i => (float)((i * 37 % 61) - 30) / 8f).ToArray();
        var x = new Tensor(values, B, T, F);
        var mask = masked ? new Tensor(s_mask, B, T) : null;
        var y = layer.Forward(x, training: true, mask);
        Assert.Equal([B, F], y.Shape.ToArray());
        Assert.Null(layer.OutputMask);
        var maskValues = masked ? s_mask : null;
        Approx.Equal(Reference(max, x.ToDouble(), maskValues), y, 1e-6, "pooled output");

        var gOut = GradientCheck.RandomFloats(B * F, 7, 1f);
        var dx = layer.Backward(new Tensor(gOut, B, F));
        GradientCheck.Assert(new() { ["x"] = x.ToDouble() },
            v => Reference(max, v["x"], maskValues).Select((o, i) => o * gOut[i]).Sum(),
            new Dictionary<string, Tensor> { ["x"] = dx }, eps: 1e-3);
    }

    [Fact]
    public void Pooling_OfEmbeddedIds_LeavesOutPadding()
    {
        var input = new Input(-1);
        var embedded = new Embedding(6, 2).Call(input);
        var model = new Model([input], [new Concatenate().Call(new GlobalMaxPooling1D().Call(embedded), new GlobalAveragePooling1D().Call(embedded))], seed: 3);
        var short1 = model.Predict(new Tensor([2, 5, 0, 0], 1, 4)).ToArray();
        var short2 = model.Predict(new Tensor([2, 5, 0, 0, 0, 0], 1, 6)).ToArray();
        Assert.Equal(short1, short2);
        var table = model.Layers.OfType<Embedding>().Single().Parameters[0].Value.ToArray();
        for (var f = 0; f < 2; f++)
        {
            Assert.Equal(MathF.Max(table[2 * 2 + f], table[5 * 2 + f]), short1[f]);
            Assert.Equal((table[2 * 2 + f] + table[5 * 2 + f]) / 2f, short1[2 + f], 6);
        }
    }

    [Fact]
    public void Pooling_WrongRank_NamesLayerAndShape()
    {
        var e = Assert.Throws<ArgumentException>(() => new GlobalMaxPooling1D("pool").Call(new Input(7)));
        Assert.Contains("'pool'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[batch, 7]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new GlobalAveragePooling1D().Call(new Input(2, 3, 4)));
    }

    [Fact]
    public void Pooling_SurvivesModelFiles()
    {
        var input = new Input(-1, 3);
        var h = new Lstm(4, new LstmOptions { ReturnSequences = true }).Call(input);
        var model = new Model([input], [new Dense(2).Call(new Concatenate().Call(new GlobalMaxPooling1D("max").Call(h), new GlobalAveragePooling1D("mean").Call(h)))], seed: 5);
        var x = new Tensor(GradientCheck.RandomFloats(2 * 6 * 3, 9, 1f), 2, 6, 3);
        var path = Path.Combine(Path.GetTempPath(), $"pool-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
            Assert.Contains(loaded.Layers, l => l is GlobalMaxPooling1D { Name: "max" });
            Assert.Contains(loaded.Layers, l => l is GlobalAveragePooling1D { Name: "mean" });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
