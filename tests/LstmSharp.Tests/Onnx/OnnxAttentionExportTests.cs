// ONNX export of the attention layers: each score, causal or not, over padded token sequences (the value's padding
// excluded before the softmax, padded queries zeroed), with the weights as a second output — run in ONNX Runtime
// against Predict within 1e-5.
using LstmSharp.Layers;
using LstmSharp.Onnx;
using LstmSharp.Tests.Oracles;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxAttentionExportTests
{
    public static TheoryData<AttentionScore, bool> Cases()
    {
        var data = new TheoryData<AttentionScore, bool>();
        foreach (var score in Enum.GetValues<AttentionScore>())
            foreach (var causal in new[] { false, true })
                data.Add(score, causal);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Export_AttentionOverPaddedSequences_MatchesPredict(AttentionScore score, bool causal)
    {
        var source = new Input(-1) { Name = "source" };
        var target = new Input(-1) { Name = "target" };
        var encoded = new Lstm(4, new() { ReturnSequences = true }).Call(new Embedding(9, 3).Call(source));
        var decoded = new Gru(4, new() { ReturnSequences = true }).Call(new Embedding(9, 3).Call(target));
        var (context, weights) = new Attention(new AttentionOptions
        {
            Score = score, Causal = causal, ReturnAttentionScores = true, LearnScale = true, ScaleByDimension = true, Units = 3,
        }).CallWithWeights(decoded, encoded);
        var model = new Model([source, target], [new Dense(2).Call(new Concatenate().Call(decoded, context)), weights!], seed: 5);
        foreach (var p in model.Parameters) GradientCheck.RandomFloats(p.Value.Length, p.Value.Length, 0.9f).CopyTo(p.Value.Span);
        var src = new Tensor([3, 1, 8, 0, 0, 2, 2, 5, 7, 1, 4, 0, 0, 0, 0], 3, 5);   // right padding; sample 2 has one real step
        var tgt = new Tensor([1, 4, 6, 1, 2, 0, 5, 0, 0], 3, 3);
        using var session = new InferenceSession(OnnxExport.ToBytes(model));
        using var results = session.Run([
            OnnxFeeds.Of(session, "source", src), OnnxFeeds.Of(session, "target", tgt)]);
        var expected = model.Predict([src, tgt]);
        for (var o = 0; o < 2; o++)
            Approx.Equal(results[o].AsTensor<float>().ToArray().Select(v => (double)v).ToArray(), expected[o], 1e-5, $"{score} output {o}");
    }
}
