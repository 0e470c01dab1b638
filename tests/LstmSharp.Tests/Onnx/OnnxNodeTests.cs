// The ONNX backend node tests of the LSTM, GRU and RNN operators (test_lstm_*, test_gru_*, test_simple_rnn_*,
// test_rnn_seq_length), run on our layers: each node's W, R, B (and P) become a layer through the importer's
// mapping (OnnxRecurrent), and Y / Y_h must equal the arrays ONNX's reference helpers computed
// (tools/onnx_node_tests writes them). The GRU cases use ONNX's default linear_before_reset = 0, i.e. the
// reset-before GRU; the cases without B a layer without biases; test_lstm_with_peepholes has peepholes,
// initial states and sequence_lens; the batchwise cases layout = 1.
using System.Text.Json;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Onnx;
using LstmSharp.Tests.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxNodeTests
{
    sealed record NodeCase(string Op, Dictionary<string, JsonElement> Attributes, Dictionary<string, (int[] Shape, float[] Data)> Inputs, Dictionary<string, (int[] Shape, double[] Data)> Outputs);

    static readonly Lazy<Dictionary<string, NodeCase>> s_cases = new(Load);

    static Dictionary<string, NodeCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx_node", "rnn_node_tests.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new Dictionary<string, NodeCase>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            static (int[], double[]) Read(JsonElement e) =>
                ([.. e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())], [.. e.GetProperty("data").EnumerateArray().Select(d => d.GetDouble())]);
            cases[c.GetProperty("name").GetString()!] = new NodeCase(
                c.GetProperty("op").GetString()!,
                c.GetProperty("attributes").EnumerateObject().ToDictionary(a => a.Name, a => a.Value.Clone()),
                c.GetProperty("inputs").EnumerateObject().ToDictionary(i => i.Name, i =>
                {
                    var (shape, data) = Read(i.Value);
                    return (shape, data.Select(v => (float)v).ToArray());
                }),
                c.GetProperty("outputs").EnumerateObject().ToDictionary(o => o.Name, o => Read(o.Value)));
        }
        return cases;
    }

    public static TheoryData<string, KernelVariant> Cases() => TorchParityTests.WithEveryVariant(s_cases.Value.Keys);

    [Fact]
    public void Fixture_HoldsTheTwelveNodeTests()
    {
        Assert.Equal(12, s_cases.Value.Count);
        Assert.All(s_cases.Value.Where(c => c.Value.Op == "GRU"), c => Assert.False(c.Value.Attributes.ContainsKey("linear_before_reset")));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void NodeTest_OurLayer_ReproducesOnnxsExpectedOutputs(string name, KernelVariant variant)
    {
        var c = s_cases.Value[name];
        var layout = c.Attributes.TryGetValue("layout", out var l) ? l.GetInt32() : 0;
        var hidden = c.Attributes["hidden_size"].GetInt32();
        var (xShape, x) = c.Inputs["X"];
        // layout 0: X [T, B, I]; layout 1: X [B, T, I], as ours.
        int T = xShape[layout == 0 ? 0 : 1], B = xShape[layout == 0 ? 1 : 0], I = xShape[2];
        var node = new OnnxRecurrentNode(c.Op, name, hidden, "forward", LinearBeforeReset: false, I,
            c.Inputs["W"].Data, c.Inputs["R"].Data, c.Inputs.TryGetValue("B", out var b) ? b.Data : null, c.Inputs.TryGetValue("P", out var p) ? p.Data : null);
        var layer = (Rnn)OnnxRecurrent.CreateLayer(node, returnSequences: true);
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I]);
        OnnxRecurrent.SetWeights(layer, OnnxRecurrent.Weights(node));
        Assert.Equal(node.B is not null, layer.Options.UseBias);
        Assert.Equal(c.Op == "GRU" ? false : null, (layer as Gru)?.ResetAfter);

        var input = Tensor.Zeros(B, T, I);
        for (var t = 0; t < T; t++)
            for (var n = 0; n < B; n++)
                x.AsSpan(layout == 0 ? (t * B + n) * I : (n * T + t) * I, I).CopyTo(input.Span.Slice((n * T + t) * I, I));
        Tensor? mask = null;
        if (c.Inputs.TryGetValue("sequence_lens", out var lens))
        {
            mask = Tensor.Zeros(B, T);
            for (var n = 0; n < B; n++)
                for (var t = 0; t < (int)lens.Data[n]; t++) mask.Span[n * T + t] = 1f;
        }
        List<Tensor>? states = null;
        if (c.Inputs.TryGetValue("initial_h", out var h0))
        {
            states = [new Tensor(h0.Data, B, hidden)];
            if (c.Inputs.TryGetValue("initial_c", out var c0)) states.Add(new Tensor(c0.Data, B, hidden));
        }

        var y = layer.Forward(input, states, mask: mask);
        if (c.Outputs.TryGetValue("Y", out var expectedY))
        {
            // Y: layout 0 [T, 1, B, H]; layout 1 [B, T, 1, H] — ours [B, T, H].
            var ours = new double[expectedY.Data.Length];
            for (var t = 0; t < T; t++)
                for (var n = 0; n < B; n++)
                    for (var j = 0; j < hidden; j++)
                        ours[layout == 0 ? (t * B + n) * hidden + j : (n * T + t) * hidden + j] = y.Span[(n * T + t) * hidden + j];
            Approx.Equal(expectedY.Data, ours.Select(v => (float)v).ToArray(), 1e-5, $"{name} Y");
        }
        // Y_h: layout 0 [1, B, H]; layout 1 [B, 1, H] — both our FinalState[0] [B, H] element for element.
        Approx.Equal(c.Outputs["Y_h"].Data, layer.FinalState[0], 1e-5, $"{name} Y_h");
    }
}
