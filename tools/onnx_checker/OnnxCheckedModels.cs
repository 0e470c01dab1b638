// OnnxCheckedModels: the models whose ONNX export onnx.checker and strict shape inference have passed. The tool in
// this folder writes them for tools/onnx_checker/check_models.py; the test suite compiles this same file and asserts
// that what it exports today has the structure that was checked (OnnxCheckerFixtureTests).
using System.Security.Cryptography;
using Google.Protobuf;
using LstmSharp.Forecasting;
using LstmSharp.Layers;
using LstmSharp.Onnx;
using Onnx;

namespace LstmSharp.OnnxChecker;

/// <summary>One exported model: its name (the file is <c>{Name}.onnx</c>) and the export.</summary>
internal sealed record CheckedModel(string Name, Func<byte[]> Export);

internal static class OnnxCheckedModels
{
    /// <summary>What the exporter emits, one model for each kind of graph: every layer and option that has an ONNX form.</summary>
    public static IReadOnlyList<CheckedModel> All { get; } =
    [
        new("lstm_dense", () => OnnxExport.ToBytes(new Sequential(1, new Input(-1, 3), new Lstm(4), new Dense(2)))),
        new("gru_sequence_time_distributed", () => OnnxExport.ToBytes(
            new Sequential(2, new Input(-1, 3), new Gru(5, new() { ReturnSequences = true }), new TimeDistributed(new Dense(2, Activation.Tanh))))),
        new("reverse_simple_rnn", () => OnnxExport.ToBytes(
            new Sequential(3, new Input(-1, 2), new SimpleRnn(6, new() { GoBackwards = true }), new Dense(3, Activation.Relu), new Dense(1, Activation.Sigmoid)))),
        new("stacked_peephole_lstm", () => OnnxExport.ToBytes(
            new Sequential(4, new Input(-1, 2), new Lstm(4, new() { ReturnSequences = true, Peepholes = true }), new Dropout(0.2f), new Lstm(3, new() { Peepholes = true }), new Dense(1)))),
        new("bidirectional_merges", () => OnnxExport.ToBytes(
            new Sequential(5, new Input(-1, 3), new Bidirectional(new Gru(4, new() { ReturnSequences = true }), MergeMode.Sum),
                new Bidirectional(new Lstm(3, new() { ReturnSequences = true }), MergeMode.Multiply), new Bidirectional(new SimpleRnn(3), MergeMode.Average), new Dense(2)))),
        new("embedding_classifier", () => OnnxExport.ToBytes(
            new Sequential(6, new Input(-1), new Embedding(20, 4), new Bidirectional(new Lstm(5)), new Dense(3, Activation.Softmax)))),
        new("lengths_input", () => OnnxExport.ToBytes(
            new Sequential(7, new Input(-1, 2), new Bidirectional(new Lstm(4, new() { ReturnSequences = true, Peepholes = true })), new Gru(3), new Dense(1)), lengthsInput: true)),
        new("fixed_length_shapes", () => OnnxExport.ToBytes(
            new Sequential(8, new Input(6, 2), new Lstm(3, new() { ReturnSequences = true }), new Flatten(), new Reshape([6, 3]), new Gru(2), new RepeatVector(4), new Lstm(2)))),
        new("recurrent_forms", () => OnnxExport.ToBytes(new Sequential(4, new Input(-1), new Embedding(9, 3, maskZero: false),
            new Bidirectional(new Gru(4, new GruOptions { ResetAfter = false, ReturnSequences = true })), new Lstm(3, new() { UseBias = false }), new Dense(2)))),
        new("encoder_decoder_attention", () => OnnxExport.ToBytes(AttentionModel())),
        new("merges_nested_model", () => OnnxExport.ToBytes(MergeModel())),
        new("forecaster_direct_log_difference", () => OnnxExport.ToBytes(Forecaster(ForecastStrategy.Direct, SeriesTransform.LogDifference, 2))),
        new("forecaster_recursive_difference", () => OnnxExport.ToBytes(Forecaster(ForecastStrategy.Recursive, SeriesTransform.Difference, 1))),
        new("forecaster_seasonal_difference_ensemble", () => OnnxExport.ToBytes(Forecaster(ForecastStrategy.Direct, SeriesTransform.SeasonalDifference, 1, ensemble: 2))),
        new("forecaster_seasonal_difference_quantiles", () => OnnxExport.ToBytes(Forecaster(ForecastStrategy.Direct, SeriesTransform.SeasonalDifference, 1, quantiles: [0.1f, 0.5f, 0.9f]))),
        new("forecaster_global_quantiles", () => OnnxExport.ToBytes(GlobalForecaster())),
    ];

    /// <summary>
    /// A forecaster trained for one epoch on a made-up series (only its graph matters here). Seasonal differences have
    /// season 2, so the horizon of 3 runs past it; an ensemble averages its networks in the graph; quantiles add a sorted output.
    /// </summary>
    static Forecaster Forecaster(ForecastStrategy strategy, SeriesTransform transform, int columns, int ensemble = 1, float[]? quantiles = null)
    {
        float[][] data = [.. Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, 30).Select(t => 10f + t + (2 * MathF.Sin(t + c))).ToArray())];
        return LstmSharp.Forecasting.Forecaster.Train(data, [.. Enumerable.Range(0, columns).Select(c => $"c{c}")], 30,
            new ForecastOptions { Lookback = 4, Horizon = 3, Strategy = strategy, Transform = transform, Units = 2, Epochs = 1, BatchSize = 8,
                Season = transform == SeriesTransform.SeasonalDifference ? 2 : 0, Ensemble = ensemble, Quantiles = quantiles ?? [] });
    }

    /// <summary>A global forecaster of two series (a series index input picks each row's scalers) with quantiles.</summary>
    static Forecaster GlobalForecaster()
    {
        float[] Series(float level) => [.. Enumerable.Range(0, 30).Select(t => level + t + (2 * MathF.Sin(t)))];
        return LstmSharp.Forecasting.Forecaster.Train([new ForecastSeries("a", [Series(10)], 30), new ForecastSeries("b", [Series(500)], 30)], ["y"],
            new ForecastOptions { Lookback = 4, Horizon = 3, Units = 2, Epochs = 1, BatchSize = 8, Quantiles = [0.1f, 0.5f, 0.9f] });
    }

    /// <summary>An embedded encoder whose final states start a decoder, each score of attention over it, the weights as an output.</summary>
    static Model AttentionModel()
    {
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var (encoded, states) = new Lstm(4, new() { ReturnSequences = true }).CallWithState(new Embedding(9, 3).Call(source));
        var decoded = new Lstm(4, new() { ReturnSequences = true }).Call(new Embedding(9, 3).Call(target), states);
        var dot = new Attention(new() { Causal = true }).Call(decoded, encoded);
        var general = new Attention(new() { Score = AttentionScore.General, ScaleByDimension = true }).Call(decoded, encoded);
        var (concat, weights) = new Attention(new() { Score = AttentionScore.Concat, Units = 3, ReturnAttentionScores = true }).CallWithWeights(decoded, encoded, encoded);
        var additive = new AdditiveAttention().Call(decoded, encoded);
        var joined = new Concatenate().Call(decoded, dot, general, concat, additive);
        return new Model([source, target], [new TimeDistributed(new Dense(9, Activation.Softmax), "logits").Call(joined), weights!], seed: 9);
    }

    /// <summary>Concatenate, Add, Multiply, Average over a nested model's output and a bidirectional encoder's states.</summary>
    static Model MergeModel()
    {
        var inner = new Input(-1, 2);
        var block = new Model([inner], [new Dense(2, Activation.Tanh, name: "proj").Call(inner)], seed: 1, name: "block");
        var x = new Input(-1, 2) { Name = "series" };
        var v = new Input(3) { Name = "context" };
        var (sequence, states) = new Bidirectional(new Lstm(3, new() { ReturnSequences = true })).CallWithState(block.Call(x));
        var gated = new Multiply().Call(sequence, new Dense(6, Activation.Sigmoid).Call(sequence));
        var summed = new Add().Call(gated, sequence);
        var mean = new Average().Call(states[0], states[2]);
        var last = new Gru(3).Call(summed);
        var score = new Dense(1, name: "score").Call(new Concatenate().Call(last, mean, v));
        return new Model([x, v], [score, summed], seed: 10);
    }

    /// <summary>
    /// SHA-256 (hex) of the model with every float initializer's values removed: the graph, the operators and their
    /// attributes, the value names, types and shapes, and each initializer's type, shape and integer values (axes,
    /// shapes) — all that onnx.checker and shape inference look at — but not the trained weights.
    /// </summary>
    public static string StructureHash(byte[] onnx)
    {
        var model = ModelProto.Parser.ParseFrom(onnx);
        foreach (var t in model.Graph.Initializer) t.FloatData.Clear();
        return Convert.ToHexStringLower(SHA256.HashData(model.ToByteArray()));
    }
}
