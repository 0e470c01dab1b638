// Weight dropout (DropConnect on weight_hh_l0, AWD-LSTM's weight drop) on Lstm, Gru and SimpleRnn: outputs and every
// gradient against finite differences of the double reference with the pass's mask held fixed and against PyTorch
// with a recorded mask (awd_dropout.json, tools/torch_fixtures/make_awd_dropout_fixture.py); the rate kept, one mask
// per pass and per direction, nothing dropped at inference, bad rates refused.
using System.Text.Json;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class WeightDropoutTests
{
    const int B = 3, T = 4, I = 3, H = 4;
    const float P = 0.4f;

    static Rnn Make(string kind, float weightDropout, float recurrentDropout = 0f) => kind switch
    {
        "lstm" => new Lstm(H, new() { WeightDropout = weightDropout, RecurrentDropout = recurrentDropout, ReturnSequences = true, Peepholes = true }),
        "gru" or "gru-reset-before" => new Gru(H, new GruOptions
        {
            WeightDropout = weightDropout, RecurrentDropout = recurrentDropout, ReturnSequences = true, ResetAfter = kind == "gru",
        }),
        _ => new SimpleRnn(H, new() { WeightDropout = weightDropout, RecurrentDropout = recurrentDropout, ReturnSequences = true }),
    };

    [Theory]
    [MemberData(nameof(RecurrentDropoutTests.Cases), MemberType = typeof(RecurrentDropoutTests))]
    public void WeightDropout_Training_MatchesReferenceWithTheMaskHeldFixedAndFiniteDifferences(string kind, KernelVariant variant)
    {
        // With recurrent dropout as well, so the two masks meet in the same recurrent product.
        var layer = Make(kind, P, recurrentDropout: 0.3f);
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I], seed: 2);
        var values = GradientCheck.RandomizeParameters(layer, "", seed: 7);
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 30, 1f), B, T, I);
        values["x"] = x.ToDouble();
        var weightHh = layer.Parameters.Single(p => p.Name == "weight_hh_l0").Value.ToArray();
        var y = layer.Forward(x, training: true);
        Assert.Equal(weightHh, layer.Parameters.Single(p => p.Name == "weight_hh_l0").Value.ToArray());
        var mw = layer.WeightDropoutMask!.ToDouble();
        var mr = layer.RecurrentDropoutMask!.ToDouble();
        Assert.Contains(0.0, mw);
        Assert.All(mw, v => Assert.True(v == 0 || Math.Abs(v - 1 / (1 - P)) < 1e-6, $"scale {v}"));
        Assert.Contains(mw, v => v != 0);
        var g = GradientCheck.RandomFloats(B * T * H, 31, 1f).Select(v => (double)v).ToArray();

        double[] Reference(Dictionary<string, double[]> v)
        {
            var wHh = v["weight_hh_l0"].Select((w, i) => w * mw[i]).ToArray();
            var zeros = new double[B * H];
            return kind switch
            {
                "lstm" => Oracles.Reference.Lstm(v["x"], B, T, I, H, v["weight_ih_l0"], wHh, v["bias_ih_l0"], v["bias_hh_l0"], v["weight_peephole_l0"], zeros, zeros, false, null, mr).Seq,
                "gru" or "gru-reset-before" => Oracles.Reference.Gru(v["x"], B, T, I, H, v["weight_ih_l0"], wHh, v["bias_ih_l0"], v["bias_hh_l0"], zeros, false, null, mr,
                    resetAfter: kind == "gru").Seq,
                _ => Oracles.Reference.SimpleRnn(v["x"], B, T, I, H, v["weight_ih_l0"], wHh, v["bias_ih_l0"], v["bias_hh_l0"], zeros, false, null, mr).Seq,
            };
        }

        Approx.Equal(Reference(values), y, 1e-5, "output with weight dropout");
        var dx = layer.Backward(new Tensor(g.Select(v => (float)v).ToArray(), B, T, H));
        var analytic = layer.Parameters.ToDictionary(p => p.Name, p => p.Gradient);
        analytic["x"] = dx;
        GradientCheck.Assert(values, v => Oracles.Reference.Dot(Reference(v), g), analytic);
        // A dropped kernel entry gets no gradient.
        var dWhh = analytic["weight_hh_l0"].ToArray();
        for (var i = 0; i < mw.Length; i++)
            if (mw[i] == 0) Assert.Equal(0f, dWhh[i]);
    }

    static float[] Floats(JsonElement e) => [.. e.EnumerateArray().Select(v => (float)v.GetDouble())];

    static double[] Doubles(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetDouble())];

    /// <summary>The fixture's cases with the given module (<c>LSTM</c>, <c>GRU</c>, <c>Embedding</c>).</summary>
    internal static JsonElement[] AwdCases(string module)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", "awd_dropout.json")));
        return [.. doc.RootElement.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("module").GetString() == module).Select(c => c.Clone())];
    }

    /// <summary>
    /// Copies the fixture's parameters (torch's names, which a Bidirectional's backward layer has too: <paramref name="suffix"/>
    /// <c>_reverse</c>) and injects its keep mask as scales.
    /// </summary>
    static void Load(Rnn layer, JsonElement c, string suffix)
    {
        var p = c.GetProperty("p").GetSingle();
        foreach (var parameter in layer.Parameters)
            parameter.Value.CopyFrom(new Tensor(Floats(c.GetProperty("parameters").GetProperty(parameter.Name)), parameter.Value.Shape.ToArray()));
        var weight = layer.Parameters.Single(q => q.Name == "weight_hh_l0" + suffix).Value;
        var keep = Floats(c.GetProperty("keep").GetProperty("weight_hh_l0" + suffix));
        layer.WeightDropoutMask = new Tensor([.. keep.Select(k => k / (1f - p))], weight.Shape.ToArray());
    }

    static void AssertGradients(Rnn layer, JsonElement c)
    {
        foreach (var parameter in layer.Parameters)
            Approx.Equal(Doubles(c.GetProperty("grad").GetProperty(parameter.Name)), parameter.Gradient, 1e-5, $"{c.GetProperty("name")} grad.{parameter.Name}");
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void WeightDropout_WithARecordedMask_MatchesPyTorch(KernelVariant variant)
    {
        var cases = AwdCases("LSTM").Concat(AwdCases("GRU")).Where(c => !c.GetProperty("bidirectional").GetBoolean()).ToArray();
        Assert.Equal(2, cases.Length);
        foreach (var c in cases)
        {
            int b = c.GetProperty("batch").GetInt32(), t = c.GetProperty("time").GetInt32(), i = c.GetProperty("input").GetInt32(), h = c.GetProperty("hidden").GetInt32();
            var p = c.GetProperty("p").GetSingle();
            var lstm = c.GetProperty("module").GetString() == "LSTM";
            Rnn layer = lstm ? new Lstm(h, new() { ReturnSequences = true, WeightDropout = p }) : new Gru(h, new() { ReturnSequences = true, WeightDropout = p });
            layer.Kernels = KernelSet.For(variant);
            layer.Build([t, i]);
            Load(layer, c, "");
            Tensor[] initial = lstm
                ? [new Tensor(Floats(c.GetProperty("h0")), b, h), new Tensor(Floats(c.GetProperty("c0")), b, h)]
                : [new Tensor(Floats(c.GetProperty("h0")), b, h)];
            var name = c.GetProperty("name").GetString();
            var y = layer.Forward(new Tensor(Floats(c.GetProperty("x")), b, t, i), initial, training: true);
            Approx.Equal(Doubles(c.GetProperty("output")), y, 1e-5, $"{name} output");
            Approx.Equal(Doubles(c.GetProperty("h_n")), layer.FinalState[0], 1e-5, $"{name} h_n");
            if (lstm) Approx.Equal(Doubles(c.GetProperty("c_n")), layer.FinalState[1], 1e-5, $"{name} c_n");
            Tensor?[] dFinal = lstm
                ? [new Tensor(Floats(c.GetProperty("grad_h_n")), b, h), new Tensor(Floats(c.GetProperty("grad_c_n")), b, h)]
                : [new Tensor(Floats(c.GetProperty("grad_h_n")), b, h)];
            var dx = layer.Backward(new Tensor(Floats(c.GetProperty("grad_output")), b, t, h), dFinal);
            Approx.Equal(Doubles(c.GetProperty("grad").GetProperty("x")), dx, 1e-5, $"{name} grad.x");
            Approx.Equal(Doubles(c.GetProperty("grad").GetProperty("h0")), layer.InitialStateGradient[0], 1e-5, $"{name} grad.h0");
            if (lstm) Approx.Equal(Doubles(c.GetProperty("grad").GetProperty("c0")), layer.InitialStateGradient[1], 1e-5, $"{name} grad.c0");
            AssertGradients(layer, c);
        }
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void WeightDropout_BidirectionalWithAMaskPerDirection_MatchesPyTorch(KernelVariant variant)
    {
        var c = AwdCases("LSTM").Single(c => c.GetProperty("bidirectional").GetBoolean());
        int b = c.GetProperty("batch").GetInt32(), t = c.GetProperty("time").GetInt32(), i = c.GetProperty("input").GetInt32(), h = c.GetProperty("hidden").GetInt32();
        var bi = new Bidirectional(new Lstm(h, new() { ReturnSequences = true, WeightDropout = c.GetProperty("p").GetSingle() }));
        bi.Build([t, i]);
        bi.ForwardLayer.Kernels = bi.BackwardLayer.Kernels = KernelSet.For(variant);
        Load(bi.ForwardLayer, c, "");
        Load(bi.BackwardLayer, c, "_reverse");
        var y = bi.Forward(new Tensor(Floats(c.GetProperty("x")), b, t, i), training: true);
        Approx.Equal(Doubles(c.GetProperty("output")), y, 1e-5, "bidirectional output");
        var dx = bi.Backward(new Tensor(Floats(c.GetProperty("grad_output")), b, t, 2 * h));
        Approx.Equal(Doubles(c.GetProperty("grad").GetProperty("x")), dx, 1e-5, "bidirectional grad.x");
        AssertGradients(bi.ForwardLayer, c);
        AssertGradients(bi.BackwardLayer, c);
    }

    [Fact]
    public void WeightDropout_Inference_EqualsTheLayerWithout_AndMasksAreSeededPerPassAndDirection()
    {
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 3, 1f), B, T, I);
        foreach (var kind in new[] { "lstm", "gru", "rnn" })
        {
            var with = Make(kind, 0.5f);
            var without = Make(kind, 0f);
            with.Build([T, I], seed: 4);
            without.Build([T, I], seed: 4);
            Assert.Equal(without.Forward(x).ToArray(), with.Forward(x).ToArray());
            Assert.Null(with.WeightDropoutMask);
            Assert.NotEqual(without.Forward(x, training: true).ToArray(), with.Forward(x, training: true).ToArray());
            // After a training pass inference is still the undropped layer's.
            Assert.Equal(without.Forward(x).ToArray(), with.Forward(x).ToArray());
        }

        var big = new Lstm(50, new() { WeightDropout = 0.5f });
        big.Build([2, 3], seed: 1);
        big.Forward(Tensor.Zeros(2, 2, 3), training: true);
        var first = big.WeightDropoutMask!.ToArray();
        Assert.Equal(200 * 50, first.Length);
        Assert.InRange(first.Count(v => v == 0f) / (double)first.Length, 0.48, 0.52);
        big.Forward(Tensor.Zeros(2, 2, 3), training: true);
        Assert.NotEqual(first, big.WeightDropoutMask!.ToArray());

        float[][] Masks(int seed)
        {
            var bi = new Bidirectional(new Gru(5, new() { WeightDropout = 0.5f }));
            bi.Build([2, 6], seed);
            bi.Forward(Tensor.Zeros(3, 2, 6), training: true);
            return [bi.ForwardLayer.WeightDropoutMask!.ToArray(), bi.BackwardLayer.WeightDropoutMask!.ToArray()];
        }
        Assert.Equal(Masks(8), Masks(8));
        Assert.NotEqual(Masks(8), Masks(9));
        Assert.NotEqual(Masks(8)[0], Masks(8)[1]);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void WeightDropout_OutOfRange_IsRefusedWithItsName(float p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LstmOptions { WeightDropout = p });
        Assert.Contains("WeightDropout must be in [0, 1)", e.Message, StringComparison.Ordinal);
        Assert.Contains(p.ToString(System.Globalization.CultureInfo.CurrentCulture), e.Message, StringComparison.Ordinal);
    }
}
