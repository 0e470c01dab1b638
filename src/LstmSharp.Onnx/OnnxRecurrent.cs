// OnnxRecurrent: an ONNX LSTM / GRU / RNN node's weights and settings as our layer. The inverse of the
// exporter's mapping: ONNX's gate blocks (LSTM i, o, f, c; GRU z, r, h; peepholes i, o, f) back to ours
// (i, f, g, o; r, z, n; p_i, p_f, p_o), B split into bias_ih / bias_hh, a missing B as a layer without
// biases, linear_before_reset = 0 as the reset-before GRU, direction as GoBackwards or Bidirectional.
using LstmSharp.Layers;

namespace LstmSharp.Onnx;

/// <summary>
/// The parts of an ONNX recurrent node a layer is made from: the operator, <c>hidden_size</c>,
/// <c>direction</c>, GRU's <c>linear_before_reset</c>, and W <c>[dirs, gates·H, I]</c>, R <c>[dirs, gates·H, H]</c>,
/// B <c>[dirs, 2·gates·H]</c> (null: no biases) and P <c>[dirs, 3H]</c> (LSTM peepholes; null: none), flat.
/// </summary>
internal sealed record OnnxRecurrentNode(
    string Op, string Name, int HiddenSize, string Direction, bool LinearBeforeReset, int InputSize,
    float[] W, float[] R, float[]? B, float[]? P)
{
    public int Directions => Direction == "bidirectional" ? 2 : 1;

    public int Gates => Op switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
}

internal static class OnnxRecurrent
{
    /// <summary>
    /// The unbuilt layer equivalent to <paramref name="node"/>: an <see cref="Lstm"/>, <see cref="Gru"/> or
    /// <see cref="SimpleRnn"/> (reading backwards for <c>reverse</c>), or a <see cref="Bidirectional"/> one
    /// (its outputs concatenated, as ONNX's Y holds both directions).
    /// </summary>
    public static Layer CreateLayer(OnnxRecurrentNode node, bool returnSequences)
    {
        var reverse = node.Direction == "reverse";
        var useBias = node.B is not null;
        var name = node.Directions == 2 ? node.Name + "_forward" : node.Name;
        Rnn layer = node.Op switch
        {
            "LSTM" => new Lstm(node.HiddenSize, new LstmOptions
            {
                Name = name, ReturnSequences = returnSequences, GoBackwards = reverse, UseBias = useBias, Peepholes = node.P is not null, UnitForgetBias = false,
            }),
            "GRU" => new Gru(node.HiddenSize, new GruOptions
            {
                Name = name, ReturnSequences = returnSequences, GoBackwards = reverse, UseBias = useBias, ResetAfter = node.LinearBeforeReset,
            }),
            "RNN" => new SimpleRnn(node.HiddenSize, new RnnOptions { Name = name, ReturnSequences = returnSequences, GoBackwards = reverse, UseBias = useBias }),
            _ => throw new NotSupportedException($"ONNX node '{node.Name}' is a {node.Op}, not an LSTM, GRU or RNN."),
        };
        return node.Directions == 2 ? new Bidirectional(layer, MergeMode.Concat, node.Name) : layer;
    }

    /// <summary>
    /// The weights of <paramref name="node"/> under our parameter names (the backward direction's ending in
    /// <c>_reverse</c>, as <see cref="Bidirectional"/> names them), in our shapes and gate order.
    /// </summary>
    public static Dictionary<string, Tensor> Weights(OnnxRecurrentNode node)
    {
        int H = node.HiddenSize, I = node.InputSize, G = node.Gates;
        var order = node.Op switch { "LSTM" => OnnxExport.LstmOrder, "GRU" => OnnxExport.GruOrder, _ => [0] };
        Check(node, "W", node.W, node.Directions * G * H * I);
        Check(node, "R", node.R, node.Directions * G * H * H);
        if (node.B is not null) Check(node, "B", node.B, node.Directions * 2 * G * H);
        if (node.P is not null) Check(node, "P", node.P, node.Directions * 3 * H);
        var weights = new Dictionary<string, Tensor>();
        for (var d = 0; d < node.Directions; d++)
        {
            var suffix = d == 1 ? "_reverse" : "";
            weights["weight_ih_l0" + suffix] = new Tensor(FromOnnxOrder(node.W.AsSpan(d * G * H * I, G * H * I), order), G * H, I);
            weights["weight_hh_l0" + suffix] = new Tensor(FromOnnxOrder(node.R.AsSpan(d * G * H * H, G * H * H), order), G * H, H);
            if (node.B is not null)
            {
                var b = node.B.AsSpan(d * 2 * G * H, 2 * G * H);
                weights["bias_ih_l0" + suffix] = new Tensor(FromOnnxOrder(b[..(G * H)], order), G * H);
                weights["bias_hh_l0" + suffix] = new Tensor(FromOnnxOrder(b[(G * H)..], order), G * H);
            }
            if (node.P is not null) weights["weight_peephole_l0" + suffix] = new Tensor(FromOnnxOrder(node.P.AsSpan(d * 3 * H, 3 * H), OnnxExport.PeepholeOrder), 3 * H);
        }
        return weights;
    }

    /// <summary>Copies <paramref name="weights"/> (from <see cref="Weights"/>) into the built <paramref name="layer"/>'s parameters.</summary>
    public static void SetWeights(Layer layer, IReadOnlyDictionary<string, Tensor> weights)
    {
        if (layer.Parameters.Count != weights.Count)
            throw new InvalidOperationException($"Layer '{layer.Name}' has {layer.Parameters.Count} parameters; the ONNX node gives {weights.Count}.");
        foreach (var p in layer.Parameters)
        {
            var w = weights.TryGetValue(p.Name, out var found) ? found : throw new InvalidOperationException($"The ONNX node gives no '{p.Name}' for layer '{layer.Name}'.");
            w.Span.CopyTo(p.Value.Span);
        }
    }

    /// <summary>Ours from ONNX's: the exporter put our block <c>order[k]</c> at position k, so the inverse order undoes it.</summary>
    static float[] FromOnnxOrder(ReadOnlySpan<float> onnx, int[] order)
    {
        var inverse = new int[order.Length];
        for (var k = 0; k < order.Length; k++) inverse[order[k]] = k;
        return OnnxExport.Reorder(onnx.ToArray(), inverse);
    }

    static void Check(OnnxRecurrentNode node, string input, float[] values, int expected)
    {
        if (values.Length != expected)
        {
            throw new FormatException(
                $"ONNX {node.Op} '{node.Name}': {input} holds {values.Length} values; hidden_size {node.HiddenSize}, {node.Directions} direction(s) and {node.InputSize} input features need {expected}.");
        }
    }
}
