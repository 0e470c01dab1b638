// AttentionLstm against a plain double re-implementation of its equations (LSTM cell, score, masked softmax,
// context, attentional vector, input feeding): outputs, weights and final states, and finite differences in double
// for every input, initial state and parameter — each score, with and without input feeding, with padded input and
// memory steps (one sample's memory is padding after step 0, the other's first input step is padding), on every
// kernel variant; the weights every step multiplies by are packed once per update, and a write is seen. (The one-step decoder equalling the sequence is in AttentionSeq2SeqTorchParityTests; the file
// round trip in TranslatorTests.)
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class AttentionLstmTests
{
    const int B = 2, T = 3, S = 4, I = 2, H = 3, Dm = 3, A = 4;

    public static TheoryData<AttentionScore, bool, bool, KernelVariant> Cases()
    {
        var data = new TheoryData<AttentionScore, bool, bool, KernelVariant>();
        foreach (var score in new[] { AttentionScore.Concat, AttentionScore.General, AttentionScore.Dot })
            foreach (var feeding in new[] { true, false })
                foreach (var masked in new[] { false, true })
                    foreach (var v in KernelSet.Supported)
                        data.Add(score, feeding, masked, v);
        return data;
    }

    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// The layer in a model of inputs x, memory, h0, c0 (outputs: the sequence, the weights, the final states) on
    /// <paramref name="variant"/>, with random parameters and inputs, and all of them in double by name.
    /// </summary>
    static (AttentionLstm Layer, AttentionRnnSymbols Call, Model Model, Input[] Inputs, Tensor[] Tensors, Dictionary<string, double[]> Values) Setup(
        AttentionScore score, bool feeding, KernelVariant variant, int parameterSeed, int inputSeed)
    {
        var x = new Input(T, I) { Name = "x" };
        var memory = new Input(S, Dm) { Name = "memory" };
        var h0 = new Input(H) { Name = "h0" };
        var c0 = new Input(H) { Name = "c0" };
        var layer = new AttentionLstm(H, new AttentionLstmOptions { Score = score, InputFeeding = feeding, AttentionUnits = A, ReturnAttentionScores = true });
        var call = layer.CallWithState(x, memory, [h0, c0]);
        var model = new Model([x, memory, h0, c0], [call.Output, call.Weights!, .. call.States], seed: 5);
        layer.Kernels = model.Kernels = KernelSet.For(variant);
        var values = new Dictionary<string, double[]>();
        var seed = parameterSeed;
        foreach (var (name, p) in model.ParameterKeys())
        {
            GradientCheck.RandomFloats(p.Value.Length, seed++, 0.7f).CopyTo(p.Value.Span);
            values[name] = p.Value.ToDouble();
        }
        Input[] inputs = [x, memory, h0, c0];
        var tensors = inputs.Select((s, i) => new Tensor(GradientCheck.RandomFloats(B * s.Shape.Aggregate(1, (a, d) => a * d), inputSeed + i, 1f), [B, .. s.Shape])).ToArray();
        for (var i = 0; i < inputs.Length; i++) values[inputs[i].Name] = tensors[i].ToDouble();
        return (layer, call, model, inputs, tensors, values);
    }

    /// <summary>The layer's equations in double: every step's output [B, T, H], weights [B, T, S] and the final h, c, f.</summary>
    static (double[] Y, double[] W, double[][] Final) Reference(Dictionary<string, double[]> p, AttentionScore score, bool feeding, float[]? xMask, float[]? mMask)
    {
        double[] x = p["x"], m = p["memory"], wih = p["attention_lstm.weight_ih"], whh = p["attention_lstm.weight_hh"];
        double[] bih = p["attention_lstm.bias_ih"], bhh = p["attention_lstm.bias_hh"], wout = p["attention_lstm.weight_out"];
        var inputs = I + (feeding ? H : 0);
        var y = new double[B * T * H];
        var w = new double[B * T * S];
        var final = new[] { new double[B * H], new double[B * H], new double[B * H] };
        for (var b = 0; b < B; b++)
        {
            var h = p["h0"].Skip(b * H).Take(H).ToArray();
            var c = p["c0"].Skip(b * H).Take(H).ToArray();
            var f = new double[H];
            for (var t = 0; t < T; t++)
            {
                if (xMask is not null && xMask[b * T + t] == 0) continue;   // padding: states pass, output and weights 0
                var z = new double[inputs];
                for (var i = 0; i < I; i++) z[i] = x[(b * T + t) * I + i];
                if (feeding) f.CopyTo(z, I);
                var g = new double[4 * H];
                for (var r = 0; r < 4 * H; r++)
                {
                    g[r] = bih[r] + bhh[r];
                    for (var i = 0; i < inputs; i++) g[r] += wih[r * inputs + i] * z[i];
                    for (var j = 0; j < H; j++) g[r] += whh[r * H + j] * h[j];
                }
                for (var j = 0; j < H; j++)
                {
                    double ig = Sigmoid(g[j]), fg = Sigmoid(g[H + j]), gg = Math.Tanh(g[2 * H + j]), og = Sigmoid(g[3 * H + j]);
                    c[j] = fg * c[j] + ig * gg;
                    h[j] = og * Math.Tanh(c[j]);
                }
                var s = new double[S];
                var keep = new bool[S];
                for (var j = 0; j < S; j++)
                {
                    keep[j] = mMask is null || mMask[b * S + j] != 0;
                    var mj = m.AsSpan((b * S + j) * Dm, Dm);
                    switch (score)
                    {
                        case AttentionScore.Concat:
                            for (var a = 0; a < A; a++)
                            {
                                double pre = 0;
                                for (var d = 0; d < H; d++) pre += p["attention_lstm.weight_query"][a * H + d] * h[d];
                                for (var d = 0; d < Dm; d++) pre += p["attention_lstm.weight_memory"][a * Dm + d] * mj[d];
                                s[j] += p["attention_lstm.v"][a] * Math.Tanh(pre);
                            }
                            break;
                        case AttentionScore.General:
                            for (var d = 0; d < H; d++)
                                for (var e = 0; e < Dm; e++) s[j] += h[d] * p["attention_lstm.weight_score"][d * Dm + e] * mj[e];
                            break;
                        default:
                            for (var d = 0; d < H; d++) s[j] += h[d] * mj[d];
                            break;
                    }
                }
                var context = new double[Dm];
                if (keep.Any(k => k))
                {
                    var max = s.Where((_, j) => keep[j]).Max();
                    var total = s.Select((v, j) => keep[j] ? Math.Exp(v - max) : 0).Sum();
                    for (var j = 0; j < S; j++)
                    {
                        var a = keep[j] ? Math.Exp(s[j] - max) / total : 0;
                        w[(b * T + t) * S + j] = a;
                        for (var d = 0; d < Dm; d++) context[d] += a * m[(b * S + j) * Dm + d];
                    }
                }
                for (var j = 0; j < H; j++)
                {
                    double pre = 0;
                    for (var d = 0; d < Dm; d++) pre += wout[j * (Dm + H) + d] * context[d];
                    for (var d = 0; d < H; d++) pre += wout[j * (Dm + H) + Dm + d] * h[d];
                    f[j] = Math.Tanh(pre);
                    y[(b * T + t) * H + j] = f[j];
                }
            }
            h.CopyTo(final[0], b * H);
            c.CopyTo(final[1], b * H);
            f.CopyTo(final[2], b * H);
        }
        return (y, w, final);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_MatchTheEquationsAndFiniteDifferences(AttentionScore score, bool feeding, bool masked, KernelVariant variant)
    {
        var (layer, call, model, inputs, tensors, values) = Setup(score, feeding, variant, parameterSeed: 60, inputSeed: 30);
        Assert.Equal(feeding ? 3 : 2, call.States.Count);
        Assert.Throws<ArgumentException>(() => layer.Call(inputs[0], new Input(S, Dm + 1)));   // built for memories of Dm features

        float[]? xMask = masked ? [0, 1, 1, 1, 1, 1] : null;
        float[]? mMask = masked ? [1, 0, 0, 0, 1, 1, 1, 0] : null;
        Tensor?[] masks = [xMask is null ? null : new Tensor(xMask, B, T), mMask is null ? null : new Tensor(mMask, B, S), null, null];

        var outputs = model.Forward(tensors, training: false, masks);
        var expected = Reference(values, score, feeding, xMask, mMask);
        Approx.Equal(expected.Y, outputs[0], 1e-5, "output");
        Approx.Equal(expected.W, outputs[1], 1e-5, "weights");
        for (var s = 0; s < call.States.Count; s++) Approx.Equal(expected.Final[s], outputs[2 + s], 1e-5, $"state {s}");

        var upstream = Enumerable.Range(0, outputs.Count).Select(i => GradientCheck.RandomFloats(outputs[i].Length, 80 + i, 1f)).ToArray();
        var dInputs = model.Backward([.. upstream.Select((g, i) => new Tensor(g, outputs[i].Shape.ToArray()))]);
        var analytic = model.ParameterKeys().ToDictionary(k => k.Key, k => k.Parameter.Gradient);
        for (var i = 0; i < inputs.Length; i++) analytic[inputs[i].Name] = dInputs[i]!;
        GradientCheck.Assert(values, p =>
        {
            var (yv, wv, final) = Reference(p, score, feeding, xMask, mMask);
            double[][] all = [yv, wv, .. final.Take(call.States.Count)];
            return all.Select((a, i) => Oracles.Reference.Dot(a, upstream[i].Select(v => (double)v).ToArray())).Sum();
        }, analytic);
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void StepWeights_PackedOncePerUpdate_AndAWriteSeen(KernelVariant variant)
    {
        var (_, _, model, _, tensors, values) = Setup(AttentionScore.Concat, feeding: true, variant, parameterSeed: 90, inputSeed: 50);
        int Pass(string what)
        {
            var before = KernelSet.PacksOnThisThread;
            var outputs = model.Forward(tensors, training: false);
            var packs = KernelSet.PacksOnThisThread - before;
            Approx.Equal(Reference(values, AttentionScore.Concat, feeding: true, null, null).Y, outputs[0], 1e-5, what);
            return packs;
        }

        // W_xᵀ, W_hhᵀ, the fed-back columns of W_ih, W_outᵀ and W_qᵀ; then nothing until one of them is written.
        Assert.Equal(5, Pass("first pass"));
        Assert.Equal(0, Pass("second pass"));
        var (outName, weightOut) = model.ParameterKeys().Single(k => k.Key.EndsWith(".weight_out", StringComparison.Ordinal));
        weightOut.Value.Span[0] += 0.5f;
        values[outName] = weightOut.Value.ToDouble();
        Assert.Equal(1, Pass("after a write to weight_out"));
        var (ihName, weightIh) = model.ParameterKeys().Single(k => k.Key.EndsWith(".weight_ih", StringComparison.Ordinal));
        weightIh.Value.Span[^1] -= 0.5f;   // a fed-back column: W_x and the feeding columns share the tensor, so both are packed again
        values[ihName] = weightIh.Value.ToDouble();
        Assert.Equal(2, Pass("after a write to weight_ih"));
    }
}
