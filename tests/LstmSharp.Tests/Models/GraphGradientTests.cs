// Finite-difference checks (in double, through the reference forward passes) of the graph model's backward pass:
// fan-out (one symbol feeding two calls), a residual Add, a Concatenate of two recurrent branches, an encoder
// whose final state starts a decoder, and two outputs with different losses and weights. Every kernel variant runs.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class GraphGradientTests
{
    const int B = 2, T = 3, I = 3, H = 4;

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void Backward_FanOutResidualAddAndConcatenatedBranches_MatchesFiniteDifferences(KernelVariant variant)
    {
        var x = new Input(T, I);
        var a = new Lstm(H, new() { ReturnSequences = true, Name = "lstm" }).Call(x);     // x feeds two branches
        var b = new Gru(H, new() { ReturnSequences = true, Name = "gru" }).Call(x);
        var c = new Concatenate().Call(a, b);                                            // [*, T, 2H]
        var d = new Dense(H, Activation.Tanh, name: "mix").Call(c);
        var r = new Add().Call(a, d);                                                    // a feeds concat and add
        var o = new Dense(2, name: "head").Call(r);
        var model = new Model([x], [o], seed: 5);
        Use(model, variant);
        var values = Randomize(model, seed: 100);
        var input = new Tensor(GradientCheck.RandomFloats(B * T * I, 1, 1f), B, T, I);
        values["x"] = input.ToDouble();
        var g = GradientCheck.RandomFloats(B * T * 2, 2, 1f).Select(v => (double)v).ToArray();

        double[] Reference(Dictionary<string, double[]> v)
        {
            var zeros = new double[B * H];
            var (seqA, _, _) = Oracles.Reference.Lstm(v["x"], B, T, I, H, v["lstm.weight_ih_l0"], v["lstm.weight_hh_l0"], v["lstm.bias_ih_l0"], v["lstm.bias_hh_l0"], null, zeros, zeros, false);
            var (seqB, _) = Oracles.Reference.Gru(v["x"], B, T, I, H, v["gru.weight_ih_l0"], v["gru.weight_hh_l0"], v["gru.bias_ih_l0"], v["gru.bias_hh_l0"], zeros, false);
            var joined = new double[B * T * 2 * H];
            for (var row = 0; row < B * T; row++)
            {
                Array.Copy(seqA, row * H, joined, row * 2 * H, H);
                Array.Copy(seqB, row * H, joined, row * 2 * H + H, H);
            }
            var mixed = Oracles.Reference.Dense(joined, B * T, 2 * H, H, v["mix.weight"], v["mix.bias"], Activation.Tanh);
            var residual = seqA.Zip(mixed, (p, q) => p + q).ToArray();
            return Oracles.Reference.Dense(residual, B * T, H, 2, v["head.weight"], v["head.bias"], Activation.Linear);
        }

        var y = model.Forward([input])[0];
        Approx.Equal(Reference(values), y, 1e-5, "graph output");
        var dx = model.Backward([new Tensor(g.Select(v => (float)v).ToArray(), B, T, 2)])[0];
        var analytic = Gradients(model);
        analytic["x"] = dx!;
        GradientCheck.Assert(values, v => Oracles.Reference.Dot(Reference(v), g), analytic);
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void Backward_EncoderStateStartsDecoder_MatchesFiniteDifferences(KernelVariant variant)
    {
        const int Ts = 4, Tt = 3, V = 5;
        foreach (var kind in new[] { "lstm", "gru" })
        {
            var source = new Input(Ts, I) { Name = "source" };
            var target = new Input(Tt, I) { Name = "target" };
            Rnn encoder = kind == "lstm" ? new Lstm(H, new() { Name = "encoder" }) : new Gru(H, new() { Name = "encoder" });
            Rnn decoder = kind == "lstm" ? new Lstm(H, new() { ReturnSequences = true, Name = "decoder" }) : new Gru(H, new() { ReturnSequences = true, Name = "decoder" });
            var (_, states) = encoder.CallWithState(source);
            Assert.Equal(kind == "lstm" ? 2 : 1, states.Count);
            var decoded = decoder.Call(target, states);
            var logits = new Dense(V, name: "out").Call(decoded);
            var model = new Model([source, target], [logits], seed: 9);
            Use(model, variant);
            var values = Randomize(model, seed: 200);
            var src = new Tensor(GradientCheck.RandomFloats(B * Ts * I, 3, 1f), B, Ts, I);
            var tgt = new Tensor(GradientCheck.RandomFloats(B * Tt * I, 4, 1f), B, Tt, I);
            values["source"] = src.ToDouble();
            values["target"] = tgt.ToDouble();
            var g = GradientCheck.RandomFloats(B * Tt * V, 5, 1f).Select(v => (double)v).ToArray();

            double[] Reference(Dictionary<string, double[]> v)
            {
                var zeros = new double[B * H];
                double[] seq;
                if (kind == "lstm")
                {
                    var (_, h, c) = Oracles.Reference.Lstm(v["source"], B, Ts, I, H, v["encoder.weight_ih_l0"], v["encoder.weight_hh_l0"], v["encoder.bias_ih_l0"], v["encoder.bias_hh_l0"], null, zeros, zeros, false);
                    (seq, _, _) = Oracles.Reference.Lstm(v["target"], B, Tt, I, H, v["decoder.weight_ih_l0"], v["decoder.weight_hh_l0"], v["decoder.bias_ih_l0"], v["decoder.bias_hh_l0"], null, h, c, false);
                }
                else
                {
                    var (_, h) = Oracles.Reference.Gru(v["source"], B, Ts, I, H, v["encoder.weight_ih_l0"], v["encoder.weight_hh_l0"], v["encoder.bias_ih_l0"], v["encoder.bias_hh_l0"], zeros, false);
                    (seq, _) = Oracles.Reference.Gru(v["target"], B, Tt, I, H, v["decoder.weight_ih_l0"], v["decoder.weight_hh_l0"], v["decoder.bias_ih_l0"], v["decoder.bias_hh_l0"], h, false);
                }
                return Oracles.Reference.Dense(seq, B * Tt, H, V, v["out.weight"], v["out.bias"], Activation.Linear);
            }

            var y = model.Forward([src, tgt])[0];
            Approx.Equal(Reference(values), y, 1e-5, $"{kind} encoder–decoder output");
            var dInputs = model.Backward([new Tensor(g.Select(v => (float)v).ToArray(), B, Tt, V)]);
            var analytic = Gradients(model);
            analytic["source"] = dInputs[0]!;
            analytic["target"] = dInputs[1]!;
            GradientCheck.Assert(values, v => Oracles.Reference.Dot(Reference(v), g), analytic);
        }
    }

    [Theory]
    [MemberData(nameof(TorchParityTests.Variants), MemberType = typeof(TorchParityTests))]
    public void TrainOnBatch_TwoOutputsWithDifferentLossesAndWeights_MatchesFiniteDifferences(KernelVariant variant)
    {
        const int C = 3;
        var x = new Input(T, I);
        var seq = new Lstm(H, new() { ReturnSequences = true, Name = "lstm" }).Call(x);
        var last = new Gru(H, new() { Name = "gru" }).Call(seq);
        var value = new Dense(1, name: "value").Call(last);                          // [*, 1], mean squared error
        var tags = new TimeDistributed(new Dense(C), "tags").Call(seq);                // [*, T, C], cross-entropy from logits
        var model = new Model([x], [value, tags], seed: 3);
        Use(model, variant);
        model.Compile(new Sgd(1e-30f),
            new Dictionary<string, Loss> { ["value"] = new MeanSquaredError(), ["tags"] = new SparseCategoricalCrossentropy(fromLogits: true) },
            new Dictionary<string, float> { ["value"] = 0.5f, ["tags"] = 2f });
        var values = Randomize(model, seed: 300);
        var input = new Tensor(GradientCheck.RandomFloats(B * T * I, 6, 1f), B, T, I);
        values["x"] = input.ToDouble();
        var yValue = new Tensor(GradientCheck.RandomFloats(B, 7, 1f), B, 1);
        var yTags = new Tensor([0, 2, 1, 1, 0, 2], B, T);

        double Loss(Dictionary<string, double[]> v)
        {
            var zeros = new double[B * H];
            var (s, _, _) = Reference.Lstm(v["x"], B, T, I, H, v["lstm.weight_ih_l0"], v["lstm.weight_hh_l0"], v["lstm.bias_ih_l0"], v["lstm.bias_hh_l0"], null, zeros, zeros, false);
            var (_, h) = Reference.Gru(s, B, T, H, H, v["gru.weight_ih_l0"], v["gru.weight_hh_l0"], v["gru.bias_ih_l0"], v["gru.bias_hh_l0"], zeros, false);
            var predicted = Reference.Dense(h, B, H, 1, v["value.weight"], v["value.bias"], Activation.Linear);
            double mse = 0;
            for (var r = 0; r < B; r++) mse += Math.Pow(predicted[r] - yValue.Span[r], 2) / B;
            var logits = Reference.Dense(s, B * T, H, C, v["tags.weight"], v["tags.bias"], Activation.Linear);
            double ce = 0;
            for (var r = 0; r < B * T; r++)
            {
                var row = logits.AsSpan(r * C, C);
                var max = row.ToArray().Max();
                var logSum = max + Math.Log(row.ToArray().Sum(z => Math.Exp(z - max)));
                ce += (logSum - row[(int)yTags.Span[r]]) / (B * T);
            }
            return 0.5 * mse + 2 * ce;
        }

        var loss = model.TrainOnBatch([input], [yValue, yTags]);
        Assert.Equal(Loss(values), loss, 5);
        GradientCheck.Assert(values, Loss, Gradients(model));
    }

    [Fact]
    public void Fit_TwoOutputs_LogsEachOutputsLossAndMetricsByName()
    {
        var x = new Input(T, I);
        var seq = new Lstm(H, new() { ReturnSequences = true }).Call(x);
        var value = new Dense(1, name: "value").Call(new Gru(H).Call(seq));
        var tags = new TimeDistributed(new Dense(3, Activation.Softmax), "tags").Call(seq);
        var model = new Model([x], [value, tags]);
        model.Compile(new Adam(0.01f),
            new Dictionary<string, Loss> { ["value"] = new MeanSquaredError(), ["tags"] = new SparseCategoricalCrossentropy() },
            new Dictionary<string, float> { ["tags"] = 0.5f },
            new Dictionary<string, LstmSharp.Metrics.Metric[]> { ["tags"] = [new LstmSharp.Metrics.SparseCategoricalAccuracy()] });
        var data = new Tensor(GradientCheck.RandomFloats(8 * T * I, 8, 1f), 8, T, I);
        var yValue = new Tensor(GradientCheck.RandomFloats(8, 9, 1f), 8, 1);
        var yTags = new Tensor([.. Enumerable.Range(0, 8 * T).Select(i => (float)(i % 3))], 8, T);
        var history = model.Fit([data], [yValue, yTags], new FitOptions { Epochs = 2, BatchSize = 4, ValidationSplit = 0.25f });
        Assert.Equal(["loss", "value_loss", "tags_loss", "tags_accuracy", "val_loss", "val_value_loss", "val_tags_loss", "val_tags_accuracy", "lr"], history.Keys);
        for (var e = 0; e < 2; e++)
        {
            Assert.Equal(history["value_loss"][e] + 0.5f * history["tags_loss"][e], history["loss"][e], 5);
            Assert.Equal(history["val_value_loss"][e] + 0.5f * history["val_tags_loss"][e], history["val_loss"][e], 5);
        }
        var evaluated = model.Evaluate([data.Slice(6, 2)], [yValue.Slice(6, 2), yTags.Slice(6, 2)]);
        Assert.Equal(evaluated["loss"], evaluated["value_loss"] + 0.5f * evaluated["tags_loss"], 5);
        var predicted = model.Predict([data]);
        Assert.Equal(2, predicted.Count);
        Assert.True(predicted[0].HasShape(8, 1) && predicted[1].HasShape(8, T, 3));
    }

    static void Use(Model model, KernelVariant variant)
    {
        var kernels = KernelSet.For(variant);
        model.Kernels = kernels;
        foreach (var layer in model.Layers) layer.Kernels = kernels;
    }

    /// <summary>Overwrites every parameter with seeded values in ±0.5 and returns them in double, keyed as in GetWeights.</summary>
    internal static Dictionary<string, double[]> Randomize(Model model, int seed)
    {
        var values = new Dictionary<string, double[]>();
        foreach (var (key, p) in model.ParameterKeys())
        {
            GradientCheck.RandomFloats(p.Value.Length, seed++).CopyTo(p.Value.Span);
            values[key] = p.Value.ToDouble();
        }
        return values;
    }

    static Dictionary<string, Tensor> Gradients(Model model) => model.ParameterKeys().ToDictionary(k => k.Key, k => k.Parameter.Gradient);
}
