// Finite-difference gradient checks (in double, through the reference forward passes) for every layer and
// every option: peepholes, go-backwards, initial state, last step or whole sequence, and a stack of two
// recurrent layers under a Dense head. Every kernel variant runs.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class GradientCheckTests
{
    const int B = 2, T = 3, I = 3, H = 4;

    public static TheoryData<string, bool, bool, bool, KernelVariant> RecurrentCases()
    {
        var data = new TheoryData<string, bool, bool, bool, KernelVariant>();
        foreach (var kind in new[] { "lstm", "lstm-peephole", "gru", "rnn" })
            foreach (var goBackwards in new[] { false, true })
                foreach (var returnSequences in new[] { false, true })
                    foreach (var initialState in new[] { false, true })
                        foreach (var v in KernelSet.Supported)
                            data.Add(kind, goBackwards, returnSequences, initialState, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(RecurrentCases))]
    public void Rnn_Backward_MatchesFiniteDifferences(string kind, bool goBackwards, bool returnSequences, bool initialState, KernelVariant variant)
    {
        Rnn layer = kind switch
        {
            "lstm" => new Lstm(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences }),
            "lstm-peephole" => new Lstm(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences, Peepholes = true }),
            "gru" => new Gru(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences }),
            _ => new SimpleRnn(H, new() { GoBackwards = goBackwards, ReturnSequences = returnSequences }),
        };
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I], seed: 3);
        var values = GradientCheck.RandomizeParameters(layer, "", seed: 10);
        var x = Tensor.Zeros(B, T, I);
        GradientCheck.RandomFloats(B * T * I, 1, 1f).CopyTo(x.Span);
        values["x"] = x.ToDouble();
        var states = new List<Tensor>();
        for (var s = 0; s < layer.StateCount; s++)
        {
            var state = Tensor.Zeros(B, H);
            if (initialState) GradientCheck.RandomFloats(B * H, 20 + s).CopyTo(state.Span);
            states.Add(state);
            values[s == 0 ? "h0" : "c0"] = state.ToDouble();
        }
        var outLength = returnSequences ? B * T * H : B * H;
        var gOut = GradientCheck.RandomFloats(outLength, 30, 1f);
        var gStates = Enumerable.Range(0, layer.StateCount).Select(s => GradientCheck.RandomFloats(B * H, 40 + s, 1f)).ToArray();

        double Loss(Dictionary<string, double[]> v)
        {
            double[] seq, h;
            double[]? c = null;
            if (layer is Lstm lstm)
            {
                (seq, h, c) = Reference.Lstm(v["x"], B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"],
                    lstm.LstmOptions.Peepholes ? v["weight_peephole_l0"] : null, v["h0"], v["c0"], goBackwards);
            }
            else if (layer is Gru)
            {
                (seq, h) = Reference.Gru(v["x"], B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], v["h0"], goBackwards);
            }
            else
            {
                (seq, h) = Reference.SimpleRnn(v["x"], B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], v["h0"], goBackwards);
            }
            var output = returnSequences ? seq : Reference.Last(seq, B, T, H);
            var loss = Reference.Dot(output, gOut.Select(g => (double)g).ToArray()) + Reference.Dot(h, gStates[0].Select(g => (double)g).ToArray());
            if (c is not null) loss += Reference.Dot(c, gStates[1].Select(g => (double)g).ToArray());
            return loss;
        }

        var y = layer.Forward(x, initialState ? states : null);
        var expected = kind.StartsWith("lstm", StringComparison.Ordinal)
            ? Reference.Lstm(values["x"], B, T, I, H, values["weight_ih_l0"], values["weight_hh_l0"], values["bias_ih_l0"], values["bias_hh_l0"],
                kind == "lstm-peephole" ? values["weight_peephole_l0"] : null, values["h0"], values["c0"], goBackwards).Seq
            : null;
        if (expected is not null) Approx.Equal(returnSequences ? expected : Reference.Last(expected, B, T, H), y, 1e-5, $"{kind} output");

        var dx = layer.Backward(new Tensor(gOut, returnSequences ? [B, T, H] : [B, H]), gStates.Select(g => (Tensor?)new Tensor(g, B, H)).ToList());
        var analytic = layer.Parameters.ToDictionary(p => p.Name, p => p.Gradient);
        analytic["x"] = dx;
        if (initialState)
        {
            analytic["h0"] = layer.InitialStateGradient[0];
            if (layer.StateCount == 2) analytic["c0"] = layer.InitialStateGradient[1];
        }
        GradientCheck.Assert(values, Loss, analytic);
    }

    public static TheoryData<Activation, KernelVariant> DenseCases()
    {
        var data = new TheoryData<Activation, KernelVariant>();
        foreach (var a in Enum.GetValues<Activation>())
            foreach (var v in KernelSet.Supported)
                data.Add(a, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(DenseCases))]
    public void Dense_Backward_MatchesFiniteDifferences(Activation activation, KernelVariant variant)
    {
        const int inputs = 5, outputs = 6, rows = B * T;
        var dense = new Dense(outputs, activation) { Kernels = KernelSet.For(variant) };
        dense.Build([T, inputs]);
        var values = GradientCheck.RandomizeParameters(dense, "", seed: 50);
        var x = new Tensor(GradientCheck.RandomFloats(rows * inputs, 51, 1.5f), B, T, inputs);
        values["x"] = x.ToDouble();
        var g = GradientCheck.RandomFloats(rows * outputs, 52, 1f).Select(v => (double)v).ToArray();
        double Loss(Dictionary<string, double[]> v) => Reference.Dot(Reference.Dense(v["x"], rows, inputs, outputs, v["weight"], v["bias"], activation), g);

        var y = dense.Forward(x);
        Assert.True(y.HasShape(B, T, outputs));
        Approx.Equal(Reference.Dense(values["x"], rows, inputs, outputs, values["weight"], values["bias"], activation), y, 1e-5, "dense output");
        var dx = dense.Backward(new Tensor(g.Select(v => (float)v).ToArray(), B, T, outputs));
        GradientCheck.Assert(values, Loss, new Dictionary<string, Tensor> { ["weight"] = dense.Parameters[0].Gradient, ["bias"] = dense.Parameters[1].Gradient, ["x"] = dx });
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void Embedding_Backward_MatchesFiniteDifferences(KernelVariant variant)
    {
        const int vocab = 7, dim = 3;
        var embedding = new Embedding(vocab, dim) { Kernels = KernelSet.For(variant) };
        embedding.Build([4]);
        var values = GradientCheck.RandomizeParameters(embedding, "", seed: 60);
        var ids = new Tensor([1, 3, 3, 6, 2, 1, 5, 1], 2, 4);
        var g = GradientCheck.RandomFloats(2 * 4 * dim, 61, 1f).Select(v => (double)v).ToArray();
        double Loss(Dictionary<string, double[]> v) => Reference.Dot(Reference.Embedding(v["weight"], ids.Span, dim), g);
        embedding.Forward(ids);
        embedding.Backward(new Tensor(g.Select(v => (float)v).ToArray(), 2, 4, dim));
        GradientCheck.Assert(values, Loss, new Dictionary<string, Tensor> { ["weight"] = embedding.Parameters[0].Gradient });
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void Stack_LstmPeepholeThenBackwardGruThenDense_MatchesFiniteDifferences(KernelVariant variant)
    {
        var kernels = KernelSet.For(variant);
        var lstm = new Lstm(H, new() { ReturnSequences = true, Peepholes = true }) { Kernels = kernels };
        var gru = new Gru(5, new() { GoBackwards = true }) { Kernels = kernels };
        var dense = new Dense(2, Activation.Tanh) { Kernels = kernels };
        lstm.Build([T, I]);
        gru.Build([T, H]);
        dense.Build([5]);
        var values = GradientCheck.RandomizeParameters(lstm, "0.", 70);
        foreach (var (k, v) in GradientCheck.RandomizeParameters(gru, "1.", 80)) values[k] = v;
        foreach (var (k, v) in GradientCheck.RandomizeParameters(dense, "2.", 90)) values[k] = v;
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 91, 1f), B, T, I);
        values["x"] = x.ToDouble();
        var g = GradientCheck.RandomFloats(B * 2, 92, 1f).Select(v => (double)v).ToArray();
        double Loss(Dictionary<string, double[]> v)
        {
            var zeros = new double[B * H];
            var (seq, _, _) = Reference.Lstm(v["x"], B, T, I, H, v["0.weight_ih_l0"], v["0.weight_hh_l0"], v["0.bias_ih_l0"], v["0.bias_hh_l0"], v["0.weight_peephole_l0"], zeros, zeros, false);
            var (_, h) = Reference.Gru(seq, B, T, H, 5, v["1.weight_ih_l0"], v["1.weight_hh_l0"], v["1.bias_ih_l0"], v["1.bias_hh_l0"], new double[B * 5], true);
            return Reference.Dot(Reference.Dense(h, B, 5, 2, v["2.weight"], v["2.bias"], Activation.Tanh), g);
        }

        dense.Forward(gru.Forward(lstm.Forward(x)));
        var dx = lstm.Backward(gru.Backward(dense.Backward(new Tensor(g.Select(v => (float)v).ToArray(), B, 2))));
        var analytic = new Dictionary<string, Tensor> { ["x"] = dx };
        foreach (var (prefix, layer) in new (string, Layer)[] { ("0.", lstm), ("1.", gru), ("2.", dense) })
            foreach (var p in layer.Parameters) analytic[prefix + p.Name] = p.Gradient;
        GradientCheck.Assert(values, Loss, analytic);
    }
}
