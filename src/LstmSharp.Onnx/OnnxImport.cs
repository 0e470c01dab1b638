// OnnxImport: an ONNX file exported from PyTorch (torch.onnx.export), from Keras by tf2onnx, or from LstmSharp, read back as a trainable
// Model. The graph is walked in order and every value is given a meaning in our terms — a batch-first or
// time-major sequence, a [batch, features] vector, a recurrent node's Y or Y_h, a constant, the dynamic shape
// arithmetic PyTorch emits for zero initial states — and each recognised pattern becomes a layer call:
// LSTM / GRU / RNN nodes (with their Transposes, Squeezes and Reshapes) a recurrent layer or a Bidirectional,
// y[:, -1] or h_n[k] its final state, Gather on a weight table an Embedding, Gemm or MatMul + Add (with an
// activation after) a Dense, Concat a Concatenate. Anything else is refused, naming the node.
using Google.Protobuf;
using LstmSharp.Layers;
using Onnx;

namespace LstmSharp.Onnx;

/// <summary>Reads ONNX models with recurrent layers into trainable <see cref="Model"/>s.</summary>
public static class OnnxImport
{
    /// <summary>
    /// Reads the ONNX model at <paramref name="path"/>: its graph becomes a <see cref="Model"/> whose layers hold the
    /// file's weights, ready to predict, fine-tune and save. Reads what PyTorch's exporter, tf2onnx (Keras LSTM, GRU,
    /// Bidirectional, Embedding, Dense) and <see cref="OnnxExport"/> emit for recurrent models: LSTM (with peepholes), GRU (either
    /// <c>linear_before_reset</c>) and RNN nodes, forward, reverse or bidirectional, stacked; the last step or the final
    /// states; Embedding (Gather), Linear (Gemm, MatMul + Add) with Relu / Tanh / Sigmoid / Softmax, Concat.
    /// </summary>
    /// <exception cref="FormatException">The file is not an ONNX model, or a node's tensors do not fit its attributes.</exception>
    /// <exception cref="NotSupportedException">A node or setting has no LstmSharp equivalent; the message names it.</exception>
    public static Model Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads an ONNX model from its bytes (<paramref name="source"/> names it in errors).</summary>
    public static Model FromBytes(byte[] bytes, string source = "the ONNX model")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FormatException($"{source} is not an ONNX model: {e.Message}", e);
        }
        if (proto.Graph is null || proto.Graph.Node.Count == 0)
            throw new FormatException($"{source} is not an ONNX model: it has no graph nodes.");
        return new Reader(proto.Graph, source).Read();
    }

    // What an ONNX value is, in our terms.
    abstract record Value;

    /// <summary>A sequence [B, T, F] (our symbol), or its time-major view [T, B, F] when <paramref name="TimeMajor"/>.
    /// <paramref name="LastStep"/>: a symbol equal to its last step, when one is known.</summary>
    sealed record Sequence(Symbol Symbol, bool TimeMajor, Symbol? LastStep) : Value;

    /// <summary>A [B, F] value.</summary>
    sealed record Vector(Symbol Symbol) : Value;

    sealed record Constant(float[] Data, long[] Shape) : Value;

    /// <summary>An initializer of a type OnnxImport does not read; <paramref name="Reason"/> says which.</summary>
    sealed record Unreadable(string Reason) : Value;

    /// <summary>Shape arithmetic on dynamic sizes (Shape, Gather, Unsqueeze, Concat of those).</summary>
    sealed record DynamicShape : Value;

    /// <summary>A tensor of zeros of a dynamic shape (PyTorch's zero initial states).</summary>
    sealed record Zeros : Value;

    /// <summary>A recurrent node's Y, [T, dirs, B, H] (or [T, B, dirs, H] once <paramref name="Permuted"/>).
    /// <paramref name="Finals"/>: each direction's final h, when Y's last processed step is it (no sequence_lens).</summary>
    sealed record RecurrentY(Symbol Output, int Directions, bool Reversed, bool Permuted, string Node, Symbol[]? Finals) : Value;

    /// <summary>One direction of a bidirectional node's Y as tf2onnx slices it: [T, 1, B, H] until
    /// <paramref name="Squeezed"/>, then [T, B, H] (or [B, T, H] when not <paramref name="TimeMajor"/>).</summary>
    sealed record DirectionY(RecurrentY Y, int Direction, bool Squeezed, bool TimeMajor) : Value;

    /// <summary>A one-step Slice [1, B, H] of a time-major sequence whose value at that step is <paramref name="Symbol"/>.</summary>
    sealed record Step(Symbol Symbol) : Value;

    /// <summary>A recurrent node's Y_h or Y_c, [dirs, B, H] (or [B, dirs, H] once <paramref name="BatchFirst"/>).</summary>
    sealed record States(Symbol[] PerDirection, Symbol? Joined, bool BatchFirst) : Value;

    /// <summary>The ids of a token input, and what the exporter's padding arithmetic made of them.</summary>
    sealed record Ids(Symbol Symbol, IdsStage Stage) : Value;

    enum IdsStage { Ids, Padding, Real, Lengths }

    /// <summary>x·W (and + b): a Dense not yet made, so that an activation after it can join it.</summary>
    sealed record PendingDense(Symbol Input, float[] Weight, int Units, int Inputs, float[]? Bias, string Name) : Value;

    sealed class Reader(GraphProto graph, string source)
    {
        readonly Dictionary<string, Value> _values = [];
        readonly HashSet<string> _used = [.. graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name))];
        readonly HashSet<string> _padded = [];
        readonly HashSet<string> _names = [];
        readonly List<(Layer Layer, Dictionary<string, Tensor> Weights)> _weights = [];
        readonly List<Input> _inputs = [];
        readonly Dictionary<Symbol, Symbol> _lastSteps = [];
        readonly Dictionary<string, string> _producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n.Name))).GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().Name);

        public Model Read()
        {
            foreach (var init in graph.Initializer)
            {
                // A tensor we cannot read (a Loop's bool condition, say) is an error only if a node we read uses it.
                try
                {
                    _values[init.Name] = ToConstant(init);
                }
                catch (NotSupportedException e)
                {
                    _values[init.Name] = new Unreadable(e.Message);
                }
            }
            foreach (var node in graph.Node.Where(n => n.OpType == "Equal"))
                foreach (var input in node.Input)
                    _padded.Add(input);
            foreach (var input in graph.Input)
            {
                if (_values.ContainsKey(input.Name)) continue;
                _values[input.Name] = ReadInput(input);
            }
            foreach (var node in graph.Node) Run(node);
            var outputs = graph.Output.Select(o => SymbolOf(Get(o.Name), what =>
                new NotSupportedException($"{source}: graph output '{o.Name}' is {what}, which LstmSharp has no layer output for."))).ToArray();
            var model = new Model(_inputs, outputs);
            foreach (var (layer, weights) in _weights) OnnxRecurrent.SetWeights(layer, weights);
            return model;
        }

        Value ReadInput(ValueInfoProto input)
        {
            var type = input.Type?.TensorType ?? throw new NotSupportedException($"{source}: input '{input.Name}' is not a tensor.");
            var dims = type.Shape?.Dim.Select(d => d.DimParam.Length > 0 ? -1L : d.DimValue).ToArray() ?? [];
            var integer = type.ElemType is (int)TensorProto.Types.DataType.Int64 or (int)TensorProto.Types.DataType.Int32;
            // Keras's default Input dtype is float32; its Embedding casts the ids to int32 first (tf2onnx: Cast, then Gather).
            var consumers = graph.Node.Where(n => n.Input.Contains(input.Name)).ToArray();
            var castToIds = consumers.Length > 0 && consumers.All(n => n.OpType == "Cast" &&
                Attribute(n, "to")?.I is (long)TensorProto.Types.DataType.Int32 or (long)TensorProto.Types.DataType.Int64);
            if (dims.Length == 2 && type.ElemType == (int)TensorProto.Types.DataType.Float && castToIds)
                return new Ids(AddInput(new Input(-1) { Name = input.Name }), IdsStage.Ids);
            // Token ids: integers [batch, time], or floats [batch, time] with a dynamic time axis (what older exports wrote).
            if (dims.Length == 2 && (integer || (type.ElemType == (int)TensorProto.Types.DataType.Float && dims[1] < 0)))
            {
                var ids = AddInput(new Input(-1) { Name = input.Name });
                return new Ids(ids, IdsStage.Ids);
            }
            if (type.ElemType == (int)TensorProto.Types.DataType.Float && dims.Length == 3 && dims[2] > 0)
                return new Sequence(AddInput(new Input(-1, (int)dims[2]) { Name = input.Name }), TimeMajor: false, LastStep: null);
            if (type.ElemType == (int)TensorProto.Types.DataType.Float && dims.Length == 2 && dims[1] > 0)
                return new Vector(AddInput(new Input((int)dims[1]) { Name = input.Name }));
            throw new NotSupportedException(
                $"{source}: input '{input.Name}' is [{string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] of ONNX type {type.ElemType}; " +
                "OnnxImport reads float [batch, time, features] or [batch, features] inputs and integer [batch, time] token ids.");
        }

        Input AddInput(Input input)
        {
            _inputs.Add(input);
            _names.Add(input.Name);
            return input;
        }

        Value Get(string name) => _values.TryGetValue(name, out var v) ? v : throw new FormatException($"{source}: value '{name}' is used before any node computes it.");

        Value? Optional(NodeProto node, int i) => i < node.Input.Count && node.Input[i].Length > 0 ? Get(node.Input[i]) : null;

        void Set(NodeProto node, params Value[] outputs)
        {
            for (var i = 0; i < outputs.Length && i < node.Output.Count; i++)
                if (node.Output[i].Length > 0) _values[node.Output[i]] = outputs[i];
        }

        NotSupportedException Unsupported(NodeProto node, string what) =>
            new($"{source}: node '{node.Name}' ({node.OpType}): {what}. OnnxImport reads recurrent models as PyTorch's exporter, tf2onnx (Keras) and LstmSharp's write them (LSTM, GRU, RNN, Embedding, Linear, activations, Concat).");

        void Run(NodeProto node)
        {
            switch (node.OpType)
            {
                case "Constant":
                    Set(node, ToConstant(Attribute(node, "value")?.T ?? throw Unsupported(node, "a Constant without a tensor 'value'")));
                    break;
                case "Shape":
                case "Unsqueeze" when Get(node.Input[0]) is DynamicShape or Constant:
                case "Slice" when Get(node.Input[0]) is DynamicShape:
                case "Gather" when Get(node.Input[0]) is DynamicShape:
                case "Cast" when Get(node.Input[0]) is DynamicShape:
                    Set(node, new DynamicShape());
                    break;
                case "Concat" when node.Input.All(i => Get(i) is DynamicShape or Constant):
                    Set(node, new DynamicShape());
                    break;
                case "ConstantOfShape":
                    if (Attribute(node, "value")?.T is { } fill && ToConstant(fill).Data.Any(v => v != 0f)) throw Unsupported(node, "a constant other than zero");
                    Set(node, new Zeros());
                    break;
                case "Slice" or "Unsqueeze" when Get(node.Input[0]) is Zeros:
                case "Concat" when node.Input.All(i => Get(i) is Zeros):
                    Set(node, new Zeros());
                    break;
                case "Identity" or "Dropout":
                    Set(node, Get(node.Input[0]));
                    break;
                case "Cast":
                    Set(node, Get(node.Input[0]) switch
                    {
                        Ids ids => ids,
                        var other => throw Unsupported(node, $"a Cast of {Describe(other)}"),
                    });
                    break;
                case "Equal":
                    Set(node, (Get(node.Input[0]), Get(node.Input[1])) switch
                    {
                        (Ids { Stage: IdsStage.Ids } ids, Constant { Data: [0f] }) => ids with { Stage = IdsStage.Padding },
                        _ => throw Unsupported(node, "a comparison other than token ids = 0 (the padding mask)"),
                    });
                    break;
                case "Not" when Get(node.Input[0]) is Ids { Stage: IdsStage.Padding } padding:
                    Set(node, padding with { Stage = IdsStage.Real });
                    break;
                case "ReduceSum" when Get(node.Input[0]) is Ids { Stage: IdsStage.Real } real:
                    Set(node, real with { Stage = IdsStage.Lengths });
                    break;
                case "Transpose":
                    Transpose(node);
                    break;
                case "Squeeze":
                    Squeeze(node);
                    break;
                case "Reshape":
                    Reshape(node);
                    break;
                case "Slice":
                    Slice(node);
                    break;
                case "Loop" or "Scan":
                    throw Unsupported(node, "a loop. tf2onnx turns only unmasked Keras LSTM and GRU(reset_after=True) layers into LSTM/GRU nodes; " +
                        "a SimpleRNN, a GRU(reset_after=False) or a layer after Embedding(mask_zero=True) or Masking stays a TensorFlow while loop (an ONNX Loop), " +
                        "which has no LstmSharp equivalent. Export the Keras model without the mask, with LSTM or GRU(reset_after=True), or read its .keras file with KerasImport.Load (LstmSharp.Keras)");
                case "Gather":
                    Gather(node);
                    break;
                case "LSTM" or "GRU" or "RNN":
                    Recurrent(node);
                    break;
                case "Gemm":
                    Gemm(node);
                    break;
                case "MatMul":
                    Set(node, (Get(node.Input[0]), Get(node.Input[1])) switch
                    {
                        (var x, Constant { Shape: [var inputs, var units] } w) => new PendingDense(Symbol(x, node), Transposed(w.Data, (int)inputs, (int)units), (int)units, (int)inputs, null, LayerName(node, node.Input[1])),
                        _ => throw Unsupported(node, "a product other than x · a constant weight [in, out]"),
                    });
                    break;
                case "Add":
                    Set(node, (Get(node.Input[0]), Get(node.Input[1])) switch
                    {
                        (PendingDense { Bias: null } d, Constant b) when b.Data.Length == d.Units => d with { Bias = b.Data },
                        (Constant b, PendingDense { Bias: null } d) when b.Data.Length == d.Units => d with { Bias = b.Data },
                        _ => throw Unsupported(node, "an Add other than a Linear layer's bias"),
                    });
                    break;
                case "Relu" or "Tanh" or "Sigmoid" or "Softmax":
                    var act = node.OpType switch { "Relu" => Activation.Relu, "Tanh" => Activation.Tanh, "Sigmoid" => Activation.Sigmoid, _ => Activation.Softmax };
                    if (Get(node.Input[0]) is not PendingDense pending) throw Unsupported(node, $"{node.OpType} after {Describe(Get(node.Input[0]))}; only after a Linear layer");
                    if (act == Activation.Softmax && Attribute(node, "axis") is { } axis && axis.I != -1 && axis.I != Rank(pending.Input))
                        throw Unsupported(node, $"Softmax over axis {axis.I}; only the last axis");
                    Set(node, Dense(pending, act));
                    break;
                case "Concat":
                    Concat(node);
                    break;
                default:
                    throw Unsupported(node, "this operator has no LstmSharp equivalent");
            }
        }

        static int Rank(Symbol s) => s.Shape.Count;

        void Transpose(NodeProto node)
        {
            var perm = Attribute(node, "perm")?.Ints.ToArray() ?? [];
            Set(node, (Get(node.Input[0]), perm) switch
            {
                (Sequence s, [1, 0, 2]) => s with { TimeMajor = !s.TimeMajor },
                (RecurrentY y, [0, 2, 1, 3]) when !y.Permuted => y with { Permuted = true },
                (DirectionY { Squeezed: true } d, [1, 0, 2]) => d with { TimeMajor = !d.TimeMajor },
                (States s, [1, 0, 2]) when !s.BatchFirst => s with { BatchFirst = true },
                (var v, _) => throw Unsupported(node, $"a Transpose [{string.Join(", ", perm)}] of {Describe(v)}"),
            });
        }

        void Squeeze(NodeProto node)
        {
            var axes = node.Input.Count > 1 ? Ints(node, 1) : Attribute(node, "axes")?.Ints.ToArray() ?? [];
            Set(node, (Get(node.Input[0]), axes) switch
            {
                (RecurrentY { Directions: 1, Permuted: false } y, [1]) => SequenceOf(y, node),
                (States { PerDirection.Length: 1, BatchFirst: false } s, [0]) => new Vector(s.PerDirection[0]),
                (DirectionY { Squeezed: false } d, [1]) => d with { Squeezed = true },
                (Step step, [0]) => new Vector(step.Symbol),
                (var v, _) => throw Unsupported(node, $"a Squeeze of axes [{string.Join(", ", axes)}] of {Describe(v)}"),
            });
        }

        /// <summary>
        /// Slices: one direction's final states (h_n[k:k+1]), one direction of a bidirectional Y (tf2onnx's
        /// Slice on axis 1), and the one step of a time-major sequence that is a final state — y[-1:] of a forward
        /// layer, and y[0:1] of a bidirectional node's backward direction (its last processed step).
        /// </summary>
        void Slice(NodeProto node)
        {
            var (starts, ends, axes) = SliceRange(node);
            const long Big = int.MaxValue;
            Set(node, (Get(node.Input[0]), starts, ends, axes) switch
            {
                (States s, [var from], _, [0]) when from >= 0 && from < s.PerDirection.Length => s with { PerDirection = [s.PerDirection[from]], Joined = null },
                (RecurrentY { Directions: 2, Permuted: false } y, [var d], [var to], [1]) when d is 0 or 1 && to == d + 1 => new DirectionY(y, (int)d, Squeezed: false, TimeMajor: true),
                (Sequence { TimeMajor: true, LastStep: { } last }, [-1], [>= Big], [0]) => new Step(last),
                (DirectionY { Squeezed: true, TimeMajor: true, Direction: 0, Y.Finals: { } f }, [-1], [>= Big], [0]) => new Step(f[0]),
                (DirectionY { Squeezed: true, TimeMajor: true, Direction: 1, Y.Finals: { } f }, [0], [1], [0]) => new Step(f[1]),
                (var v, _, _, _) => throw Unsupported(node,
                    $"a Slice [{string.Join(", ", starts)}] to [{string.Join(", ", ends)}] on axes [{string.Join(", ", axes)}] of {Describe(v)}; " +
                    "only one direction's states, one direction of a bidirectional Y, or the step of a sequence that is its layer's final state"),
            });
        }

        /// <summary>A Slice's starts, ends and axes: attributes before opset 10, inputs after (axes default 0, 1, …).</summary>
        (long[] Starts, long[] Ends, long[] Axes) SliceRange(NodeProto node)
        {
            if (node.Input.Count == 1)
            {
                var starts = Attribute(node, "starts")?.Ints.ToArray() ?? throw Unsupported(node, "a Slice without 'starts'");
                return (starts, Attribute(node, "ends")?.Ints.ToArray() ?? [], Attribute(node, "axes")?.Ints.ToArray() ?? [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)]);
            }
            if (Optional(node, 4) is Constant { Data: var steps } && steps.Any(v => v != 1f)) throw Unsupported(node, "a Slice with steps other than 1");
            var begin = Ints(node, 1);
            var axes = Optional(node, 3) is null ? [.. Enumerable.Range(0, begin.Length).Select(i => (long)i)] : Ints(node, 3);
            return (begin, Ints(node, 2), axes);
        }

        void Reshape(NodeProto node)
        {
            var shape = Ints(node, 1);
            Set(node, (Get(node.Input[0]), shape) switch
            {
                (RecurrentY { Permuted: true } y, [_, _, _]) => SequenceOf(y, node),
                (States { BatchFirst: true } s, [_, _]) => new Vector(s.Joined ?? Join(s.PerDirection, node)),
                (var v, _) => throw Unsupported(node, $"a Reshape to [{string.Join(", ", shape)}] of {Describe(v)}"),
            });
        }

        Sequence SequenceOf(RecurrentY y, NodeProto node)
        {
            if (y.Reversed)
                throw Unsupported(node, "the sequence of a reverse-direction layer (LstmSharp returns it in processing order); use its final state or a bidirectional layer");
            return new Sequence(y.Output, TimeMajor: true, LastStep: _lastSteps.GetValueOrDefault(y.Output));
        }

        Symbol Join(Symbol[] parts, NodeProto node) => parts.Length == 1 ? parts[0] : new Concatenate(-1, Unique(node.Name, "concatenate")).Call(parts);

        void Gather(NodeProto node)
        {
            var axis = Attribute(node, "axis")?.I ?? 0;
            switch (Get(node.Input[0]), Get(node.Input[1]))
            {
                case (Constant { Shape: [var vocab, var dim] } table, Ids { Stage: IdsStage.Ids } ids) when axis == 0:
                    var embedding = new Embedding((int)vocab, (int)dim, LayerName(node, node.Input[0]), maskZero: _padded.Contains(node.Input[1]) || _padded.Contains(ids.Symbol.Name));
                    _weights.Add((embedding, new() { ["weight"] = new Tensor(table.Data, (int)vocab, (int)dim) }));
                    Set(node, new Sequence(embedding.Call(ids.Symbol), TimeMajor: false, LastStep: null));
                    break;
                case (Sequence s, Constant { Data: [-1f] }) when axis == (s.TimeMajor ? 0 : 1):
                    Set(node, new Vector(s.LastStep ?? throw Unsupported(node,
                        "the last step of a sequence that is not a forward recurrent layer's output; only y[:, -1] of a forward LSTM, GRU or RNN (its final state) is read")));
                    break;
                case (States s, Constant { Data: [var index] }) when axis == 0:
                    var k = (int)index;
                    Set(node, new Vector(s.PerDirection[k < 0 ? k + s.PerDirection.Length : k]));
                    break;
                case var (a, b):
                    throw Unsupported(node, $"a Gather on axis {axis} of {Describe(a)} by {Describe(b)}");
            }
        }

        void Recurrent(NodeProto node)
        {
            foreach (var a in node.Attribute)
            {
                var fine = a.Name switch
                {
                    "hidden_size" or "direction" or "linear_before_reset" or "layout" => true,
                    "activations" => a.Strings.Select(s => s.ToStringUtf8()).SequenceEqual(DefaultActivations(node.OpType, a.Strings.Count)),
                    "input_forget" => a.I == 0,
                    _ => false,
                };
                if (!fine) throw Unsupported(node, $"attribute '{a.Name}' has no LstmSharp equivalent");
            }
            var layout = (int)(Attribute(node, "layout")?.I ?? 0);
            var x = Get(node.Input[0]) as Sequence;
            if (x is null || x.TimeMajor != (layout == 0)) throw Unsupported(node, $"an input X that is {Describe(Get(node.Input[0]))}");
            var w = Get(node.Input[1]) as Constant ?? throw Unsupported(node, "weights W that are not a constant");
            var r = Get(node.Input[2]) as Constant ?? throw Unsupported(node, "weights R that are not a constant");
            var b = Optional(node, 3) switch { null => null, Constant c => c, var v => throw Unsupported(node, $"a bias B that is {Describe(v)}") };
            if (Optional(node, 4) is { } lengths && lengths is not Ids { Stage: IdsStage.Lengths })
                throw Unsupported(node, "sequence_lens other than the count of non-zero token ids (give masks with an Embedding)");
            for (var i = 5; i <= 6; i++)
                if (Optional(node, i) is { } state and not Zeros)
                    throw Unsupported(node, $"an initial {(i == 5 ? "h" : "c")} that is not zeros");
            var p = Optional(node, 7) switch { null => null, Constant c => c, var v => throw Unsupported(node, $"peepholes P that are {Describe(v)}") };
            var direction = Attribute(node, "direction")?.S.ToStringUtf8() ?? "forward";
            var scoped = node.Name.Contains('/', StringComparison.Ordinal) ? node.Name
                : _producers.TryGetValue(node.Input[0], out var xNode) && xNode.StartsWith(KerasScope, StringComparison.Ordinal) ? xNode : node.Name;
            var recurrent = new OnnxRecurrentNode(node.OpType, Unique(scoped, node.OpType.ToLowerInvariant()), (int)(Attribute(node, "hidden_size")?.I ?? 0), direction,
                (Attribute(node, "linear_before_reset")?.I ?? 0) != 0, x.Symbol.Shape[^1], w.Data, r.Data, b?.Data, p?.Data);
            var sequences = node.Output.Count > 0 && node.Output[0].Length > 0 && _used.Contains(node.Output[0]);
            var layer = OnnxRecurrent.CreateLayer(recurrent, sequences);
            _weights.Add((layer, OnnxRecurrent.Weights(recurrent)));
            var (output, states) = layer switch
            {
                Bidirectional bi => bi.CallWithState(x.Symbol),
                Rnn rnn => rnn.CallWithState(x.Symbol),
                _ => throw new InvalidOperationException(),
            };
            var dirs = recurrent.Directions;
            var perDirection = states.Count / dirs;
            Symbol[] Pick(int s) => [.. Enumerable.Range(0, dirs).Select(d => states[d * perDirection + s])];
            Set(node,
                sequences ? new RecurrentY(output, dirs, direction == "reverse", Permuted: false, node.Name, Optional(node, 4) is null ? Pick(0) : null) : new Zeros(),
                new States(Pick(0), sequences ? null : output, BatchFirst: false),
                perDirection == 2 ? new States(Pick(1), null, BatchFirst: false) : new Zeros());
            // y[:, -1] of a forward layer without sequence_lens is its final h.
            if (sequences && dirs == 1 && direction == "forward" && Optional(node, 4) is null) _lastSteps[output] = states[0];
        }

        static IEnumerable<string> DefaultActivations(string op, int count)
        {
            string[] defaults = op switch
            {
                "LSTM" => ["Sigmoid", "Tanh", "Tanh", "Sigmoid", "Tanh", "Tanh"],
                "GRU" => ["Sigmoid", "Tanh", "Sigmoid", "Tanh"],
                _ => ["Tanh", "Tanh"],
            };
            return defaults.Take(count);
        }

        void Gemm(NodeProto node)
        {
            var alpha = Attribute(node, "alpha")?.F ?? 1f;
            var beta = Attribute(node, "beta")?.F ?? 1f;
            var transA = Attribute(node, "transA")?.I ?? 0;
            var transB = Attribute(node, "transB")?.I ?? 0;
            if (alpha != 1f || beta != 1f || transA != 0) throw Unsupported(node, "a Gemm with alpha, beta or transA other than 1, 1, 0");
            var x = Get(node.Input[0]);
            var w = Get(node.Input[1]) as Constant ?? throw Unsupported(node, "a Gemm whose B is not a constant weight");
            var bias = Optional(node, 2) switch { null => null, Constant c => c.Data, var v => throw Unsupported(node, $"a Gemm whose C is {Describe(v)}") };
            var (rows, cols) = ((int)w.Shape[0], (int)w.Shape[1]);
            var weight = transB != 0 ? w.Data : Transposed(w.Data, rows, cols);
            var units = transB != 0 ? rows : cols;
            if (bias is not null && bias.Length != units) throw Unsupported(node, $"a bias of {bias.Length} values for {units} outputs");
            Set(node, new PendingDense(Symbol(x, node), weight, units, transB != 0 ? cols : rows, bias, LayerName(node, node.Input[1])));
        }

        void Concat(NodeProto node)
        {
            var axis = Attribute(node, "axis")?.I ?? 0;
            var parts = node.Input.Select(i => Get(i)).ToArray();
            if (parts.All(p => p is Vector) && axis is 1 or -1)
            {
                Set(node, new Vector(new Concatenate(-1, Unique(node.Name, "concatenate")).Call([.. parts.Cast<Vector>().Select(v => v.Symbol)])));
                return;
            }
            // tf2onnx's Bidirectional(merge_mode="concat"): the two directions' sequences of one node, batch-first or
            // (once its transpose optimizer has moved the Transposes after the Concat) time-major.
            if (parts is [DirectionY { Squeezed: true, Direction: 0 } fw, DirectionY { Squeezed: true, Direction: 1 } bw]
                && fw.Y == bw.Y && fw.TimeMajor == bw.TimeMajor && axis is 2 or -1)
            {
                if (fw.Y.Reversed) throw Unsupported(node, "the sequence of a reverse-direction layer");
                Set(node, new Sequence(fw.Y.Output, fw.TimeMajor, LastStep: null));
                return;
            }
            if (parts.All(p => p is Sequence { TimeMajor: false }) && axis is 2 or -1)
            {
                Set(node, new Sequence(new Concatenate(-1, Unique(node.Name, "concatenate")).Call([.. parts.Cast<Sequence>().Select(v => v.Symbol)]), false, null));
                return;
            }
            throw Unsupported(node, $"a Concat on axis {axis} of {string.Join(", ", parts.Select(Describe))}");
        }

        /// <summary>The Linear layer made, with its activation; on a sequence it runs on every step.</summary>
        Value Dense(PendingDense d, Activation activation)
        {
            var dense = new Dense(d.Units, activation, d.Name);
            _weights.Add((dense, new() { ["weight"] = new Tensor(d.Weight, d.Units, d.Inputs), ["bias"] = new Tensor(d.Bias ?? new float[d.Units], d.Units) }));
            var y = dense.Call(d.Input);
            return y.Shape.Count == 2 ? new Sequence(y, TimeMajor: false, LastStep: null) : new Vector(y);
        }

        /// <summary>The symbol a value stands for, batch-first; a Linear layer still open is made here (no activation).</summary>
        Symbol SymbolOf(Value value, Func<string, Exception> refuse) => value switch
        {
            Sequence { TimeMajor: false } s => s.Symbol,
            Vector v => v.Symbol,
            PendingDense d => SymbolOf(Dense(d, Activation.Linear), refuse),
            _ => throw refuse(Describe(value)),
        };

        Symbol Symbol(Value value, NodeProto node) => SymbolOf(value, what => Unsupported(node, $"an input that is {what}"));

        static string Describe(Value value) => value switch
        {
            Sequence s => s.TimeMajor ? "a time-major sequence" : "a sequence",
            Vector => "a [batch, features] value",
            Constant c => $"a constant [{string.Join(", ", c.Shape)}]",
            DynamicShape => "shape arithmetic",
            Zeros => "zeros",
            RecurrentY => "a recurrent node's Y",
            States => "a recurrent node's final states",
            Ids => "token ids",
            DirectionY d => $"direction {d.Direction} of a bidirectional node's Y",
            Step => "one step of a sequence",
            Unreadable u => $"an unreadable tensor ({u.Reason})",
            PendingDense => "a Linear layer's output",
            _ => value.GetType().Name,
        };

        string LayerName(NodeProto node, string weight)
        {
            var dot = weight.LastIndexOf('.');
            var name = dot > 0 && !weight.StartsWith("onnx::", StringComparison.Ordinal) ? weight[..dot] : node.Name;
            return Unique(name, node.OpType.ToLowerInvariant());
        }

        /// <summary>A layer name from an ONNX name ("/lstm/LSTM_1" → "lstm"), unique in the model.</summary>
        string Unique(string onnxName, string fallback)
        {
            var parts = onnxName.Split('/', StringSplitOptions.RemoveEmptyEntries);
            // tf2onnx (Keras SavedModel): "StatefulPartitionedCall/<model>/<layer>/…" — the Keras layer's name.
            var stem = onnxName.StartsWith(KerasScope, StringComparison.Ordinal) && parts.Length >= 4 ? parts[2]
                : parts.Length > 1 ? string.Join('.', parts[..^1]) : parts.Length == 1 ? parts[0] : fallback;
            if (stem.Contains("__", StringComparison.Ordinal) && parts.Length == 1) stem = fallback;
            stem = new string([.. stem.Select(c => char.IsLetterOrDigit(c) || c is '_' or '.' ? c : '_')]).Trim('_', '.');
            if (stem.Length == 0) stem = fallback;
            var name = stem;
            for (var k = 1; !_names.Add(name); k++) name = $"{stem}_{k}";
            return name;
        }

        const string KerasScope = "StatefulPartitionedCall/";

        static float[] Transposed(float[] data, int rows, int cols)
        {
            var t = new float[data.Length];
            for (var i = 0; i < rows; i++)
                for (var j = 0; j < cols; j++) t[j * rows + i] = data[i * cols + j];
            return t;
        }

        long Scalar(NodeProto node, int input) => Ints(node, input) is [var v] ? v : throw Unsupported(node, $"input {input} is not a single number");

        long[] Ints(NodeProto node, int input) =>
            Get(node.Input[input]) is Constant c ? [.. c.Data.Select(v => (long)v)] : throw Unsupported(node, $"input {input} is not a constant");

        static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

        Constant ToConstant(TensorProto t)
        {
            var shape = t.Dims.ToArray();
            var count = (int)shape.Aggregate(1L, (a, d) => a * d);
            float[] data = (TensorProto.Types.DataType)t.DataType switch
            {
                TensorProto.Types.DataType.Float => t.FloatData.Count > 0 ? [.. t.FloatData] : Raw(t, 4, (s, i) => BitConverter.ToSingle(s.Slice(i, 4))),
                TensorProto.Types.DataType.Int64 => t.Int64Data.Count > 0 ? [.. t.Int64Data.Select(v => (float)v)] : Raw(t, 8, (s, i) => BitConverter.ToInt64(s.Slice(i, 8))),
                TensorProto.Types.DataType.Int32 => t.Int32Data.Count > 0 ? [.. t.Int32Data.Select(v => (float)v)] : Raw(t, 4, (s, i) => BitConverter.ToInt32(s.Slice(i, 4))),
                var other => throw new NotSupportedException($"{source}: tensor '{t.Name}' is of ONNX type {other}; OnnxImport reads float, int64 and int32 tensors."),
            };
            if (data.Length != count) throw new FormatException($"{source}: tensor '{t.Name}' holds {data.Length} values for shape [{string.Join(", ", shape)}].");
            return new Constant(data, shape);
        }

        static float[] Raw(TensorProto t, int size, Func<ReadOnlySpan<byte>, int, float> read)
        {
            var bytes = t.RawData.Span;
            var data = new float[bytes.Length / size];
            for (var i = 0; i < data.Length; i++) data[i] = read(bytes, i * size);
            return data;
        }
    }
}
