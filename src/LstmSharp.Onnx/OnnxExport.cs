// OnnxExport: a model as a standard ONNX graph (opset 14) with dynamic batch and sequence length.
// Recurrent layers become ONNX LSTM / GRU (linear_before_reset = 1) / RNN nodes, with our PyTorch-ordered
// gate blocks reordered to ONNX's (LSTM i, o, f, c; GRU z, r, h; peepholes i, o, f). Embedding id-0 padding
// becomes sequence_lens (the count of non-zero ids, so right padding only), as does an optional lengths input.
using Google.Protobuf;
using LstmSharp.Layers;
using Onnx;

namespace LstmSharp.Onnx;

/// <summary>Exports models to ONNX.</summary>
public static class OnnxExport
{
    /// <summary>The operator set the exported models import.</summary>
    public const int Opset = 14;

    // ONNX block k takes our block order[k].
    internal static readonly int[] LstmOrder = [0, 3, 1, 2];   // ONNX (i, o, f, c) ← ours (i, f, g, o)
    internal static readonly int[] PeepholeOrder = [0, 2, 1];  // ONNX (i, o, f)    ← ours (p_i, p_f, p_o)
    internal static readonly int[] GruOrder = [1, 0, 2];       // ONNX (z, r, h)    ← ours (r, z, n)

    /// <summary>Writes the ONNX model to <paramref name="path"/>.</summary>
    /// <exception cref="NotSupportedException">A layer or option has no ONNX form here; the message names it.</exception>
    public static void Save(Model model, string path, bool lengthsInput = false) => File.WriteAllBytes(path, ToBytes(model, lengthsInput));

    /// <summary>
    /// The ONNX model as bytes: input <c>input</c>, output <c>output</c>, batch and time dynamic. With
    /// <paramref name="lengthsInput"/> the graph takes a second input <c>lengths</c> (int32 <c>[batch]</c>), each
    /// sample's real length, as <see cref="FitOptions.Lengths"/> and <c>Predict(x, lengths: …)</c> do. A
    /// stateful recurrent layer (<see cref="Layers.RnnOptions.Stateful"/>) is exported as an ordinary one: every
    /// run starts from a zero state.
    /// </summary>
    public static byte[] ToBytes(Model model, bool lengthsInput = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new Graph();
        var inputDims = new List<TensorShapeProto.Types.Dimension> { Dim("batch") };
        inputDims.AddRange(model.InputShape.Select((d, i) => d < 0 ? Dim(i == 0 ? "time" : $"d{i}") : Dim(d)));
        g.Proto.Input.Add(Info("input", inputDims));
        var current = "input";
        string? lengths = null;
        if (lengthsInput)
        {
            g.Proto.Input.Add(Info("lengths", [Dim("batch")], TensorProto.Types.DataType.Int32));
            lengths = "lengths";
        }
        foreach (var layer in model.Layers)
        {
            switch (layer)
            {
                case Embedding embedding:
                    lengths ??= g.Lengths(current);
                    var ids = g.Node("Cast", [current], [("to", (long)TensorProto.Types.DataType.Int64)]);
                    current = g.Node("Gather", [g.Const(embedding.Name + ".weight", embedding.Parameters[0].Value), ids]);
                    break;
                case Bidirectional bi:
                    current = Recurrent(g, [bi.ForwardLayer, bi.BackwardLayer], bi.Name, current, lengths, bi.Merge);
                    break;
                case Rnn rnn:
                    current = Recurrent(g, [rnn], rnn.Name, current, lengths, MergeMode.Concat);
                    break;
                case Dense dense:
                    current = DenseNodes(g, dense, layer.Name, current);
                    break;
                case TimeDistributed { Inner: Dense inner }:
                    current = DenseNodes(g, inner, layer.Name, current);
                    break;
                case Dropout:
                    break;
                default:
                    throw new NotSupportedException($"Layer '{layer.Name}' ({layer.GetType().Name}) has no ONNX export.");
            }
        }
        g.Node("Identity", [current], output: "output");
        g.Proto.Output.Add(Info("output", []));
        var proto = new ModelProto { IrVersion = 8, ProducerName = "LstmSharp", Graph = g.Proto };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return proto.ToByteArray();
    }

    static string DenseNodes(Graph g, Dense dense, string name, string current)
    {
        var w = dense.Parameters[0].Value;
        var transposed = Tensor.Zeros(w.Dim(1), w.Dim(0));
        for (var o = 0; o < w.Dim(0); o++)
            for (var i = 0; i < w.Dim(1); i++) transposed.Span[i * w.Dim(0) + o] = w.Span[o * w.Dim(1) + i];
        var y = g.Node("Add", [g.Node("MatMul", [current, g.Const(name + ".weight_t", transposed)]), g.Const(name + ".bias", dense.Parameters[1].Value)]);
        return dense.Activation switch
        {
            Activation.Relu => g.Node("Relu", [y]),
            Activation.Tanh => g.Node("Tanh", [y]),
            Activation.Sigmoid => g.Node("Sigmoid", [y]),
            Activation.Softmax => g.Node("Softmax", [y], [("axis", -1L)]),
            _ => y,
        };
    }

    /// <summary>One ONNX recurrent node for one layer, or for a Bidirectional pair (forward, backward).</summary>
    static string Recurrent(Graph g, Rnn[] layers, string name, string current, string? lengths, MergeMode merge)
    {
        var first = layers[0];
        var H = first.Units;
        var bidirectional = layers.Length == 2;
        if (!bidirectional && first.Options.GoBackwards && first.Options.ReturnSequences)
            throw new NotSupportedException($"Layer '{name}' returns a reversed sequence (GoBackwards with ReturnSequences), which is not exported.");
        var (op, order) = first switch { Lstm => ("LSTM", LstmOrder), Gru => ("GRU", GruOrder), _ => ("RNN", (int[])[0]) };
        float[] Join(string param) => [.. layers.SelectMany(l => Reorder(Param(l, param), order))];
        var dirs = layers.Length;
        var gates = order.Length;
        var w = g.Const($"{name}.W", new Tensor(Join("weight_ih_l0"), dirs, gates * H, first.InputSize));
        var r = g.Const($"{name}.R", new Tensor(Join("weight_hh_l0"), dirs, gates * H, H));
        var biases = layers.SelectMany(l => Reorder(Param(l, "bias_ih_l0"), order)
            .Concat(Reorder(Param(l, "bias_hh_l0"), order))).ToArray();
        var b = g.Const($"{name}.B", new Tensor(biases, dirs, 2 * gates * H));
        var inputs = new List<string> { g.Node("Transpose", [current], [("perm", new long[] { 1, 0, 2 })]), w, r, b, lengths ?? "" };
        if (first is Lstm { LstmOptions.Peepholes: true })
        {
            inputs.AddRange(["", "", g.Const($"{name}.P", new Tensor([.. layers.SelectMany(l => Reorder(Param(l, "weight_peephole_l0"), PeepholeOrder))], dirs, 3 * H))]);
        }
        while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
        var direction = bidirectional ? "bidirectional" : first.Options.GoBackwards ? "reverse" : "forward";
        var attributes = new List<(string, object)> { ("hidden_size", (long)H), ("direction", direction) };
        if (first is Gru) attributes.Add(("linear_before_reset", 1L));
        var y = g.Fresh();
        var yh = g.Fresh();
        g.Node(op, [.. inputs], [.. attributes], outputs: [y, yh]);
        if (bidirectional && merge != MergeMode.Concat)
        {
            // Sum, Multiply, Average: split the direction axis and combine element-wise.
            var axis = first.Options.ReturnSequences ? 1L : 0L;
            var (forward, backward) = (g.Fresh(), g.Fresh());
            g.Node("Split", [first.Options.ReturnSequences ? y : yh], [("axis", axis)], outputs: [forward, backward]);
            var combined = merge switch
            {
                MergeMode.Sum => g.Node("Add", [forward, backward]),
                MergeMode.Multiply => g.Node("Mul", [forward, backward]),
                _ => g.Node("Mul", [g.Node("Add", [forward, backward]), g.Const($"{name}.half", new Tensor([0.5f], 1))]),
            };
            if (first.Options.ReturnSequences) y = combined;
            else yh = combined;
        }
        if (first.Options.ReturnSequences)
        {
            // Y [T, dirs, B, H] → [T, B, dirs·H] → [B, T, dirs·H]
            var tb = g.Node("Transpose", [y], [("perm", new long[] { 0, 2, 1, 3 })]);
            var merged = g.Node("Reshape", [tb, g.Const($"{name}.shape", new long[] { 0, 0, -1 })]);
            return g.Node("Transpose", [merged], [("perm", new long[] { 1, 0, 2 })]);
        }
        // Y_h [dirs, B, H] → [B, dirs·H]
        var bh = g.Node("Transpose", [yh], [("perm", new long[] { 1, 0, 2 })]);
        return g.Node("Reshape", [bh, g.Const($"{name}.shape", new long[] { 0, -1 })]);
    }

    /// <summary>A layer's parameter by its PyTorch name (a Bidirectional's backward copy adds "_reverse").</summary>
    static float[] Param(Rnn layer, string name) =>
        layer.Parameters.Single(p => p.Name == name || p.Name == name + "_reverse").Value.ToArray();

    /// <summary>The source, made of <c>order.Length</c> equal blocks, with block k taken from block order[k].</summary>
    internal static float[] Reorder(float[] source, int[] order)
    {
        var block = source.Length / order.Length;
        var result = new float[source.Length];
        for (var k = 0; k < order.Length; k++) Array.Copy(source, order[k] * block, result, k * block, block);
        return result;
    }

    static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    static TensorShapeProto.Types.Dimension Dim(string symbol) => new() { DimParam = symbol };

    static ValueInfoProto Info(string name, IEnumerable<TensorShapeProto.Types.Dimension> dims, TensorProto.Types.DataType type0 = TensorProto.Types.DataType.Float)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)type0 };
        var list = dims.ToList();
        if (list.Count > 0)
        {
            type.Shape = new TensorShapeProto();
            type.Shape.Dim.Add(list);
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } };
    }

    /// <summary>Builds the graph: fresh value names, constants and nodes.</summary>
    sealed class Graph
    {
        int _next;

        public GraphProto Proto { get; } = new() { Name = "lstmsharp" };

        public string Fresh() => $"v{_next++}";

        public string Const(string name, Tensor value)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.Add(value.Shape.ToArray().Select(d => (long)d));
            t.FloatData.Add(value.ToArray());
            Proto.Initializer.Add(t);
            return name;
        }

        public string Const(string name, long[] values)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(values.Length);
            t.Int64Data.Add(values);
            Proto.Initializer.Add(t);
            return name;
        }

        /// <summary>sequence_lens [batch] (int32) = the number of non-zero ids per row of <paramref name="ids"/>.</summary>
        public string Lengths(string ids)
        {
            var zero = Node("Equal", [ids, Const($"zero{_next}", new Tensor([0f], 1))]);
            var real = Node("Cast", [Node("Not", [zero])], [("to", (long)TensorProto.Types.DataType.Int32)]);
            return Node("ReduceSum", [real, Const($"axis{_next}", new long[] { 1 })], [("keepdims", 0L)]);
        }

        public string Node(string op, string[] inputs, (string Name, object Value)[]? attributes = null, string? output = null, string[]? outputs = null)
        {
            var node = new NodeProto { OpType = op, Name = $"{op}_{_next}" };
            node.Input.Add(inputs);
            outputs ??= [output ?? Fresh()];
            node.Output.Add(outputs);
            foreach (var (name, value) in attributes ?? [])
            {
                var a = new AttributeProto { Name = name };
                switch (value)
                {
                    case long i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
                    case long[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.Add(ints); break;
                    case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
                }
                node.Attribute.Add(a);
            }
            Proto.Node.Add(node);
            return outputs[0];
        }
    }
}
