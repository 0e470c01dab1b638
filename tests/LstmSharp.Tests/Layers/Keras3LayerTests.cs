// Keras 3's own RNN layer tests (gru_test.py, lstm_test.py, simple_rnn_test.py, bidirectional_test.py), their
// expected arrays transcribed into Fixtures/keras3_tests/rnn_layer_tests.json, run on our layers: constant
// weights, go_backwards, reset_after=False, use_bias=False, unit_forget_bias, statefulness (also inside
// Bidirectional), initial states, masks with holes and Keras's default zero_output_for_mask=False, and the
// Bidirectional merges. Keras's single bias maps to ours as its importer maps it: b_ih = the bias (the forget
// block 1 with unit_forget_bias), b_hh = 0; reset_after GRUs have two Keras biases, b_ih and b_hh.
using System.Text.Json;
using LstmSharp.Kernels;
using LstmSharp.Layers;
using LstmSharp.Tests.Oracles;
using Xunit;

namespace LstmSharp.Tests.Layers;

public sealed class Keras3LayerTests
{
    static readonly Lazy<Dictionary<string, JsonElement>> s_cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "keras3_tests", "rnn_layer_tests.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    public static TheoryData<string, KernelVariant> Cases() => TorchParityTests.WithEveryVariant(s_cases.Value.Keys);

    static bool Flag(JsonElement c, string name, bool keras) => c.TryGetProperty(name, out var v) ? v.GetBoolean() : keras;

    static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetInt32())];

    static double[] Flat(JsonElement e) => e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray().SelectMany(Flat)] : [e.GetDouble()];

    static Rnn Make(JsonElement c)
    {
        var units = c.GetProperty("units").GetInt32();
        var stateful = Flag(c, "stateful", false);
        var useBias = Flag(c, "use_bias", true);
        var sequences = Flag(c, "return_sequences", false);
        var backwards = Flag(c, "go_backwards", false);
        var zeroOutput = Flag(c, "zero_output_for_mask", false);
        return c.GetProperty("layer").GetString() switch
        {
            "LSTM" => new Lstm(units, new LstmOptions { Stateful = stateful, UseBias = useBias, ReturnSequences = sequences, GoBackwards = backwards, ZeroOutputForMask = zeroOutput }),
            "GRU" => new Gru(units, new GruOptions
            {
                Stateful = stateful, UseBias = useBias, ReturnSequences = sequences, GoBackwards = backwards, ZeroOutputForMask = zeroOutput, ResetAfter = Flag(c, "reset_after", true),
            }),
            _ => new SimpleRnn(units, new RnnOptions { Stateful = stateful, UseBias = useBias, ReturnSequences = sequences, GoBackwards = backwards, ZeroOutputForMask = zeroOutput }),
        };
    }

    /// <summary>Keras's Constant initialisers on one direction's parameters (names ending in <paramref name="suffix"/>).</summary>
    static void SetConstants(Layer layer, string suffix, JsonElement c, float kernel, float recurrent, float bias)
    {
        var units = c.GetProperty("units").GetInt32();
        foreach (var p in layer.Parameters.Where(p => p.Name.EndsWith(suffix, StringComparison.Ordinal) && (suffix.Length > 0 || !p.Name.EndsWith("_reverse", StringComparison.Ordinal))))
        {
            var v = p.Value.Span;
            switch (p.Name[..^suffix.Length])
            {
                case "weight_ih_l0": v.Fill(kernel); break;
                case "weight_hh_l0": v.Fill(recurrent); break;
                case "bias_ih_l0":
                    v.Fill(bias);
                    if (layer is Lstm or Bidirectional { ForwardLayer: Lstm } && Flag(c, "unit_forget_bias", true)) v.Slice(units, units).Fill(1f);
                    break;
                case "bias_hh_l0":
                    v.Fill(c.GetProperty("layer").GetString() == "GRU" && Flag(c, "reset_after", true) ? bias : 0f);
                    break;
                default: throw new InvalidOperationException(p.Name);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KerasTest_OurLayer_ReproducesKerasExpectedArrays(string name, KernelVariant variant)
    {
        var c = s_cases.Value[name];
        var shape = Ints(c.GetProperty("sequence"));
        int B = shape[0], T = shape[1], I = shape[2];
        var rnn = Make(c);
        Layer layer = c.TryGetProperty("bidirectional", out var merge)
            ? new Bidirectional(rnn, merge.GetString() switch { "concat" => MergeMode.Concat, "sum" => MergeMode.Sum, "mul" => MergeMode.Multiply, _ => MergeMode.Average })
            : rnn;
        layer.Kernels = KernelSet.For(variant);
        layer.Build([T, I]);
        SetConstants(layer, "", c, 0.01f, 0.02f, 0.03f);
        if (layer is Bidirectional)
        {
            var back = c.TryGetProperty("backward_constants", out var k) ? Flat(k) : [0.01, 0.02, 0.03];
            SetConstants(layer, "_reverse", c, (float)back[0], (float)back[1], (float)back[2]);
        }

        var x = new Tensor([.. Enumerable.Range(0, B * T * I).Select(i => (float)i)], B, T, I);
        List<Tensor>? states = null;
        if (c.TryGetProperty("initial_state", out var initial))
        {
            states = [.. initial.EnumerateArray().Select(s =>
            {
                var (rows, cols, factor) = (s[0].GetInt32(), s[1].GetInt32(), s[2].GetInt32());
                return new Tensor([.. Enumerable.Range(0, rows * cols).Select(i => (float)(i * factor))], rows, cols);
            })];
        }
        Tensor? mask = c.TryGetProperty("mask", out var m) ? new Tensor([.. Flat(m).Select(v => (float)v)], B, T) : null;

        Tensor Run() => layer is Bidirectional bi ? bi.Forward(x, states, mask: mask) : rnn.Forward(x, states, mask: mask);
        var y = Run();
        if (Flag(c, "stateful", false)) y = Run();
        Approx.Equal(Flat(c.GetProperty("expected")), y, 2e-6, name);

        if (c.TryGetProperty("expected_states", out var expectedStates))
        {
            var finals = ((Bidirectional)layer).FinalState;
            var k = 0;
            foreach (var s in expectedStates.EnumerateArray()) Approx.Equal(Flat(s), finals[k++], 2e-6, $"{name} state {k}");
        }
    }
}
