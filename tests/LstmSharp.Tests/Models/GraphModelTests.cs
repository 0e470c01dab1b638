// The graph model's construction rules and messages, masks on symbols and at run time, the merge and shape layers
// against hand computations and finite differences, models as layers, layers shared between models, and a
// warmed-up training step of a graph model that allocates nothing.
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Models;

public sealed class GraphModelTests
{
    [Fact]
    public void Model_OutputNeedsAnInputNotListed_NamesIt()
    {
        var title = new Input(-1) { Name = "title" };
        var body = new Input(-1) { Name = "body" };
        var joined = new Concatenate().Call(new Lstm(4).Call(new Embedding(10, 3).Call(title)), new Lstm(4).Call(new Embedding(10, 3).Call(body)));
        var e = Assert.Throws<ArgumentException>(() => new Model([title], [joined]));
        Assert.Contains("depends on input 'body'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_InputReachingNoOutput_IsRefused()
    {
        var x = new Input(5, 2) { Name = "x" };
        var unused = new Input(3) { Name = "extra" };
        var e = Assert.Throws<ArgumentException>(() => new Model([x, unused], [new Lstm(3).Call(x)]));
        Assert.Contains("Input 'extra' [*, 3] is not connected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_LayerCalledTwice_IsRefusedWithTheReason()
    {
        var x = new Input(4, 2);
        var dense = new Dense(2);
        var e = Assert.Throws<ArgumentException>(() => new Model([x], [dense.Call(dense.Call(x))]));
        Assert.Contains("Dense 'dense' is called twice in one model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_TwoLayersGivenTheSameName_IsRefused_DefaultNamesGetSuffixes()
    {
        var x = new Input(4, 2);
        var e = Assert.Throws<ArgumentException>(() => new Model([x], [new Dense(2, name: "head").Call(new Dense(3, name: "head").Call(x))]));
        Assert.Contains("named 'head'", e.Message, StringComparison.Ordinal);

        var model = new Model([x], [new Dense(2).Call(new Dense(3).Call(x))]);
        Assert.Equal(["dense", "dense_1"], model.Layers.Select(l => l.Name));
        Assert.Equal(["dense.weight", "dense.bias", "dense_1.weight", "dense_1.bias"], model.GetWeights().Keys);
    }

    [Fact]
    public void Concatenate_TimeAxesDiffer_FailsAtTheCallNamingBothShapes()
    {
        var a = new Input(12, 64);
        var b = new Input(10, 32);
        var e = Assert.Throws<ArgumentException>(() => new Concatenate(name: "concat").Call(a, b));
        Assert.Equal("Concatenate 'concat' got [*, 12, 64] and [*, 10, 32]: the time axes differ (12 and 10); only the concatenation axis (2) may differ.", e.Message);
        Assert.Throws<ArgumentException>(() => new Add().Call(new Input(4), new Input(5)));
        Assert.Throws<ArgumentException>(() => new Lstm(3).Call(new Input(5)));
    }

    [Fact]
    public void RecurrentCall_StateOfTheWrongSize_FailsAtTheCall()
    {
        var (_, states) = new Lstm(8).CallWithState(new Input(5, 2));
        var e = Assert.Throws<ArgumentException>(() => new Lstm(6).Call(new Input(3, 2), states));
        Assert.Contains("takes initial states [*, 6]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Lstm(8).Call(new Input(3, 2), [states[0]]));
    }

    [Fact]
    public void Symbols_CarryMasksAsKeras()
    {
        var ids = new Input(-1);
        var embedded = new Embedding(10, 4).Call(ids);
        var (sequence, states) = new Lstm(3, new() { ReturnSequences = true }).CallWithState(embedded);
        var last = new Gru(3).Call(sequence);
        Assert.False(ids.HasMask);
        Assert.True(embedded.HasMask);
        Assert.True(sequence.HasMask);
        Assert.All(states, s => Assert.False(s.HasMask));
        Assert.False(last.HasMask);
        Assert.True(new Dense(2).Call(sequence).HasMask);
        Assert.True(new Concatenate().Call(sequence, new Input(-1, 2)).HasMask);
        Assert.Equal([-1, 3], sequence.Shape);
        Assert.Equal("lstm:1", states[0].Name);
    }

    [Fact]
    public void Forward_MasksTravelWithTheOutputs()
    {
        var ids = new Input(-1);
        var sequence = new Lstm(3, new() { ReturnSequences = true }).Call(new Embedding(10, 4).Call(ids));
        var joined = new Concatenate(axis: 1).Call(sequence, sequence);    // along time: masks joined along time
        var model = new Model([ids], [sequence, joined, new Lstm(2).Call(sequence)]);
        model.Forward([new Tensor([1, 2, 0, 3, 0, 0], 2, 3)]);
        Assert.Equal([1f, 1, 0, 1, 0, 0], model.OutputMasks[0]!.ToArray());
        Assert.Equal([1f, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0], model.OutputMasks[1]!.ToArray());
        Assert.Null(model.OutputMasks[2]);
    }

    [Fact]
    public void MergeLayers_ForwardAndBackward_MatchHandComputationAndFiniteDifferences()
    {
        var a = new Input(2, 3);
        var b = new Input(2, 3);
        var c = new Input(2, 3);
        var model = new Model([a, b, c], [
            new Add().Call(a, b, c), new Multiply().Call(a, b, c), new Average().Call(a, b),
            new Concatenate(axis: 1).Call(a, b), new Flatten().Call(c), new Reshape([3, 2]).Call(a),
            new RepeatVector(2).Call(new Flatten().Call(b)),
        ]);
        var x = Enumerable.Range(0, 3).Select(i => new Tensor(GradientCheck.RandomFloats(12, 10 + i, 1f), 2, 2, 3)).ToArray();
        var y = model.Forward(x);
        float[] xa = x[0].ToArray(), xb = x[1].ToArray(), xc = x[2].ToArray();
        Assert.Equal(xa.Select((v, i) => v + xb[i] + xc[i]), y[0].ToArray());
        Assert.Equal(xa.Select((v, i) => v * xb[i] * xc[i]), y[1].ToArray());
        Assert.Equal(xa.Select((v, i) => 0.5f * (v + xb[i])), y[2].ToArray());
        Assert.True(y[3].HasShape(2, 4, 3));
        Assert.Equal([.. xa[..6], .. xb[..6], .. xa[6..], .. xb[6..]], y[3].ToArray());
        Assert.True(y[4].HasShape(2, 6) && y[5].HasShape(2, 3, 2) && y[6].HasShape(2, 2, 6));
        Assert.Equal(xc, y[4].ToArray());
        Assert.Equal([.. xb[..6], .. xb[..6], .. xb[6..], .. xb[6..]], y[6].ToArray());

        // Loss Σₒ yₒ ⊙ gₒ: gradients against finite differences of the same sums in double.
        var g = y.Select((t, o) => GradientCheck.RandomFloats(t.Length, 20 + o, 1f)).ToArray();
        double Loss(Dictionary<string, double[]> v)
        {
            double[] p = v["a"], q = v["b"], r = v["c"];
            double sum = 0;
            for (var i = 0; i < 12; i++)
            {
                sum += (p[i] + q[i] + r[i]) * g[0][i] + p[i] * q[i] * r[i] * g[1][i] + 0.5 * (p[i] + q[i]) * g[2][i] + r[i] * g[4][i] + p[i] * g[5][i];
            }
            double[] joined = [.. p[..6], .. q[..6], .. p[6..], .. q[6..]];
            double[] repeated = [.. q[..6], .. q[..6], .. q[6..], .. q[6..]];
            return sum + Reference.Dot(joined, g[3].Select(z => (double)z).ToArray()) + Reference.Dot(repeated, g[6].Select(z => (double)z).ToArray());
        }
        var dInputs = model.Backward([.. g.Select((d, o) => (Tensor?)new Tensor(d, [.. y[o].Shape]))]);
        var values = new Dictionary<string, double[]> { ["a"] = x[0].ToDouble(), ["b"] = x[1].ToDouble(), ["c"] = x[2].ToDouble() };
        GradientCheck.Assert(values, Loss, new Dictionary<string, Tensor> { ["a"] = dInputs[0]!, ["b"] = dInputs[1]!, ["c"] = dInputs[2]! });
    }

    [Fact]
    public void Model_CalledAsALayer_GivesTheInnerModelsOutputsAndGradients()
    {
        var inner = new Input(4, 2);
        var encoder = new Model([inner], [new Dense(3, Activation.Tanh, name: "proj").Call(new Lstm(5).Call(inner))], seed: 1, name: "encoder");
        var x = new Input(4, 2);
        var outer = new Model([x], [new Dense(1, name: "head").Call(encoder.Call(x))], seed: 2);
        Assert.Equal(["encoder.lstm.weight_ih_l0", "encoder.lstm.weight_hh_l0", "encoder.lstm.bias_ih_l0", "encoder.lstm.bias_hh_l0", "encoder.proj.weight", "encoder.proj.bias", "head.weight", "head.bias"],
            outer.GetWeights().Keys);
        var data = new Tensor(GradientCheck.RandomFloats(3 * 4 * 2, 5, 1f), 3, 4, 2);
        var features = encoder.Predict(data);
        var head = outer.Layers[1];
        var expected = new Tensor(new float[3], 3, 1);
        var w = head.Parameters[0].Value.Span;
        for (var s = 0; s < 3; s++)
        {
            var sum = head.Parameters[1].Value.Span[0];
            for (var k = 0; k < 3; k++) sum += w[k] * features.Span[s * 3 + k];
            expected.Span[s] = sum;
        }
        Approx.Equal(expected, outer.Predict(data), 1e-6, "outer model");
        outer.Compile(new Sgd(0.1f), new MeanSquaredError());
        var before = encoder.GetWeights()["lstm.weight_ih_l0"].ToArray();
        outer.Fit(data, Tensor.Zeros(3, 1), new FitOptions { Epochs = 1, BatchSize = 3 });
        Assert.NotEqual(before, encoder.GetWeights()["lstm.weight_ih_l0"].ToArray());
    }

    [Fact]
    public void InferenceModel_SharingTrainedLayers_PredictsWhatTheTrainingModelComputes()
    {
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var encoder = new Lstm(6, new() { Name = "encoder" });
        var embed = new Embedding(9, 4, "target_embedding");
        var decoder = new Lstm(6, new() { ReturnSequences = true, Name = "decoder" });
        var head = new Dense(9, name: "head");
        var (_, states) = encoder.CallWithState(new Embedding(9, 4, "source_embedding").Call(source));
        var training = new Model([source, target], [head.Call(decoder.Call(embed.Call(target), states))], seed: 4);

        // One-step decoder: explicit state inputs and outputs, the trained layers called again.
        var step = new Input(1) { Name = "token" };
        var h = new Input(6) { Name = "h" };
        var c = new Input(6) { Name = "c" };
        var (y, next) = decoder.CallWithState(embed.Call(step), [h, c]);
        var stepModel = new Model([step, h, c], [head.Call(y), next[0], next[1]]);
        var encoderModel = new Model([source], [.. states]);
        Assert.Equal(training.GetWeights()["decoder.weight_hh_l0"].ToArray(), stepModel.GetWeights()["decoder.weight_hh_l0"].ToArray());

        var src = new Tensor([1, 4, 2, 7, 3, 1], 2, 3);
        var tgt = new Tensor([1, 5, 6, 1, 2, 8], 2, 3);
        var whole = training.Predict([src, tgt])[0];
        var state = encoderModel.Predict([src]);
        var (hs, cs) = (state[0], state[1]);
        for (var t = 0; t < 3; t++)
        {
            var token = new Tensor([tgt[0, t], tgt[1, t]], 2, 1);
            var outputs = stepModel.Predict([token, hs, cs]);
            for (var b = 0; b < 2; b++)
                for (var k = 0; k < 9; k++) Assert.Equal(whole[b, t, k], outputs[0][b, 0, k], 5);
            (hs, cs) = (outputs[1], outputs[2]);
        }
    }

    [Fact]
    public void TrainOnBatch_GraphModelWithMasksStatesAttentionFanOutReshapeAndTwoOutputs_AllocatesNothingOnceWarm()
    {
        var title = new Input(-1) { Name = "title" };
        var body = new Input(-1) { Name = "body" };
        var (t, titleState) = new Lstm(8, new() { ReturnSequences = true, Dropout = 0.1f }).CallWithState(new Embedding(20, 6).Call(title));
        var b = new Bidirectional(new Gru(4, new() { ReturnSequences = true })).Call(new Embedding(20, 6).Call(body));
        var c = new Lstm(8, new() { ReturnSequences = true }).Call(new Embedding(20, 6).Call(body), titleState);   // states as edges
        var attended = new Attention(new AttentionOptions { Score = AttentionScore.General, Dropout = 0.1f }).Call(t, b);   // masked by the body's padding
        var joined = new Concatenate().Call(t, b, c, attended);
        var tags = new TimeDistributed(new Dense(3), "tags").Call(new Add().Call(joined, new Dense(32).Call(joined)));
        var summary = new Concatenate().Call(new Lstm(5).Call(joined), new Flatten().Call(new Reshape([2, 4]).Call(titleState[1])));
        var label = new Dense(2, Activation.Softmax, name: "label").Call(summary);
        var model = new Model([title, body], [tags, label], seed: 1);
        model.Compile(new Adam { GlobalClipNorm = 1f },
            new Dictionary<string, Loss> { ["tags"] = new SparseCategoricalCrossentropy(fromLogits: true), ["label"] = new SparseCategoricalCrossentropy() },
            new Dictionary<string, float> { ["tags"] = 0.5f },
            new Dictionary<string, Metric[]> { ["label"] = [new SparseCategoricalAccuracy()] });
        var ids1 = new Tensor([.. Enumerable.Range(0, 40).Select(i => (float)(i % 9 == 0 ? 0 : i % 20))], 4, 10);
        var ids2 = new Tensor([.. Enumerable.Range(0, 40).Select(i => (float)((i * 7) % 20))], 4, 10);
        var yTags = new Tensor([.. Enumerable.Range(0, 40).Select(i => (float)(i % 3))], 4, 10);
        var yLabel = new Tensor([0, 1, 1, 0], 4);
        Tensor[] x = [ids1, ids2], y = [yTags, yLabel];
        model.TrainOnBatch(x, y);
        model.TrainOnBatch(x, y);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Summary_OfAGraph_ListsInputsAndWhatEachCallConsumes()
    {
        var x = new Input(5, 2) { Name = "series" };
        var (y, states) = new Lstm(4, new() { ReturnSequences = true }).CallWithState(x);
        var model = new Model([x], [new Dense(1).Call(y), states[0]]);
        var summary = model.Summary();
        Assert.Contains("series (Input)", summary, StringComparison.Ordinal);
        Assert.Contains("[(None, 5, 4), (None, 4), (None, 4)]", summary, StringComparison.Ordinal);
        Assert.Contains("Connected to", summary, StringComparison.Ordinal);
        // Lstm(4) on 2 features: 4·4·(2 + 4 + 2) = 128, Keras's 4·(4·(2 + 4) + 4) = 112; Dense(1): 5.
        Assert.Contains("Total params: 133 (532.00 B)", summary, StringComparison.Ordinal);
        Assert.EndsWith("Keras, with one per LSTM, SimpleRNN and reset-before GRU, counts 16 fewer.", summary, StringComparison.Ordinal);
    }
}
