// ONNX export of graph models: several inputs and outputs named after the model's symbols, recurrent states as
// values (an encoder's final state starting a decoder, bidirectional too), padding carried as sequence_lens
// through merges, and every merge and shape layer — each run in ONNX Runtime against Predict within 1e-5.
using LstmSharp.Layers;
using LstmSharp.Onnx;
using LstmSharp.Tests.Oracles;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxGraphExportTests
{
    static void Check(Model model, params Tensor[][] batches)
    {
        using var session = new InferenceSession(OnnxExport.ToBytes(model));
        Assert.Equal(model.Inputs.Select(i => i.Name), session.InputMetadata.Keys);
        Assert.Equal(model.Outputs.Select(o => o.Name.Replace(":", "__", StringComparison.Ordinal)), session.OutputMetadata.Keys);
        foreach (var inputs in batches)
        {
            var feeds = model.Inputs.Select((input, i) => OnnxFeeds.Of(session, session.InputMetadata.Keys.ElementAt(i), inputs[i])).ToList();
            using var results = session.Run(feeds);
            var expected = model.Predict(inputs);
            var outputs = results.ToArray();
            for (var o = 0; o < expected.Count; o++)
            {
                var actual = outputs[o].AsTensor<float>();
                Assert.Equal(expected[o].Shape.ToArray(), actual.Dimensions.ToArray());
                Approx.Equal(actual.ToArray().Select(v => (double)v).ToArray(), expected[o], 1e-5, $"output '{model.Outputs[o].Name}'");
            }
        }
    }

    static Tensor Random(int seed, params int[] shape) => new(GradientCheck.RandomFloats(shape.Aggregate(1, (a, b) => a * b), seed, 1f), shape);

    [Fact]
    public void Export_EncoderStateStartsDecoder_WithPaddedTokens_MatchesPredict()
    {
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var (_, states) = new Bidirectional(new Lstm(4, new() { Peepholes = true })).CallWithState(new Embedding(9, 3).Call(source));
        var decoded = new Bidirectional(new Lstm(4, new() { ReturnSequences = true })).Call(new Embedding(7, 3).Call(target), states);
        var logits = new TimeDistributed(new Dense(7), "logits").Call(decoded);
        var (_, gruState) = new Gru(5).CallWithState(new Embedding(9, 2).Call(source));
        var model = new Model([source, target], [logits, gruState[0]], seed: 3);
        var src = new Tensor([3, 1, 8, 0, 0, 2, 2, 5, 7, 1], 2, 5);
        var tgt = new Tensor([1, 4, 6, 1, 2, 0], 2, 3);
        var longer = new Tensor([1, 5, 2, 6, 0, 4, 4, 4, 0, 0, 4, 3, 6, 1, 0], 3, 5);   // right padding, as ONNX sequence_lens needs
        Check(model, [src, tgt], [new Tensor([4, 4, 2, 1, 1, 1, 8, 0, 0], 3, 3), longer]);
    }

    [Fact]
    public void Export_MergeAndShapeLayersAndANestedModel_MatchPredict()
    {
        var inner = new Input(6, 2);
        var block = new Model([inner], [new Dense(2, Activation.Tanh, name: "proj").Call(inner)], seed: 1, name: "block");
        var x = new Input(6, 2) { Name = "series" };
        var v = new Input(3) { Name = "context" };
        var (sequence, states) = new Lstm(3, new() { ReturnSequences = true }).CallWithState(block.Call(x));
        var joined = new Concatenate().Call(sequence, new RepeatVector(6).Call(v));                  // [*, 6, 6]
        var gated = new Multiply().Call(joined, new Dense(6, Activation.Sigmoid).Call(joined));
        var summed = new Add().Call(gated, joined, new Reshape([6, 6]).Call(new Flatten().Call(joined)));
        var mean = new Average().Call(states[0], states[1]);
        var flat = new Dense(1, name: "score").Call(new Flatten().Call(new Concatenate(axis: 1).Call(summed, summed)));
        var model = new Model([x, v], [flat, mean, summed], seed: 4);
        Check(model, [Random(1, 2, 6, 2), Random(2, 2, 3)], [Random(3, 4, 6, 2), Random(4, 4, 3)]);
    }

    [Fact]
    public void Export_ConcatPoolingOverPaddedTokens_MatchesPredict()
    {
        var tokens = new Input(-1) { Name = "tokens" };
        var (sequence, states) = new Lstm(4, new() { ReturnSequences = true }).CallWithState(new Embedding(9, 3).Call(tokens));
        var pooled = new Concatenate().Call(states[0], new GlobalMaxPooling1D().Call(sequence), new GlobalAveragePooling1D().Call(sequence));
        var series = new Input(-1, 2) { Name = "series" };
        var unpadded = new Concatenate().Call(new GlobalMaxPooling1D().Call(series), new GlobalAveragePooling1D().Call(series));
        var model = new Model([tokens, series], [new Dense(2, name: "logits").Call(pooled), unpadded], seed: 6);
        Check(model, [new Tensor([3, 1, 8, 0, 0, 2, 2, 5, 7, 1], 2, 5), Random(5, 2, 4, 2)],
            [new Tensor([1, 5, 2, 6, 0, 4, 4, 4, 0, 0, 4, 3, 6, 1, 0], 3, 5), Random(6, 3, 7, 2)]);
    }
}
