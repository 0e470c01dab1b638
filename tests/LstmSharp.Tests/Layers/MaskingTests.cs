// Masking: padded steps are skipped exactly — gradients by finite differences through a reference that skips
// them, predictions unchanged by extra padding, the same mask from Embedding ids, a Masking layer or lengths,
// and per-step losses that ignore padding.
using LstmSharp.Data;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class MaskingTests
{
    const int B = 3, T = 5, I = 2, H = 3;

    // Sample 0 is full, sample 1 is right-padded to length 3, sample 2 has a hole at step 1 and padding at the end.
    static readonly float[] s_mask = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0];

    public static TheoryData<string, bool, bool, KernelVariant> Cases()
    {
        var data = new TheoryData<string, bool, bool, KernelVariant>();
        foreach (var kind in new[] { "lstm", "lstm-peephole", "gru", "rnn" })
            foreach (var goBackwards in new[] { false, true })
                foreach (var returnSequences in new[] { false, true })
                    foreach (var v in KernelSet.Supported)
                        data.Add(kind, goBackwards, returnSequences, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rnn_Masked_MatchesReferenceAndFiniteDifferences(string kind, bool goBackwards, bool returnSequences, KernelVariant variant)
    {
        Rnn layer = kind switch
        {
            "lstm" => new Lstm(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences }),
            "lstm-peephole" => new Lstm(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences, Peepholes = true }),
            "gru" => new Gru(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences }),
            _ => new SimpleRnn(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences }),
        };
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I]);
        var values = new Dictionary<string, double[]>();
        var seed = 1;
        foreach (var p in layer.Parameters)
        {
            GradientCheck.RandomFloats(p.Value.Length, seed++).CopyTo(p.Value.Span);
            values[p.Name] = p.Value.ToDouble();
        }
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 50, 1f), B, T, I);
        values["x"] = x.ToDouble();
        var mask = new Tensor(s_mask, B, T);
        var m = s_mask.Select(v => (double)v).ToArray();
        var zeros = new double[B * H];
        var gOut = GradientCheck.RandomFloats(returnSequences ? B * T * H : B * H, 51, 1f);
        var gH = GradientCheck.RandomFloats(B * H, 52, 1f);

        (double[] Output, double[] H) Reference(Dictionary<string, double[]> v)
        {
            (double[] seq, double[] h) = layer switch
            {
                Lstm l => Pick(Oracles.Reference.Lstm(v["x"], B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"],
                    l.LstmOptions.Peepholes ? v["weight_peephole_l0"] : null, zeros, zeros, goBackwards, m)),
                Gru => Oracles.Reference.Gru(v["x"], B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], zeros, goBackwards, m),
                _ => Oracles.Reference.SimpleRnn(v["x"], B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], zeros, goBackwards, m),
            };
            return (returnSequences ? seq : h, h);
        }
        double Loss(Dictionary<string, double[]> v)
        {
            var (output, h) = Reference(v);
            return Oracles.Reference.Dot(output, gOut.Select(g => (double)g).ToArray()) + Oracles.Reference.Dot(h, gH.Select(g => (double)g).ToArray());
        }

        var y = layer.Forward(x, null, training: false, mask);
        var expected = Reference(values);
        Approx.Equal(expected.Output, y, 1e-5, "masked output");
        Approx.Equal(expected.H, layer.FinalState[0], 1e-5, "final h (the last real step's)");
        if (!returnSequences) Assert.Null(layer.OutputMask);
        else if (!goBackwards) Assert.Same(mask, layer.OutputMask);
        else Assert.Equal([1f, 1f, 1f, 1f, 1f, 0f, 0f, 1f, 1f, 1f, 0f, 1f, 1f, 0f, 1f], layer.OutputMask!.ToArray());

        var dStates = new List<Tensor?> { new Tensor(gH, B, H) };
        if (layer.StateCount == 2) dStates.Add(null);
        var dx = layer.Backward(new Tensor(gOut, returnSequences ? [B, T, H] : [B, H]), dStates);
        var analytic = layer.Parameters.ToDictionary(p => p.Name, p => p.Gradient);
        analytic["x"] = dx;
        GradientCheck.Assert(values, Loss, analytic);
    }

    static (double[], double[]) Pick((double[] Seq, double[] H, double[] C) r) => (r.Seq, r.H);

    [Fact]
    public void StackedModel_ExtraPadding_DoesNotChangePredictions()
    {
        Sequential Build() => new(7, new Input(-1, 2),
            new Lstm(6, new() { ReturnSequences = true, Peepholes = true }),
            new Gru(5, new() { ReturnSequences = true, GoBackwards = true }),
            new SimpleRnn(4),
            new Dense(2));
        var model = Build();
        var lengths = new[] { 4, 2, 6 };
        var rng = new Random(3);
        var samples = lengths.Select(l => Enumerable.Range(0, l * 2).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();

        Tensor Padded(int steps)
        {
            var x = Tensor.Zeros(3, steps, 2);
            for (var s = 0; s < 3; s++) samples[s].CopyTo(x.Span.Slice(s * steps * 2));
            return x;
        }
        var lengthTensor = new Tensor(lengths.Select(l => (float)l).ToArray(), 3);
        var tight = model.Predict(Padded(6), lengths: lengthTensor);
        var loose = model.Predict(Padded(11), lengths: lengthTensor);
        Approx.Equal(tight, loose, 1e-6, "padding 6 vs 11");
        // Each sample alone, unpadded, gives the same prediction.
        for (var s = 0; s < 3; s++)
        {
            var alone = model.Predict(new Tensor(samples[s], 1, lengths[s], 2));
            Approx.Equal(tight.Slice(s, 1), alone, 1e-6, $"sample {s} alone");
        }
    }

    [Fact]
    public void EmbeddingZeros_MaskingLayer_AndLengths_GiveTheSameMask()
    {
        var ids = new Tensor([3, 1, 4, 0, 0, 2, 7, 0, 0, 0], 2, 5);
        var embedded = new Sequential(1, new Input(-1), new Embedding(8, 3), new Lstm(4));
        var viaIds = embedded.Predict(ids);
        Assert.Equal([1f, 1f, 1f, 0f, 0f, 1f, 1f, 0f, 0f, 0f], embedded.Layers[0].OutputMask!.ToArray());

        var embedding = (Embedding)embedded.Layers[0];
        var vectors = embedding.Forward(ids).Clone();
        var lstm = (Lstm)embedded.Layers[1];
        var viaLengths = lstm.Forward(vectors, null, false, Masks.FromLengths(new Tensor([3f, 2f], 2), 5)).Clone();
        Approx.Equal(viaIds, viaLengths, 1e-6, "embedding mask vs lengths");

        var masking = new Masking();
        var viaMasking = lstm.Forward(masking.Forward(vectors), null, false, masking.OutputMask).Clone();
        Approx.Equal(viaIds, viaMasking, 1e-6, "Masking layer vs embedding mask");
    }

    [Fact]
    public void PerStepLoss_IgnoresPaddedSteps()
    {
        var model = new Sequential(2, new Input(-1, 1), new Lstm(3, new() { ReturnSequences = true }), new Dense(1));
        model.Compile(new Sgd(1e-9f), new MeanSquaredError());
        var x = new Tensor([0.5f, -0.2f, 0.9f, 0.1f, 0.3f, 0f], 2, 3, 1);
        var y = new Tensor([1f, 2f, 3f, 4f, 5f, 6f], 2, 3, 1);
        var lengths = new Tensor([3f, 2f], 2);
        var p = model.Predict(x, lengths: lengths).ToArray();
        var real = new[] { 0, 1, 2, 3, 4 };
        var expected = real.Average(i => Math.Pow(p[i] - y.Span[i], 2));
        Assert.Equal(0f, p[5]);
        Assert.Equal(expected, model.Evaluate(x, y, lengths: lengths)["loss"], 5);
        // Changing the padded step's target changes nothing.
        y.Span[5] = 1000f;
        Assert.Equal(expected, model.Evaluate(x, y, lengths: lengths)["loss"], 5);
        var history = model.Fit(x, y, new FitOptions { BatchSize = 2, Shuffle = false, Lengths = lengths });
        Assert.Equal(expected, history.Loss[0], 5);
    }

    [Fact]
    public void Mask_BadShapeOrValues_Throws()
    {
        var lstm = new Lstm(2);
        Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(2, 3, 1), null, false, Tensor.Zeros(2, 4)));
        var e = Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(1, 2, 1), null, false, new Tensor([1f, 0.5f], 1, 2)));
        Assert.Contains("0.5", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Masks.FromLengths(new Tensor([2f, 7f], 2), 5));
    }
}
