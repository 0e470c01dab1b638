// SpatialDropout1D (AWD-LSTM's LockedDropout): one mask per sequence over the features, the same at every step.
// The input gradient against finite differences with the pass's mask held fixed; the mask constant over time and
// passed through with padding; the rate kept; identity at inference; bad rates and shapes refused.
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class SpatialDropout1DTests
{
    const int B = 3, T = 5, F = 4;

    [Fact]
    public void SpatialDropout1D_Training_MatchesFiniteDifferencesWithTheMaskHeldFixed()
    {
        var layer = new SpatialDropout1D(0.5f, seed: 4);
        var x = new Tensor(GradientCheck.RandomFloats(B * T * F, 10, 1f), B, T, F);
        var y = layer.Forward(x, training: true).ToArray();
        var mask = layer.Mask!.ToDouble();
        Assert.Equal(B * F, mask.Length);
        Assert.All(mask, m => Assert.True(m is 0 or 2, $"scale {m}"));
        Assert.Contains(0.0, mask);
        Assert.Contains(2.0, mask);

        double[] Reference(Dictionary<string, double[]> v) => [.. v["x"].Select((value, i) => value * mask[i / (T * F) * F + i % F])];

        var values = new Dictionary<string, double[]> { ["x"] = x.ToDouble() };
        Approx.Equal(Reference(values), y, 1e-7, "locked dropout output");
        var g = GradientCheck.RandomFloats(B * T * F, 11, 1f).Select(v => (double)v).ToArray();
        var dx = layer.Backward(new Tensor(g.Select(v => (float)v).ToArray(), B, T, F));
        GradientCheck.Assert(values, v => Oracles.Reference.Dot(Reference(v), g), new Dictionary<string, Tensor> { ["x"] = dx });
    }

    [Fact]
    public void SpatialDropout1D_Mask_IsConstantOverTimeAndThePaddingMaskPassesThrough()
    {
        var layer = new SpatialDropout1D(0.4f, seed: 2);
        var x = Tensor.Full(1f, B, T, F);
        var padding = new Tensor([1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0], B, T);
        var y = layer.Forward(x, training: true, mask: padding);
        Assert.Same(padding, layer.OutputMask);
        for (var b = 0; b < B; b++)
        {
            for (var f = 0; f < F; f++)
            {
                var first = y[b, 0, f];
                for (var t = 1; t < T; t++) Assert.Equal(first, y[b, t, f]);
            }
        }
        // Different sequences draw different masks.
        var rows = Enumerable.Range(0, B).Select(b => string.Join(",", Enumerable.Range(0, F).Select(f => y[b, 0, f]))).Distinct().Count();
        Assert.True(rows > 1, "every sequence got the same mask");
    }

    [Fact]
    public void SpatialDropout1D_Inference_IsTheIdentity_AndTheRateIsKept()
    {
        var x = new Tensor(GradientCheck.RandomFloats(B * T * F, 12, 1f), B, T, F);
        var layer = new SpatialDropout1D(0.25f);
        Assert.Same(x, layer.Forward(x));
        Assert.Null(layer.Mask);
        layer.Forward(Tensor.Zeros(100, 2, 100), training: true);
        Assert.InRange(layer.Mask!.ToArray().Count(v => v == 0f) / 10_000.0, 0.23, 0.27);
        Assert.Equal(new SpatialDropout1D(0.5f, seed: 3).Forward(x, true).ToArray(), new SpatialDropout1D(0.5f, seed: 3).Forward(x, true).ToArray());
        Assert.NotEqual(new SpatialDropout1D(0.5f, seed: 3).Forward(x, true).ToArray(), new SpatialDropout1D(0.5f, seed: 4).Forward(x, true).ToArray());
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void SpatialDropout1D_RateOutOfRange_IsRefusedWithItsName(float rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout1D(rate));
        Assert.Contains("'rate' must be in [0, 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpatialDropout1D_NotASequence_IsRefusedWithTheLayersName()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Input(4), new SpatialDropout1D(0.2f, name: "locked")));
        Assert.Contains("'locked'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[batch, time, features]", e.Message, StringComparison.Ordinal);
        var built = new SpatialDropout1D(0.2f, name: "locked");
        built.Build([3, 2]);
        e = Assert.Throws<ArgumentException>(() => built.Forward(Tensor.Zeros(2, 6), training: true));
        Assert.Contains("[2, 6]", e.Message, StringComparison.Ordinal);
        Assert.Equal("spatial_dropout1d", new SpatialDropout1D(0.1f).Name);
    }
}
