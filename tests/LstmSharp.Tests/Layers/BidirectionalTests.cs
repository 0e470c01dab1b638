// Bidirectional against PyTorch's bidirectional nn.LSTM (1 and 2 layers), every merge mode against finite
// differences with a mask, padding invariance of a stacked bidirectional model, and TimeDistributed.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class BidirectionalTests
{
    [Theory]
    [InlineData("lstm_bi")]
    [InlineData("lstm_bi_l2")]
    public void Bidirectional_Lstm_MatchesTorch(string name)
    {
        var f = TorchFixture.Load(name);
        int layers = f.ConfigInt("num_layers"), H = f.ConfigInt("hidden_size"), T = f.ConfigInt("time");
        var stack = new Bidirectional[layers];
        var input = f.Tensor("x");
        for (var l = 0; l < layers; l++)
        {
            stack[l] = new Bidirectional(new Lstm(H, new() { ReturnSequences = true }));
            stack[l].Build([T, input.Dim(2)]);
            Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"],
                stack[l].Parameters.Select(p => p.Name));
            foreach (var p in stack[l].Parameters) p.Value.CopyFrom(f.Tensor(p.Name.Replace("_l0", $"_l{l}", StringComparison.Ordinal)));
            var state = new[] { f.Slice("h0", 2 * l), f.Slice("c0", 2 * l), f.Slice("h0", 2 * l + 1), f.Slice("c0", 2 * l + 1) };
            input = stack[l].Forward(input, state).Clone();
        }
        Approx.Equal(f.Data("output"), input, 1e-5, "output");
        for (var l = 0; l < layers; l++)
        {
            for (var d = 0; d < 2; d++)
            {
                Approx.Equal(f.Slice("h_n", 2 * l + d), stack[l].FinalState[2 * d], 1e-5, $"h_n[{2 * l + d}]");
                Approx.Equal(f.Slice("c_n", 2 * l + d), stack[l].FinalState[2 * d + 1], 1e-5, $"c_n[{2 * l + d}]");
            }
        }

        var dOutput = f.Tensor("grad_output");
        for (var l = layers - 1; l >= 0; l--)
        {
            var dStates = new Tensor?[] { f.Slice("grad_h_n", 2 * l), f.Slice("grad_c_n", 2 * l), f.Slice("grad_h_n", 2 * l + 1), f.Slice("grad_c_n", 2 * l + 1) };
            dOutput = stack[l].Backward(dOutput, dStates).Clone();
            foreach (var p in stack[l].Parameters)
            {
                var torchName = p.Name.Replace("_l0", $"_l{l}", StringComparison.Ordinal);
                Approx.Equal(f.Data("grad." + torchName), p.Gradient, 1e-5, "grad." + torchName);
            }
            Approx.Equal(f.Slice("grad.h0", 2 * l), stack[l].InitialStateGradient[0], 1e-5, "grad.h0");
            Approx.Equal(f.Slice("grad.c0", 2 * l + 1), stack[l].InitialStateGradient[3], 1e-5, "grad.c0 reverse");
        }
        Approx.Equal(f.Data("grad.x"), dOutput, 1e-5, "grad.x");
    }

    public static TheoryData<MergeMode, bool, KernelVariant> MergeCases()
    {
        var data = new TheoryData<MergeMode, bool, KernelVariant>();
        foreach (var merge in Enum.GetValues<MergeMode>())
            foreach (var sequences in new[] { false, true })
                foreach (var v in KernelSet.Supported)
                    data.Add(merge, sequences, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(MergeCases))]
    public void Bidirectional_MergeModesWithMask_MatchFiniteDifferences(MergeMode merge, bool returnSequences, KernelVariant variant)
    {
        const int B = 2, T = 4, I = 2, H = 3;
        var layer = new Bidirectional(new Gru(H, new() { ReturnSequences = returnSequences }), merge) { Kernels = KernelSet.For(variant) };
        layer.Build([T, I]);
        var values = new Dictionary<string, double[]>();
        var seed = 3;
        foreach (var p in layer.Parameters)
        {
            GradientCheck.RandomFloats(p.Value.Length, seed++).CopyTo(p.Value.Span);
            values[p.Name] = p.Value.ToDouble();
        }
        var x = new Tensor(GradientCheck.RandomFloats(B * T * I, 40, 1f), B, T, I);
        values["x"] = x.ToDouble();
        float[] maskValues = [1, 1, 1, 1, 1, 1, 0, 0];
        var m = maskValues.Select(v => (double)v).ToArray();
        var width = merge == MergeMode.Concat ? 2 * H : H;
        var g = GradientCheck.RandomFloats(returnSequences ? B * T * width : B * width, 41, 1f).Select(v => (double)v).ToArray();

        double[] Reference(Dictionary<string, double[]> v)
        {
            var zeros = new double[B * H];
            var (fSeq, fH) = Oracles.Reference.Gru(v["x"], B, T, I, H, v["weight_ih_l0"], v["weight_hh_l0"], v["bias_ih_l0"], v["bias_hh_l0"], zeros, false, m);
            var (bSeq, bH) = Oracles.Reference.Gru(v["x"], B, T, I, H, v["weight_ih_l0_reverse"], v["weight_hh_l0_reverse"], v["bias_ih_l0_reverse"], v["bias_hh_l0_reverse"], zeros, true, m);
            var rows = returnSequences ? B * T : B;
            var y = new double[rows * width];
            for (var r = 0; r < rows; r++)
            {
                // Align the backward sequence (processing order) with the input.
                var br = returnSequences ? (r / T * T + T - 1 - r % T) : r;
                for (var j = 0; j < H; j++)
                {
                    var fv = returnSequences ? fSeq[r * H + j] : fH[r * H + j];
                    var bv = returnSequences ? bSeq[br * H + j] : bH[r * H + j];
                    switch (merge)
                    {
                        case MergeMode.Concat: y[r * 2 * H + j] = fv; y[r * 2 * H + H + j] = bv; break;
                        case MergeMode.Sum: y[r * H + j] = fv + bv; break;
                        case MergeMode.Multiply: y[r * H + j] = fv * bv; break;
                        default: y[r * H + j] = 0.5 * (fv + bv); break;
                    }
                }
            }
            return y;
        }

        var output = layer.Forward(x, training: false, new Tensor(maskValues, B, T));
        Approx.Equal(Reference(values), output, 1e-5, $"{merge} output");
        var dx = layer.Backward(new Tensor(g.Select(v => (float)v).ToArray(), output.Shape.ToArray()));
        var analytic = layer.Parameters.ToDictionary(p => p.Name, p => p.Gradient);
        analytic["x"] = dx;
        GradientCheck.Assert(values, v => Oracles.Reference.Dot(Reference(v), g), analytic);
    }

    [Fact]
    public void StackedBidirectional_VariableLengths_PaddingDoesNotChangeAnyPrediction()
    {
        Sequential Build() => new(11, new Input(-1), new Embedding(20, 4),
            new Bidirectional(new Lstm(5, new() { ReturnSequences = true, Peepholes = true })),
            new Bidirectional(new Lstm(4), MergeMode.Sum),
            new Dense(3, Activation.Softmax));
        var model = Build();
        int[][] sentences = [[3, 7, 1], [5, 2, 9, 9, 4, 6], [8], [1, 2, 3, 4]];
        Tensor Ids(int steps)
        {
            var ids = Tensor.Zeros(sentences.Length, steps);
            for (var s = 0; s < sentences.Length; s++)
                for (var t = 0; t < sentences[s].Length; t++) ids[s, t] = sentences[s][t];
            return ids;
        }
        var tight = model.Predict(Ids(6));
        Approx.Equal(tight, model.Predict(Ids(15)), 1e-6, "padding 6 vs 15");
        for (var s = 0; s < sentences.Length; s++)
        {
            var alone = model.Predict(new Tensor(sentences[s].Select(v => (float)v).ToArray(), 1, sentences[s].Length));
            Approx.Equal(tight.Slice(s, 1), alone, 1e-6, $"sentence {s} alone");
        }
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void TimeDistributed_Dense_MatchesDenseOnSequences(KernelVariant variant)
    {
        var td = new TimeDistributed(new Dense(4, Activation.Tanh)) { Kernels = KernelSet.For(variant) };
        td.Build([5, 3]);
        var dense = new Dense(4, Activation.Tanh) { Kernels = KernelSet.For(variant) };
        dense.Build([5, 3]);
        for (var i = 0; i < 2; i++) dense.Parameters[i].Value.CopyFrom(td.Parameters[i].Value);
        var x = new Tensor(GradientCheck.RandomFloats(2 * 5 * 3, 9, 1f), 2, 5, 3);
        var y = td.Forward(x);
        Assert.True(y.HasShape(2, 5, 4));
        Approx.Equal(dense.Forward(x).Clone(), y, 1e-6, "forward");
        var g = new Tensor(GradientCheck.RandomFloats(40, 10, 1f), 2, 5, 4);
        Approx.Equal(dense.Backward(g).Clone(), td.Backward(g), 1e-6, "dx");
        Approx.Equal(dense.Parameters[0].Gradient, td.Parameters[0].Gradient, 1e-6, "dW");
    }
}
