// OnnxRnnBuilder: converts our recurrent layers (PyTorch names, shapes and gate order) to ONNX's LSTM / GRU
// operators (opset 14) as one-node models with initial states, for layer-level parity; the gate reordering
// is OnnxExport's.
//
// Conversion rules (H units, I input features; ONNX tensors carry a leading num_directions axis of 1):
//   LSTM  W [1, 4H, I] = weight_ih_l0 [4H, I]  with gate blocks reordered from (i, f, g, o) to ONNX's (i, o, f, c)
//         R [1, 4H, H] = weight_hh_l0 [4H, H]  likewise
//         B [1, 8H]    = bias_ih_l0 then bias_hh_l0 (Wb, Rb), each reordered likewise
//         P [1, 3H]    = weight_peephole_l0 reordered from (p_i, p_f, p_o) to ONNX's (i, o, f)
//   GRU   W [1, 3H, I], R [1, 3H, H], B [1, 6H] as above, blocks reordered from (r, z, n) to ONNX's (z, r, h),
//         with linear_before_reset = 1 (PyTorch's form: r multiplies W_hn h + b_hn).
//   States initial_h / initial_c [1, batch, H] = our [batch, H].
//   GoBackwards → direction "reverse". ONNX's reverse Y is aligned with the input's time axis, whereas our
//   returned sequence is in processing order (reversed); Y_h / Y_c equal our FinalState either way.
using Google.Protobuf;
using LstmSharp.Layers;
using LstmSharp.Onnx;
using Onnx;

namespace LstmSharp.Tests.Onnx;

/// <summary>ONNX's W, R, B (and P for a peephole LSTM) of one direction, flat, with their ONNX shapes.</summary>
internal sealed record OnnxRnnWeights(float[] W, long[] WShape, float[] R, long[] RShape, float[] B, long[] BShape, float[]? P);

internal static class OnnxRnnBuilder
{
    /// <summary>The operator set the models import; LSTM and GRU gained <c>layout</c> in 14.</summary>
    public const int Opset = 14;

    /// <summary>IR version 8 (ONNX 1.10), which any runtime supporting opset 14 reads.</summary>
    const long IrVersion = 8;

    // The gate orders and the block reordering are the exporter's own (OnnxExport).
    static float[] ReorderBlocks(float[] source, int[] order) => OnnxExport.Reorder(source, order);

    /// <summary>ONNX's LSTM weights for <paramref name="lstm"/> (built).</summary>
    public static OnnxRnnWeights LstmWeights(Lstm lstm)
    {
        int H = lstm.Units, I = lstm.InputSize;
        var peephole = lstm.LstmOptions.Peepholes ? ReorderBlocks(Value(lstm, "weight_peephole_l0"), OnnxExport.PeepholeOrder) : null;
        return new OnnxRnnWeights(
            ReorderBlocks(Value(lstm, "weight_ih_l0"), OnnxExport.LstmOrder), [1, 4 * H, I],
            ReorderBlocks(Value(lstm, "weight_hh_l0"), OnnxExport.LstmOrder), [1, 4 * H, H],
            [.. ReorderBlocks(Value(lstm, "bias_ih_l0"), OnnxExport.LstmOrder), .. ReorderBlocks(Value(lstm, "bias_hh_l0"), OnnxExport.LstmOrder)], [1, 8 * H],
            peephole);
    }

    /// <summary>ONNX's GRU weights (for <c>linear_before_reset = 1</c>) for <paramref name="gru"/> (built).</summary>
    public static OnnxRnnWeights GruWeights(Gru gru)
    {
        int H = gru.Units, I = gru.InputSize;
        return new OnnxRnnWeights(
            ReorderBlocks(Value(gru, "weight_ih_l0"), OnnxExport.GruOrder), [1, 3 * H, I],
            ReorderBlocks(Value(gru, "weight_hh_l0"), OnnxExport.GruOrder), [1, 3 * H, H],
            [.. ReorderBlocks(Value(gru, "bias_ih_l0"), OnnxExport.GruOrder), .. ReorderBlocks(Value(gru, "bias_hh_l0"), OnnxExport.GruOrder)], [1, 6 * H],
            null);
    }

    /// <summary>
    /// A model with one LSTM node equivalent to <paramref name="lstm"/>: input X <c>[seq, batch, I]</c> (time-major,
    /// layout 0) with symbolic seq and batch; outputs Y <c>[seq, 1, batch, H]</c>, Y_h and Y_c <c>[1, batch, H]</c>.
    /// The initial state, when given (each <c>[batch, H]</c>), becomes the initializers initial_h / initial_c.
    /// </summary>
    public static ModelProto LstmModel(Lstm lstm, Tensor? initialH = null, Tensor? initialC = null)
    {
        var weights = LstmWeights(lstm);
        var graph = NewGraph("lstm", lstm.InputSize, lstm.Units, ["Y", "Y_h", "Y_c"]);
        AddWeights(graph, weights);
        var hasState = AddState(graph, lstm.Units, ("initial_h", initialH), ("initial_c", initialC));
        if (weights.P is not null) graph.Initializer.Add(Initializer("P", weights.P, [1, 3 * lstm.Units]));

        // Inputs: X, W, R, B, sequence_lens, initial_h, initial_c, P; "" skips an optional one.
        string[] inputs = ["X", "W", "R", "B", "", hasState ? "initial_h" : "", hasState ? "initial_c" : "", weights.P is null ? "" : "P"];
        var node = NewNode("LSTM", TrimOptional(inputs), ["Y", "Y_h", "Y_c"], lstm.Units, lstm.Options.GoBackwards);
        graph.Node.Add(node);
        return NewModel(graph);
    }

    /// <summary>
    /// A model with one GRU node (<c>linear_before_reset = 1</c>) equivalent to <paramref name="gru"/>: input X
    /// <c>[seq, batch, I]</c>; outputs Y <c>[seq, 1, batch, H]</c> and Y_h <c>[1, batch, H]</c>.
    /// </summary>
    public static ModelProto GruModel(Gru gru, Tensor? initialH = null)
    {
        var graph = NewGraph("gru", gru.InputSize, gru.Units, ["Y", "Y_h"]);
        AddWeights(graph, GruWeights(gru));
        var hasState = AddState(graph, gru.Units, ("initial_h", initialH));

        // Inputs: X, W, R, B, sequence_lens, initial_h.
        string[] inputs = ["X", "W", "R", "B", "", hasState ? "initial_h" : ""];
        var node = NewNode("GRU", TrimOptional(inputs), ["Y", "Y_h"], gru.Units, gru.Options.GoBackwards);
        node.Attribute.Add(new AttributeProto { Name = "linear_before_reset", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(node);
        return NewModel(graph);
    }

    static float[] Value(Layer layer, string name)
        => layer.Parameters.Single(p => p.Name == name).Value.ToArray();

    static GraphProto NewGraph(string name, int inputSize, int units, string[] outputs)
    {
        var graph = new GraphProto { Name = name };
        graph.Input.Add(TensorInfo("X", Dim("seq"), Dim("batch"), Dim(inputSize)));
        foreach (var output in outputs)
        {
            graph.Output.Add(output == "Y"
                ? TensorInfo("Y", Dim("seq"), Dim(1), Dim("batch"), Dim(units))
                : TensorInfo(output, Dim(1), Dim("batch"), Dim(units)));
        }
        return graph;
    }

    static void AddWeights(GraphProto graph, OnnxRnnWeights weights)
    {
        graph.Initializer.Add(Initializer("W", weights.W, weights.WShape));
        graph.Initializer.Add(Initializer("R", weights.R, weights.RShape));
        graph.Initializer.Add(Initializer("B", weights.B, weights.BShape));
    }

    /// <summary>Adds the given states as initializers <c>[1, batch, H]</c>; all or none must be given.</summary>
    static bool AddState(GraphProto graph, int units, params (string Name, Tensor? Value)[] states)
    {
        var given = states.Count(s => s.Value is not null);
        if (given == 0) return false;
        if (given != states.Length)
            throw new ArgumentException($"Give all {states.Length} initial states or none; received {given}.", nameof(states));
        foreach (var (name, value) in states)
        {
            if (value!.Rank != 2 || value.Dim(1) != units)
                throw new ArgumentException($"Initial state '{name}' must be [batch, {units}]; received [{string.Join(", ", value.Shape.ToArray())}].", nameof(states));
            graph.Initializer.Add(Initializer(name, value.ToArray(), [1, value.Dim(0), units]));
        }
        return true;
    }

    static NodeProto NewNode(string opType, string[] inputs, string[] outputs, int units, bool reverse)
    {
        var node = new NodeProto { OpType = opType, Name = opType.ToLowerInvariant() };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = units });
        node.Attribute.Add(new AttributeProto
        {
            Name = "direction",
            Type = AttributeProto.Types.AttributeType.String,
            S = ByteString.CopyFromUtf8(reverse ? "reverse" : "forward"),
        });
        return node;
    }

    static ModelProto NewModel(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "LstmSharp", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    /// <summary>Drops trailing empty names: ONNX lets optional inputs be left off at the end.</summary>
    static string[] TrimOptional(string[] inputs)
    {
        var n = inputs.Length;
        while (n > 0 && inputs[n - 1].Length == 0) n--;
        return inputs[..n];
    }

    static TensorProto Initializer(string name, float[] values, long[] shape)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(shape);
        tensor.FloatData.Add(values);
        return tensor;
    }

    static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    static TensorShapeProto.Types.Dimension Dim(string symbol) => new() { DimParam = symbol };

    static ValueInfoProto TensorInfo(string name, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
