// The recurrent forms Keras, PyTorch and ONNX have beside the default ones: the reset-before GRU (Keras
// reset_after=False, ONNX linear_before_reset=0), layers without biases (use_bias=False / bias=False), padded
// steps that repeat the last output (zero_output_for_mask=False), an Embedding whose id 0 is an ordinary token
// (mask_zero=False) and a stateful layer inside Bidirectional. Oracles: finite differences in double through
// the reference forward passes (the reset-before reference is ONNX's GRU_Helper equation; ONNX Runtime checks
// the layer itself in OnnxExportTests), and explicit initial states for the stateful case. Also: the weights the
// kernels keep packed are packed once per update and every write is seen (the reference on the new values).
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class RecurrentFormsTests
{
    const int B = 3, T = 4, I = 3, H = 4;

    // Row 0 is all real, row 1 right-padded, row 2 starts padded and has a hole.
    static readonly float[] MaskValues = [1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1];

    public static TheoryData<string, bool, bool, KernelVariant> Cases()
    {
        var data = new TheoryData<string, bool, bool, KernelVariant>();
        foreach (var kind in new[] { "lstm", "gru", "gru-reset-before", "rnn" })
            foreach (var useBias in new[] { true, false })
                foreach (var zeroOutput in new[] { true, false })
                    foreach (var v in KernelSet.Supported)
                        data.Add(kind, useBias, zeroOutput, v);
        return data;
    }

    static Rnn Make(string kind, bool useBias, bool zeroOutput, bool goBackwards) => kind switch
    {
        "lstm" => new Lstm(H, new() { ReturnSequences = true, UseBias = useBias, ZeroOutputForMask = zeroOutput, GoBackwards = goBackwards, Peepholes = true }),
        "gru" => new Gru(H, new GruOptions { ReturnSequences = true, UseBias = useBias, ZeroOutputForMask = zeroOutput, GoBackwards = goBackwards }),
        "gru-reset-before" => new Gru(H, new GruOptions { ReturnSequences = true, UseBias = useBias, ZeroOutputForMask = zeroOutput, GoBackwards = goBackwards, ResetAfter = false }),
        _ => new SimpleRnn(H, new() { ReturnSequences = true, UseBias = useBias, ZeroOutputForMask = zeroOutput, GoBackwards = goBackwards }),
    };

    /// <summary>The reference output sequence (processing order) and final h (and c) for <paramref name="kind"/>.</summary>
    static (double[] Seq, double[] H, double[]? C) Reference(string kind, Dictionary<string, double[]> v, double[]? mask, bool goBackwards, bool zeroOutput, int inputs = I)
    {
        double[] Bias(string name, int gates) => v.TryGetValue(name, out var b) ? b : new double[gates * H];
        var h0 = v.TryGetValue("h0", out var given) ? given : new double[B * H];
        (double[] Seq, double[] H, double[]? C) result = kind switch
        {
            "lstm" => Oracles.Reference.Lstm(v["x"], B, T, inputs, H, v["weight_ih_l0"], v["weight_hh_l0"], Bias("bias_ih_l0", 4), Bias("bias_hh_l0", 4),
                v["weight_peephole_l0"], h0, v.TryGetValue("c0", out var c0) ? c0 : new double[B * H], goBackwards, mask),
            "rnn" => WithoutC(Oracles.Reference.SimpleRnn(v["x"], B, T, inputs, H, v["weight_ih_l0"], v["weight_hh_l0"], Bias("bias_ih_l0", 1), Bias("bias_hh_l0", 1), h0, goBackwards, mask)),
            _ => WithoutC(Oracles.Reference.Gru(v["x"], B, T, inputs, H, v["weight_ih_l0"], v["weight_hh_l0"], Bias("bias_ih_l0", 3), Bias("bias_hh_l0", 3), h0, goBackwards, mask,
                resetAfter: kind == "gru")),
        };
        if (!zeroOutput && mask is not null) result.Seq = Oracles.Reference.RepeatMaskedOutputs(result.Seq, mask, B, T, H, goBackwards);
        return result;
    }

    static (double[], double[], double[]?) WithoutC((double[] Seq, double[] H) r) => (r.Seq, r.H, null);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Form_ForwardAndBackward_MatchReferenceAndFiniteDifferences(string kind, bool useBias, bool zeroOutput, KernelVariant variant)
    {
        var goBackwards = !useBias;   // both directions, without a separate theory axis
        var layer = Make(kind, useBias, zeroOutput, goBackwards);
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I], seed: 5);
        Assert.Equal(useBias, layer.Parameters.Any(p => p.Name.StartsWith("bias_", StringComparison.Ordinal)));
        Assert.Equal(layer.ParameterCountFor([T, I]), layer.ParameterCount);
        var values = GradientCheck.RandomizeParameters(layer, "", seed: 11);
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 40, 1f), B, T, I);
        values["x"] = x.ToDouble();
        var mask = new Tensor(MaskValues, B, T);
        var maskD = mask.ToDouble();
        var gOut = GradientCheck.RandomFloats(B * T * H, 41, 1f).Select(v => (double)v).ToArray();
        var gH = GradientCheck.RandomFloats(B * H, 42, 1f).Select(v => (double)v).ToArray();
        double Loss(Dictionary<string, double[]> v)
        {
            var (seq, h, _) = Reference(kind, v, maskD, goBackwards, zeroOutput);
            return Oracles.Reference.Dot(seq, gOut) + Oracles.Reference.Dot(h, gH);
        }

        var y = layer.Forward(x, null, mask: mask);
        var expected = Reference(kind, values, maskD, goBackwards, zeroOutput);
        Approx.Equal(expected.Seq, y, 1e-5, $"{kind} output");
        Approx.Equal(expected.H, layer.FinalState[0], 1e-5, $"{kind} final h");
        if (!zeroOutput)
        {
            // Row 2 in processing order: its padded steps after the first real one are not zero.
            var firstReal = goBackwards ? 0 : 1;
            Assert.Contains(y.Span.Slice((2 * T + firstReal + 1) * H, H).ToArray(), v => v != 0f);
        }

        var dFinal = new List<Tensor?> { new(gH.Select(v => (float)v).ToArray(), B, H) };
        if (layer.StateCount == 2) dFinal.Add(null);
        var dx = layer.Backward(new Tensor(gOut.Select(v => (float)v).ToArray(), B, T, H), dFinal);
        var analytic = layer.Parameters.ToDictionary(p => p.Name, p => p.Gradient);
        analytic["x"] = dx;
        GradientCheck.Assert(values, Loss, analytic);
    }

    public static TheoryData<string, KernelVariant> KindsAndVariants()
    {
        var data = new TheoryData<string, KernelVariant>();
        foreach (var kind in new[] { "lstm", "gru", "gru-reset-before", "rnn" })
            foreach (var v in KernelSet.Supported)
                data.Add(kind, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndVariants))]
    public void PackedWeights_PackedOncePerUpdate_AndEveryWriteSeen(string kind, KernelVariant variant)
    {
        var layer = Make(kind, useBias: true, zeroOutput: true, goBackwards: false);
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I], seed: 5);
        var values = GradientCheck.RandomizeParameters(layer, "", seed: 13);
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 43, 1f), B, T, I);
        values["x"] = x.ToDouble();
        var dOut = new Tensor(GradientCheck.RandomFloats(B * T * H, 44, 1f), B, T, H);
        var weightIh = layer.Parameters.Single(p => p.Name == "weight_ih_l0");
        var weightHh = layer.Parameters.Single(p => p.Name == "weight_hh_l0");
        void Read(Parameter p) => values[p.Name] = p.Value.ToDouble();
        int Packs(Action pass)
        {
            var before = KernelSet.PacksOnThisThread;
            pass();
            return KernelSet.PacksOnThisThread - before;
        }
        void Pass(string what) => Approx.Equal(Reference(kind, values, null, false, true).Seq, layer.Forward(x, null), 1e-5, what);

        // Forward: W_ihᵀ and W_hhᵀ (the reset-before GRU: W_hhᵀ's r, z rows and its n rows apart).
        var forwardPacks = kind == "gru-reset-before" ? 3 : 2;
        Assert.Equal(forwardPacks, Packs(() => Pass("first pass")));
        Assert.Equal(0, Packs(() => Pass("second pass")));
        weightHh.Value.Span[1] += 0.5f;
        Read(weightHh);
        Assert.Equal(forwardPacks - 1, Packs(() => Pass("after a write to weight_hh through Span")));
        weightIh.Value[2, 1] -= 0.5f;
        Read(weightIh);
        Assert.Equal(1, Packs(() => Pass("after a write to weight_ih through the indexer")));

        // Backward: W_hh as stored, once until it changes.
        var backwardPacks = kind == "gru-reset-before" ? 2 : 1;
        Assert.Equal(backwardPacks, Packs(() => layer.Backward(dOut, null)));
        Assert.Equal(0, Packs(() =>
        {
            layer.Forward(x, null);
            layer.Backward(dOut, null);
        }));
        new LstmSharp.Optimizers.Sgd(0.5f).Step(layer.Parameters);
        foreach (var p in layer.Parameters) Read(p);
        Assert.Equal(forwardPacks, Packs(() => Pass("after an optimizer step")));

        // Another kernel variant packs in its own layout.
        layer.Kernels = KernelSet.For(KernelSet.Supported.First(v => v != variant));
        Assert.Equal(forwardPacks, Packs(() => Pass("on another kernel variant")));
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void ResetBeforeGru_InitialStateAndLastOutput_MatchFiniteDifferences(KernelVariant variant)
    {
        var gru = new Gru(H, new GruOptions { ResetAfter = false }) { Kernels = KernelSet.For(variant) };
        gru.Build([T, I], seed: 6);
        var values = GradientCheck.RandomizeParameters(gru, "", seed: 60);
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 70, 1f), B, T, I);
        var h0 = new Tensor(GradientCheck.RandomFloats(B * H, 71), B, H);
        values["x"] = x.ToDouble();
        values["h0"] = h0.ToDouble();
        var g = GradientCheck.RandomFloats(B * H, 72, 1f).Select(v => (double)v).ToArray();
        double Loss(Dictionary<string, double[]> v) => Oracles.Reference.Dot(Reference("gru-reset-before", v, null, false, true).H, g);

        var y = gru.Forward(x, [h0]);
        Approx.Equal(Reference("gru-reset-before", values, null, false, true).H, y, 1e-5, "last output");
        var dx = gru.Backward(new Tensor(g.Select(v => (float)v).ToArray(), B, H), null);
        var analytic = gru.Parameters.ToDictionary(p => p.Name, p => p.Gradient);
        analytic["x"] = dx;
        analytic["h0"] = gru.InitialStateGradient[0];
        GradientCheck.Assert(values, Loss, analytic);
    }

    [Fact]
    public void ResetBeforeGru_DiffersFromResetAfter_OnTheSameWeights()
    {
        var after = new Gru(H);
        var before = new Gru(H, new GruOptions { ResetAfter = false });
        after.Build([T, I], seed: 8);
        before.Build([T, I], seed: 8);
        var seed = 80;
        foreach (var (a, b) in after.Parameters.Zip(before.Parameters))
        {
            GradientCheck.RandomFloats(a.Value.Length, seed++).CopyTo(a.Value.Span);
            a.Value.Span.CopyTo(b.Value.Span);
        }
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 90, 1f), B, T, I);
        var ya = after.Forward(x).ToArray();
        var yb = before.Forward(x).ToArray();
        Assert.True(ya.Zip(yb).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the two forms must not coincide with non-zero b_hn");
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void EmbeddingWithoutMaskZero_IdZeroIsAnOrdinaryToken(KernelVariant variant)
    {
        const int vocab = 6, dim = 3;
        var embedding = new Embedding(vocab, dim, maskZero: false) { Kernels = KernelSet.For(variant) };
        var model = new Sequential(7, new Input(-1), embedding, new Lstm(2));
        Assert.Contains(embedding.Parameters[0].Value.Span[..dim].ToArray(), v => v != 0f);
        var ids = new Tensor([2, 0, 0, 5, 0, 0, 0, 0], 2, 4);
        var g = GradientCheck.RandomFloats(2 * 4 * dim, 91, 1f).Select(v => (double)v).ToArray();
        var values = new Dictionary<string, double[]> { ["weight"] = embedding.Parameters[0].Value.ToDouble() };
        double Loss(Dictionary<string, double[]> v) => Oracles.Reference.Dot(Oracles.Reference.Embedding(v["weight"], ids.Span, dim), g);
        embedding.Forward(ids);
        Assert.Null(embedding.OutputMask);
        embedding.ZeroGradients();
        embedding.Backward(new Tensor(g.Select(v => (float)v).ToArray(), 2, 4, dim));
        GradientCheck.Assert(values, Loss, new Dictionary<string, Tensor> { ["weight"] = embedding.Parameters[0].Gradient });
        Assert.Contains(embedding.Parameters[0].Gradient.Span[..dim].ToArray(), v => v != 0f);

        // The all-zero row is a real sequence for the LSTM after it (with a mask it would give zeros).
        var last = model.Predict(ids);
        Assert.Contains(last.Span.Slice(2, 2).ToArray(), v => v != 0f);
        var masked = new Sequential(7, new Input(-1), new Embedding(vocab, dim), new Lstm(2));
        Assert.Equal([0f, 0f], masked.Predict(ids).Span.Slice(2, 2).ToArray());
    }

    [Fact]
    public void StatefulBidirectional_EachDirectionCarriesItsFinalState_AndResetStatesZerosBoth()
    {
        var stateful = new Bidirectional(new Lstm(H, new() { Stateful = true, ReturnSequences = true }));
        var plain = new Bidirectional(new Lstm(H, new() { ReturnSequences = true }));
        stateful.Build([T, I], seed: 3);
        plain.Build([T, I], seed: 3);
        var first = new Tensor(GradientCheck.RandomFloats(B * T * I, 100, 1f), B, T, I);
        var second = new Tensor(GradientCheck.RandomFloats(B * T * I, 101, 1f), B, T, I);

        Approx.Equal(plain.Forward(first, null).ToDouble(), stateful.Forward(first, null), 1e-6, "first batch from zeros");
        var carried = stateful.FinalState.Select(s => s.Clone()).ToList();
        var continued = stateful.Forward(second, null).Clone();
        Approx.Equal(plain.Forward(second, carried).ToDouble(), continued, 1e-6, "second batch from both directions' final states");
        Assert.True(carried.All(s => s.ToArray().Any(v => v != 0f)));

        stateful.ResetStates();
        Approx.Equal(plain.Forward(second, null).ToDouble(), stateful.Forward(second, null), 1e-6, "after ResetStates");
    }

    [Fact]
    public void Forms_SurviveSaveAndLoad()
    {
        var model = new Sequential(9, new Input(-1),
            new Embedding(8, 3, maskZero: false),
            new Bidirectional(new Gru(4, new GruOptions { ResetAfter = false, UseBias = false, ReturnSequences = true, Stateful = true })),
            new SimpleRnn(3, new() { ZeroOutputForMask = false, ReturnSequences = true }),
            new Lstm(2, new() { UseBias = false }));
        var ids = new Tensor([1, 0, 3, 7, 2, 2, 0, 0], 2, 4);
        var path = Path.Combine(Path.GetTempPath(), $"forms-{Guid.NewGuid():N}.lstm");
        try
        {
            model.ResetStates();
            var expected = model.Predict(ids);
            model.Save(path);
            var loaded = (Sequential)Model.Load(path);
            var layers = loaded.Layers;
            Assert.False(((Embedding)layers[0]).MaskZero);
            var gru = (Gru)((Bidirectional)layers[1]).ForwardLayer;
            Assert.False(gru.ResetAfter);
            Assert.False(gru.Options.UseBias);
            Assert.True(gru.Options.Stateful);
            Assert.False(((SimpleRnn)layers[2]).Options.ZeroOutputForMask);
            var biases = loaded.GetWeights().Keys.Where(k => k.Contains("bias", StringComparison.Ordinal)).ToList();
            Assert.Equal([layers[2].Name + ".bias_ih_l0", layers[2].Name + ".bias_hh_l0"], biases);
            Assert.Equal(model.ParameterCount, loaded.ParameterCount);
            loaded.ResetStates();
            Approx.Equal(expected, loaded.Predict(ids), 0, "loaded model");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
