// OrtPeer: ONNX Runtime inference of the same network. The ONNX model is built in memory with OnnxSharp's
// protobuf types from our weights: batch-first input → Transpose → LSTM or GRU (→ Squeeze → LSTM/GRU)… →
// Squeeze → Transpose → batch-first output, opset 14, the same work our Rnn does around its time loop.
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace LstmSharp.Bench;

internal sealed class OrtPeer : IDisposable
{
    public const int Opset = 14;

    readonly InferenceSession _session;
    readonly RunOptions _runOptions = new();
    readonly OrtValue _input;
    readonly OrtValue _output;
    readonly string[] _inputNames = ["x"];
    readonly string[] _outputNames = ["y"];

    public OrtPeer(OurRnn ours, int threads)
    {
        var config = ours.Config;
        IntraOpThreads = threads;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(BuildModel(ours).ToByteArray(), options);
        _input = OrtValue.CreateTensorValueFromMemory(ours.Input.ToArray(), [config.Batch, config.Steps, config.Inputs]);
        Output = new float[config.Batch * config.Steps * config.Units];
        _output = OrtValue.CreateTensorValueFromMemory(Output, [config.Batch, config.Steps, config.Units]);
    }

    public static string Version => OrtEnv.Instance().GetVersionString();

    public int IntraOpThreads { get; }

    /// <summary>The output [B, T, H] of the last <see cref="Forward"/>.</summary>
    public float[] Output { get; }

    /// <summary>Runs the model into the pre-allocated output (no allocation of tensors per run).</summary>
    public void Forward() => _session.Run(_runOptions, _inputNames, [_input], _outputNames, [_output]);

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>
    /// The ONNX graph of <paramref name="ours"/>. ONNX's LSTM wants W [1, 4H, I], R [1, 4H, H] and B [1, 8H]
    /// (W_b then R_b) with gate blocks in the order i, o, f, c, while ours (PyTorch's) are i, f, g, o. Its GRU
    /// wants W [1, 3H, I], R [1, 3H, H], B [1, 6H] with blocks z, r, h, while ours are r, z, n; linear_before_reset = 1
    /// is our (PyTorch's) reset-after form, h = tanh(W_h x + W_bh + r ⊙ (R_h h + R_bh)).
    /// </summary>
    static ModelProto BuildModel(OurRnn ours)
    {
        var config = ours.Config;
        var G = config.Gates;
        var op = config.CellName;   // the ONNX operators are named LSTM and GRU
        var graph = new GraphProto { Name = $"{config.Cell.ToString().ToLowerInvariant()}_bench" };
        graph.Input.Add(FloatValue("x", config.Batch, config.Steps, config.Inputs));
        graph.Output.Add(FloatValue("y", config.Batch, config.Steps, config.Units));
        graph.Initializer.Add(new TensorProto { Name = "axis1", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { 1 } });

        // x [B, T, I] → [T, B, I]: ONNX Runtime's CPU LSTM and GRU only take layout = 0 (time-major).
        graph.Node.Add(Node("Transpose", ["x"], ["x_tbi"], Ints("perm", 1, 0, 2)));
        var current = "x_tbi";
        var width = config.Inputs;
        var H = config.Units;
        for (var l = 0; l < config.Layers; l++)
        {
            var wIh = ours.Parameter(l, "weight_ih").Value.Span;   // [G·H, I_l] LSTM i, f, g, o; GRU r, z, n
            var wHh = ours.Parameter(l, "weight_hh").Value.Span;   // [G·H, H]
            var bIh = ours.Parameter(l, "bias_ih").Value.Span;     // [G·H]
            var bHh = ours.Parameter(l, "bias_hh").Value.Span;     // [G·H]
            graph.Initializer.Add(FloatTensor($"W{l}", ToOnnxGateOrder(config.Cell, wIh, H, width), 1, G * H, width));
            graph.Initializer.Add(FloatTensor($"R{l}", ToOnnxGateOrder(config.Cell, wHh, H, H), 1, G * H, H));
            graph.Initializer.Add(FloatTensor($"B{l}", [.. ToOnnxGateOrder(config.Cell, bIh, H, 1), .. ToOnnxGateOrder(config.Cell, bHh, H, 1)], 1, 2 * G * H));
            var rnn = Node(op, [current, $"W{l}", $"R{l}", $"B{l}"], [$"y{l}"]);
            rnn.Attribute.Add(new AttributeProto { Name = "hidden_size", Type = AttributeProto.Types.AttributeType.Int, I = H });
            if (config.Cell == CellKind.Gru)
                rnn.Attribute.Add(new AttributeProto { Name = "linear_before_reset", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            graph.Node.Add(rnn);
            // Y [T, num_directions = 1, B, H] → [T, B, H]
            graph.Node.Add(Node("Squeeze", [$"y{l}", "axis1"], [$"h{l}"]));
            current = $"h{l}";
            width = H;
        }
        graph.Node.Add(Node("Transpose", [current], ["y"], Ints("perm", 1, 0, 2)));

        var model = new ModelProto { IrVersion = 8, ProducerName = "LstmSharp.Bench", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    /// <summary>
    /// Reorders the gate blocks (rows of <paramref name="cols"/> values) from ours to ONNX's: LSTM i, f, g, o → i, o, f, c;
    /// GRU r, z, n → z, r, h.
    /// </summary>
    static float[] ToOnnxGateOrder(CellKind cell, ReadOnlySpan<float> source, int H, int cols)
    {
        ReadOnlySpan<int> fromOurBlock = cell == CellKind.Lstm ? [0, 3, 1, 2] : [1, 0, 2];
        var result = new float[fromOurBlock.Length * H * cols];
        for (var g = 0; g < fromOurBlock.Length; g++)
            source.Slice(fromOurBlock[g] * H * cols, H * cols).CopyTo(result.AsSpan(g * H * cols));
        return result;
    }

    static NodeProto Node(string op, string[] inputs, string[] outputs, AttributeProto? attribute = null)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        if (attribute is not null) node.Attribute.Add(attribute);
        return node;
    }

    static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    static ValueInfoProto FloatValue(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
