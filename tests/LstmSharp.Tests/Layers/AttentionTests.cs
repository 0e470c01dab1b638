// Attention against a plain double re-implementation of Luong's equations: the context and the weights, and
// finite differences in double for every input and parameter, for each score (dot, general, concat, additive), with and
// without a separate key, with value and query masks (a query whose value steps are all padding), causal masking,
// learned and 1/√D scaling. Every kernel variant runs. Plus masks on symbols, the weights as a trainable second
// output, dropout, and a file round trip.
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class AttentionTests
{
    const int B = 2, Tq = 3, Tv = 4, D = 3, Dv = 2;

    public static TheoryData<AttentionScore, bool, bool, bool, KernelVariant> Cases()
    {
        var data = new TheoryData<AttentionScore, bool, bool, bool, KernelVariant>();
        foreach (var score in Enum.GetValues<AttentionScore>())
            foreach (var key in new[] { false, true })
                foreach (var masked in new[] { false, true })
                    foreach (var causal in new[] { false, true })
                        foreach (var v in KernelSet.Supported)
                            data.Add(score, key, masked, causal, v);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_MatchesFiniteDifferences(AttentionScore score, bool withKey, bool masked, bool causal, KernelVariant variant)
    {
        var dv = withKey ? Dv : D;
        var query = new Input(Tq, D) { Name = "q" };
        var value = new Input(Tv, dv) { Name = "v" };
        var key = withKey ? new Input(Tv, D) { Name = "k" } : null;
        var attention = new Attention(new AttentionOptions
        {
            Score = score, Causal = causal, ReturnAttentionScores = true, LearnScale = score is AttentionScore.Dot or AttentionScore.Additive, ScaleByDimension = score != AttentionScore.Concat,
            Units = score == AttentionScore.Concat ? 5 : null,
        });
        var (context, weights) = attention.CallWithWeights(query, value, key);
        Input[] inputs = key is null ? [query, value] : [query, value, key];
        var model = new Model(inputs, [context, weights!], seed: 3);
        var kernels = KernelSet.For(variant);
        attention.Kernels = model.Kernels = kernels;
        var values = new Dictionary<string, double[]>();
        var seed = 40;
        foreach (var (name, p) in model.ParameterKeys())
        {
            GradientCheck.RandomFloats(p.Value.Length, seed++, 0.8f).CopyTo(p.Value.Span);
            values[name] = p.Value.ToDouble();
        }
        var x = inputs.Select((s, i) => new Tensor(GradientCheck.RandomFloats(B * s.Shape[0] * s.Shape[1], 10 + i, 1f), B, s.Shape[0], s.Shape[1])).ToArray();
        for (var i = 0; i < x.Length; i++) values[inputs[i].Name] = x[i].ToDouble();
        // Sample 1's last value step is padding; sample 0's query step 2 is padding and its value steps 1… too, so its
        // causal query 0 still sees step 0, but with a value mask of only step 0 left for it.
        var vMask = masked ? new Tensor([1, 0, 0, 0, 1, 1, 1, 0], B, Tv) : null;
        var qMask = masked ? new Tensor([1, 1, 0, 1, 1, 1], B, Tq) : null;
        Tensor?[] masks = key is null ? [qMask, vMask] : [qMask, vMask, null];
        var gc = GradientCheck.RandomFloats(B * Tq * dv, 20, 1f).Select(v => (double)v).ToArray();
        var ga = GradientCheck.RandomFloats(B * Tq * Tv, 21, 1f).Select(v => (double)v).ToArray();

        (double[] Context, double[] Weights) Reference(Dictionary<string, double[]> p)
        {
            double[] q = p["q"], v = p["v"], k = withKey ? p["k"] : p["v"];
            var c = new double[B * Tq * dv];
            var w = new double[B * Tq * Tv];
            var factor = (score == AttentionScore.Dot ? p["attention.scale"][0] : 1) * (score != AttentionScore.Concat ? 1 / Math.Sqrt(D) : 1);
            for (var b = 0; b < B; b++)
                for (var i = 0; i < Tq; i++)
                {
                    var s = new double[Tv];
                    var keep = new bool[Tv];
                    for (var j = 0; j < Tv; j++)
                    {
                        keep[j] = (vMask is null || vMask.Span[b * Tv + j] != 0) && (!causal || j <= i);
                        double sum = 0;
                        switch (score)
                        {
                            case AttentionScore.Dot:
                                for (var d = 0; d < D; d++) sum += q[(b * Tq + i) * D + d] * k[(b * Tv + j) * D + d];
                                break;
                            case AttentionScore.General:
                                for (var d = 0; d < D; d++)
                                    for (var e = 0; e < D; e++) sum += q[(b * Tq + i) * D + d] * p["attention.weight"][d * D + e] * k[(b * Tv + j) * D + e];
                                break;
                            case AttentionScore.Additive:
                                for (var d = 0; d < D; d++) sum += p["attention.scale"][d] * Math.Tanh(q[(b * Tq + i) * D + d] + k[(b * Tv + j) * D + d]);
                                break;
                            default:
                                for (var a = 0; a < 5; a++)
                                {
                                    double pre = 0;
                                    for (var d = 0; d < D; d++) pre += p["attention.weight_query"][a * D + d] * q[(b * Tq + i) * D + d] + p["attention.weight_key"][a * D + d] * k[(b * Tv + j) * D + d];
                                    sum += p["attention.v"][a] * Math.Tanh(pre);
                                }
                                break;
                        }
                        s[j] = factor * sum;
                    }
                    if (!keep.Any(z => z)) continue;   // nothing to attend to: zero weights and context
                    var max = s.Where((_, j) => keep[j]).Max();
                    var total = s.Select((z, j) => keep[j] ? Math.Exp(z - max) : 0).Sum();
                    for (var j = 0; j < Tv; j++) w[(b * Tq + i) * Tv + j] = keep[j] ? Math.Exp(s[j] - max) / total : 0;
                    if (qMask is not null && qMask.Span[b * Tq + i] == 0) continue;
                    for (var e = 0; e < dv; e++)
                        for (var j = 0; j < Tv; j++) c[(b * Tq + i) * dv + e] += w[(b * Tq + i) * Tv + j] * v[(b * Tv + j) * dv + e];
                }
            return (c, w);
        }

        var outputs = model.Forward(x, training: false, masks);
        var expected = Reference(values);
        Approx.Equal(expected.Context, outputs[0], 1e-5, "context");
        Approx.Equal(expected.Weights, outputs[1], 1e-5, "weights");
        Assert.Same(qMask, model.OutputMasks[0]);
        var dInputs = model.Backward([new Tensor(gc.Select(v => (float)v).ToArray(), B, Tq, dv), new Tensor(ga.Select(v => (float)v).ToArray(), B, Tq, Tv)]);
        var analytic = model.ParameterKeys().ToDictionary(k => k.Key, k => k.Parameter.Gradient);
        for (var i = 0; i < inputs.Length; i++) analytic[inputs[i].Name] = dInputs[i]!;
        GradientCheck.Assert(values, p =>
        {
            var (c, w) = Reference(p);
            return Oracles.Reference.Dot(c, gc) + Oracles.Reference.Dot(w, ga);
        }, analytic);
    }

    [Fact]
    public void Dropout_DropsWeightsInTrainingOnly_AndSavedModelsPredictTheSame()
    {
        var query = new Input(-1, 4);
        var value = new Input(-1, 4);
        var (context, weights) = new Attention(new AttentionOptions { Score = AttentionScore.General, Dropout = 0.5f, ReturnAttentionScores = true }).CallWithWeights(query, value);
        var model = new Model([query, value], [context, weights!], seed: 1);
        var x = new[] { new Tensor(GradientCheck.RandomFloats(2 * 3 * 4, 1, 1f), 2, 3, 4), new Tensor(GradientCheck.RandomFloats(2 * 5 * 4, 2, 1f), 2, 5, 4) };
        var trained = model.Forward(x, training: true)[1].ToArray();
        Assert.Contains(0f, trained);
        var inference = model.Forward(x)[1].ToArray();
        for (var r = 0; r < 6; r++) Assert.Equal(1.0, inference.Skip(r * 5).Take(5).Sum(v => (double)v), 5);

        var path = Path.Combine(Path.GetTempPath(), $"attention-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(((Attention)model.Layers[0]).Options with { Name = "attention" }, ((Attention)loaded.Layers[0]).Options);
            Assert.Equal(model.Predict(x)[0].ToArray(), loaded.Predict(x)[0].ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AdditiveAttention_IsKerasAdditiveAttention_WithALearnedScalePerFeature()
    {
        var query = new Input(2, 3);
        var value = new Input(4, 3);
        var layer = new AdditiveAttention();
        var model = new Model([query, value], [layer.Call(query, value)]);
        Assert.Equal("additive_attention", layer.Name);
        Assert.Equal(["additive_attention.scale"], model.GetWeights().Keys);
        Assert.Equal([1f, 1f, 1f], model.GetWeights()["additive_attention.scale"].ToArray());
        Assert.Empty(new Model([query, value], [new AdditiveAttention(learnScale: false).Call(query, value)]).Parameters);
    }

    [Fact]
    public void Call_ChecksShapesAndCarriesTheQueryMask()
    {
        var ids = new Input(-1);
        var encoded = new Lstm(6, new() { ReturnSequences = true }).Call(new Embedding(10, 4).Call(ids));
        var plain = new Input(-1, 6);
        Assert.True(new Attention().Call(encoded, plain).HasMask);
        Assert.False(new Attention().Call(plain, encoded).HasMask);
        var e = Assert.Throws<ArgumentException>(() => new Attention().Call(new Input(-1, 5), encoded));
        Assert.Contains("their feature axes differ", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Attention().Call(new Input(5), encoded));
    }
}
