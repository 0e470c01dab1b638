// Variational input and recurrent dropout on Lstm, Gru and SimpleRnn: one mask per sequence, the rate kept,
// nothing dropped at inference, and exact gradients through the sampled masks (finite differences through
// the reference with the same masks).
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class RecurrentDropoutTests
{
    const int B = 3, T = 4, I = 3, H = 4;

    public static TheoryData<string, KernelVariant> Cases()
    {
        var data = new TheoryData<string, KernelVariant>();
        foreach (var kind in new[] { "lstm", "gru", "gru-reset-before", "rnn" })
            foreach (var v in KernelSet.Supported)
                data.Add(kind, v);
        return data;
    }

    static Rnn Make(string kind, RnnOptions options) => kind switch
    {
        "lstm" => new Lstm(H, new() { Dropout = options.Dropout, RecurrentDropout = options.RecurrentDropout, ReturnSequences = true, Peepholes = true }),
        "gru" or "gru-reset-before" => new Gru(H, new GruOptions
        {
            Dropout = options.Dropout, RecurrentDropout = options.RecurrentDropout, ReturnSequences = true, ResetAfter = kind == "gru",
        }),
        _ => new SimpleRnn(H, options with { ReturnSequences = true }),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dropout_Training_MatchesReferenceWithSameMasksAndFiniteDifferences(string kind, KernelVariant variant)
    {
        var layer = Make(kind, new RnnOptions { Dropout = 0.3f, RecurrentDropout = 0.4f });
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I], seed: 2);
        var values = new Dictionary<string, double[]>();
        var seed = 7;
        foreach (var p in layer.Parameters)
        {
            GradientCheck.RandomFloats(p.Value.Length, seed++).CopyTo(p.Value.Span);
            values[p.Name] = p.Value.ToDouble();
        }
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 30, 1f), B, T, I);
        values["x"] = x.ToDouble();
        var y = layer.Forward(x, training: true);
        var mi = layer.InputDropoutMask!.ToDouble();
        var mr = layer.RecurrentDropoutMask!.ToDouble();
        Assert.Contains(0.0, mi);
        Assert.Contains(0.0, mr);
        Assert.All(mi, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7) < 1e-6));
        var g = GradientCheck.RandomFloats(B * T * H, 31, 1f).Select(v => (double)v).ToArray();

        double[] Reference(Dictionary<string, double[]> v)
        {
            var xDropped = new double[B * T * I];
            for (var i = 0; i < xDropped.Length; i++) xDropped[i] = v["x"][i] * mi[i / (T * I) * I + i % I];
            var zeros = new double[B * H];
            return kind switch
            {
                "lstm" => Oracles.Reference.Lstm(xDropped, B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], v["weight_peephole_l0"], zeros, zeros, false, null, mr).Seq,
                "gru" or "gru-reset-before" => Oracles.Reference.Gru(xDropped, B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], zeros, false, null, mr,
                    resetAfter: kind == "gru").Seq,
                _ => Oracles.Reference.SimpleRnn(xDropped, B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], zeros, false, null, mr).Seq,
            };
        }

        Approx.Equal(Reference(values), y, 1e-5, "output with dropout");
        var dx = layer.Backward(new Tensor(g.Select(v => (float)v).ToArray(), B, T, H));
        var analytic = layer.Parameters.ToDictionary(p => p.Name, p => p.Gradient);
        analytic["x"] = dx;
        GradientCheck.Assert(values, v => Oracles.Reference.Dot(Reference(v), g), analytic);
    }

    [Fact]
    public void Dropout_Inference_DropsNothing_AndMasksAreSeededPerSequence()
    {
        var withDropout = Make("lstm", new RnnOptions { Dropout = 0.5f, RecurrentDropout = 0.5f });
        var without = Make("lstm", new RnnOptions());
        withDropout.Build([T, I], seed: 4);
        without.Build([T, I], seed: 4);
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 3, 1f), B, T, I);
        Assert.Equal(without.Forward(x).ToArray(), withDropout.Forward(x).ToArray());
        Assert.Null(withDropout.InputDropoutMask);

        var big = new Gru(50, new() { Dropout = 0.25f, RecurrentDropout = 0.25f });
        big.Build([2, 40], seed: 1);
        big.Forward(Tensor.Zeros(64, 2, 40), training: true);
        var dropped = big.InputDropoutMask!.ToArray().Count(v => v == 0f) / (64.0 * 40);
        Assert.InRange(dropped, 0.2, 0.3);
        Assert.InRange(big.RecurrentDropoutMask!.ToArray().Count(v => v == 0f) / (64.0 * 50), 0.2, 0.3);

        float[] Masks(int seed)
        {
            var l = new Gru(5, new() { Dropout = 0.5f });
            l.Build([2, 6], seed);
            l.Forward(Tensor.Zeros(3, 2, 6), training: true);
            return l.InputDropoutMask!.ToArray();
        }
        Assert.Equal(Masks(8), Masks(8));
        Assert.NotEqual(Masks(8), Masks(9));
    }
}
