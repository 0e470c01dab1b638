// OnnxExport: a model as a standard ONNX graph (opset 14) with dynamic batch and sequence length.
// Recurrent layers become ONNX LSTM / GRU (linear_before_reset = 1, or 0 for the reset-before form) / RNN nodes, with our PyTorch-ordered
// gate blocks reordered to ONNX's (LSTM i, o, f, c; GRU z, r, h; peepholes i, o, f). Embedding id-0 padding
// becomes sequence_lens (the count of non-zero ids, so right padding only), as does an optional lengths input; a
// graph input that only Embeddings read takes int64 token ids.
using Google.Protobuf;
using LstmSharp.Data;
using LstmSharp.Forecasting;
using LstmSharp.IO;
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

    /// <summary>Writes the ONNX model to <paramref name="path"/>, atomically (see <see cref="Model.Save"/>).</summary>
    /// <exception cref="NotSupportedException">A layer or option has no ONNX form here; the message names it; nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written; an existing one is left as it was.</exception>
    public static void Save(Model model, string path, bool lengthsInput = false) => Write(path, ToBytes(model, lengthsInput));

    /// <summary>
    /// The ONNX model as bytes, a walk over the model's graph: one graph input per model input and one graph output
    /// per model output, named as the model's symbols (a Sequential's are <c>input</c> and <c>output</c>; every
    /// intermediate value is named after its symbol too), batch and time dynamic. An input that only Embedding layers
    /// read holds token ids as int64 (what Gather and tokenizers use); every other input is float. With
    /// <paramref name="lengthsInput"/> the graph takes an extra input <c>lengths</c> (int32 <c>[batch]</c>), the real
    /// length of each sample of the first input, as <see cref="FitOptions.Lengths"/> and <c>Predict(x, lengths: …)</c>
    /// do. Recurrent initial and final states are values like any other. A stateful recurrent layer
    /// (<see cref="Layers.RnnOptions.Stateful"/>) is exported as an ordinary one: every run starts from a zero state
    /// unless its initial state is an input.
    /// </summary>
    public static byte[] ToBytes(Model model, bool lengthsInput = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new Graph();
        var values = new Dictionary<Symbol, string>();
        var lengths = new Dictionary<Symbol, string?>();
        foreach (var input in model.Inputs)
        {
            values[input] = g.Unique(input.Name);
            // Token ids are int64, as Gather and every tokenizer's output are; an input with another use stays float.
            var ids = OnlyEmbeddingsRead(model, input);
            if (ids) g.Ids.Add(values[input]);
            g.Proto.Input.Add(Info(values[input], Dims(input.Shape, model.Inputs.Count == 1 ? "" : values[input] + "_"),
                ids ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float));
            lengths[input] = null;
        }
        if (lengthsInput)
        {
            var name = g.Unique("lengths");
            g.Proto.Input.Add(Info(name, [Dim("batch")], TensorProto.Types.DataType.Int32));
            lengths[model.Inputs[0]] = name;
        }
        // Graph outputs keep their names: they are taken before any intermediate value is named.
        foreach (var output in model.Outputs)
        {
            if (output is Input) throw new NotSupportedException($"Output '{output.Name}' is a model input; ONNX export needs every output computed by a layer.");
            g.Reserve(output);
        }
        Walk(g, model, values, lengths);
        foreach (var output in model.Outputs) g.Proto.Output.Add(Info(values[output], Dims(output.Shape, values[output] + "_")));
        return g.ToBytes();
    }

    /// <summary>Writes the forecaster, its preprocessing in the graph (see <see cref="ToBytes(Forecaster)"/>), to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form here; the message names it; nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written; an existing one is left as it was.</exception>
    public static void Save(Forecaster forecaster, string path) => Write(path, ToBytes(forecaster));

    static void Write(string path, byte[] onnx)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, file => file.Write(onnx));
    }

    /// <summary>
    /// The forecaster as an ONNX model that takes raw values and gives forecasts in the target's units, as
    /// <see cref="Forecaster.Forecast"/> does: input <c>history</c> <c>[batch, HistoryNeeded, columns]</c> (the last
    /// rows before each origin, the target first), output <c>forecast</c> <c>[batch, horizon]</c>. In the graph: the
    /// target's transform (differences, of logarithms for log-difference, since a season before for seasonal differences), every column's scaler, the network —
    /// unrolled once per step for the recursive strategy, each forecast becoming the newest input step — the
    /// target's scaler undone, and the differences summed back (CumSum) from the last observed value (seasonal ones season over season, <see cref="SeasonalSums"/>).
    /// A global forecaster (<see cref="Forecaster.Series"/>) takes a second input <c>series</c> <c>[batch]</c> (int64): each
    /// sample's index in <see cref="Forecaster.Series"/>, which picks its row of the scaler tables in the graph (ONNX's
    /// Gather: an index in [0, series); a negative one counts from the end, as in NumPy).
    /// A quantile forecaster's <c>forecast</c> is the medians, and a second output <c>quantiles</c> <c>[batch, horizon, quantiles]</c>
    /// holds every quantile, sorted at every step (<see cref="QuantileOutputs"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form here; the message names it.</exception>
    public static byte[] ToBytes(Forecaster forecaster)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        var o = forecaster.Options;
        if (o.FutureInputs > 0)
            throw new NotSupportedException($"A forecaster with future inputs ({string.Join(", ", forecaster.Columns.TakeLast(o.FutureInputs))}) has no ONNX form with its preprocessing here yet; export the network alone.");
        if (o.UsesCalendar)
            throw new NotSupportedException($"A forecaster with calendar features ({ForecastCalendar.Name(o.Calendar)}{(o.Holidays.Count > 0 ? ", holidays" : "")}) has no ONNX form with its preprocessing here yet; export the network alone.");
        int n = forecaster.HistoryNeeded, columns = forecaster.Columns.Count, lookback = o.Lookback;
        var g = new Graph();
        var history = g.Unique("history");
        var forecast = g.Unique("forecast");
        g.Proto.Input.Add(Info(history, [Dim("batch"), Dim(n), Dim(columns)]));
        var global = forecaster.Series.Count > 0;
        string? series = null;
        if (global)
        {
            series = g.Unique("series");
            g.Proto.Input.Add(Info(series, [Dim("batch")], TensorProto.Types.DataType.Int64));
        }

        // window [B, lookback, columns] = the scaled model input: the target transformed, the other columns' last rows.
        var target = g.Slice(history, 0, 1, 2);                                               // [B, n, 1]
        var level = o.Transform == SeriesTransform.LogDifference ? g.Node("Log", [target]) : target;
        var lag = n - lookback;   // 1 for differences, a season for seasonal differences
        var z = lag == 0 ? level : g.Node("Sub", [g.Slice(level, lag, n, 1), g.Slice(level, 0, n - lag, 1)]);
        if (columns > 1) z = g.Node("Concat", [z, g.Slice(g.Slice(history, 1, columns, 2), n - lookback, n, 1)], [("axis", 2L)]);
        // The scalers: constants [columns] for one series; for a global forecaster a table [series, columns] whose rows
        // each sample's series picks, [B, 1, columns].
        var terms = forecaster.SeriesScalers.Select(one => one.Select(ScalerTerms).ToArray()).ToArray();
        var (offset, scale) = (Table("scaler.offset", t => t.Offset), Table("scaler.scale", t => t.Scale));
        string Table(string name, Func<(float Offset, float Scale), float> part)
        {
            if (!global) return g.Const(name, new Tensor([.. terms[0].Select(part)], columns));
            var rows = g.Node("Gather", [g.Const(name, new Tensor([.. terms.SelectMany(one => one.Select(part))], terms.Length, columns)), series!], [("axis", 0L)]);
            return g.Node("Unsqueeze", [rows, g.Const("axes1", new long[] { 1 })]);
        }
        var window = g.Node("Div", [g.Node("Sub", [z, offset]), scale]);
        // The target's scaler as the outputs [B, steps(, quantiles)] need it: [1] for one series, [B, 1] or [B, 1, 1] for many.
        string TargetTerm(string table, string name, float value, int rank) => !global ? g.Const(name, new Tensor([value], 1))
            : rank == 3 ? g.Slice(table, 0, 1, 2) : g.Node("Squeeze", [g.Slice(table, 0, 1, 2), g.Const("axes2", new long[] { 2 })]);

        // steps [B, horizon]: the network's outputs, still scaled and transformed.
        string steps;
        if (o.Strategy == ForecastStrategy.Direct)
        {
            steps = Network(g, forecaster.Model, window);
        }
        else
        {
            var each = new List<string>();
            for (var k = 0; k < o.Horizon; k++)
            {
                each.Add(Network(g, forecaster.Model, window));   // [B, 1]
                if (k + 1 < o.Horizon)
                    window = g.Node("Concat", [g.Slice(window, 1, lookback, 1), g.Node("Unsqueeze", [each[^1], g.Const("axes2", new long[] { 2 })])], [("axis", 1L)]);
            }
            steps = each.Count == 1 ? each[0] : g.Node("Concat", [.. each], [("axis", 1L)]);
        }
        var last = g.Node("Squeeze", [g.Slice(target, n - 1, n, 1), g.Const("axes2", new long[] { 2 })]);   // [B, 1]
        if (o.Quantiles.Count > 0)
        {
            QuantileOutputs(g, o, steps, g.Node("Squeeze", [target, g.Const("axes2", new long[] { 2 })]), last, n,
                TargetTerm(offset, "target.offset", terms[0][0].Offset, 3), TargetTerm(scale, "target.scale", terms[0][0].Scale, 3), forecast);
            return g.ToBytes();
        }
        var values = g.Node("Add", [g.Node("Mul", [steps, TargetTerm(scale, "target.scale", terms[0][0].Scale, 2)]), TargetTerm(offset, "target.offset", terms[0][0].Offset, 2)]);
        values = o.Transform switch
        {
            SeriesTransform.Difference => g.Node("Add", [last, g.Node("CumSum", [values, g.Scalar("time_axis", 1)])]),
            SeriesTransform.LogDifference => g.Node("Mul", [last, g.Node("Exp", [g.Node("CumSum", [values, g.Scalar("time_axis", 1)])])]),
            SeriesTransform.SeasonalDifference => SeasonalSums(g, values, target, n, o.Season, o.Horizon),
            _ => values,
        };
        g.Node("Identity", [values], output: forecast);
        g.Proto.Output.Add(Info(forecast, [Dim("batch"), Dim(o.Horizon)]));
        return g.ToBytes();
    }

    /// <summary>
    /// A quantile forecaster's outputs from the network's <paramref name="steps"/> [B, horizon · quantiles] — each the
    /// scaled sum of the transformed steps since the step's anchor (<see cref="Forecaster.CumulativeTerms"/>): unscaled as
    /// a sum of m terms (scale · z + m · offset), added to the anchor (the last value; for seasonal differences the same
    /// season's last value; times the exponential for log differences), sorted at every step (TopK), as
    /// <see cref="Forecaster.ForecastQuantiles"/> gives them. Outputs <c>forecast</c> [B, horizon] (the medians) and
    /// <c>quantiles</c> [B, horizon, quantiles].
    /// </summary>
    static void QuantileOutputs(Graph g, ForecastOptions o, string steps, string target, string last, int n, string targetOffset, string targetScale, string forecast)
    {
        int h = o.Horizon, q = o.Quantiles.Count;
        var counts = Forecaster.CumulativeTerms(o).Select(t => t.Length).ToArray();
        var byStep = g.Node("Reshape", [steps, g.Const("by_quantile", new long[] { 0, h, q })]);
        var change = g.Node("Add", [g.Node("Mul", [byStep, targetScale]),
            g.Node("Mul", [g.Const("quantile.terms", new Tensor([.. counts.Select(m => (float)m)], h, 1)), targetOffset])]);
        // The anchor of each step, [B, horizon, 1] (or [B, 1, 1] when every step has the last value).
        var anchor = o.Transform == SeriesTransform.SeasonalDifference
            ? g.Node("Gather", [target, g.Const("season_anchors", [.. Enumerable.Range(0, h).Select(k => (long)(n - o.Season + k % o.Season))])], [("axis", 1L)])
            : last;
        anchor = g.Node("Unsqueeze", [anchor, g.Const("axes2", new long[] { 2 })]);
        var values = o.Transform switch
        {
            SeriesTransform.None => change,
            SeriesTransform.LogDifference => g.Node("Mul", [anchor, g.Node("Exp", [change])]),
            _ => g.Node("Add", [anchor, change]),
        };
        var quantiles = g.Unique("quantiles");
        g.Node("TopK", [values, g.Const("quantile_count", new long[] { q })], [("axis", 2L), ("largest", 0L), ("sorted", 1L)], outputs: [quantiles, g.Unique("quantile_order")]);
        g.Node("Gather", [quantiles, g.Scalar("median", o.Quantiles.ToList().IndexOf(0.5f))], [("axis", 2L)], output: forecast);
        g.Proto.Output.Add(Info(forecast, [Dim("batch"), Dim(h)]));
        g.Proto.Output.Add(Info(quantiles, [Dim("batch"), Dim(h), Dim(q)]));
    }

    /// <summary>
    /// Seasonal differences <paramref name="changes"/> [B, horizon] summed back into values: step k is the history's value
    /// of the same season (row n − s + k mod s) plus the changes of steps k, k − s, k − 2s, … ≥ 0 — the changes padded to
    /// whole seasons, summed season over season (CumSum over [B, seasons, s]), added to the last season tiled.
    /// </summary>
    static string SeasonalSums(Graph g, string changes, string target, int n, int season, int horizon)
    {
        int rounds = (horizon + season - 1) / season, padded = rounds * season;
        var d = padded == horizon ? changes : g.Node("Pad", [changes, g.Const("season_pads", new long[] { 0, 0, 0, padded - horizon })]);
        var sums = g.Node("CumSum", [g.Node("Reshape", [d, g.Const("by_season", new long[] { 0, rounds, season })]), g.Scalar("season_axis", 1)]);
        sums = g.Node("Reshape", [sums, g.Const("by_step", new long[] { 0, padded })]);
        var lastSeason = g.Node("Squeeze", [g.Slice(target, n - season, n, 1), g.Const("axes2", new long[] { 2 })]);   // [B, s]
        var anchors = rounds == 1 ? lastSeason : g.Node("Tile", [lastSeason, g.Const("season_repeats", new long[] { 1, rounds })]);
        var values = g.Node("Add", [anchors, sums]);
        return padded == horizon ? values : g.Slice(values, 0, horizon, 1);
    }

    /// <summary>A scaler as x ↦ (x − Offset) / Scale.</summary>
    static (float Offset, float Scale) ScalerTerms(IScaler scaler) => scaler switch
    {
        StandardScaler s => (s.Mean, s.Std),
        MinMaxScaler m => (m.Min, m.Max - m.Min),
        _ => throw new NotSupportedException($"The scaler {scaler.GetType().Name} has no ONNX form."),
    };

    /// <summary>The nodes of a one-input, one-output network reading <paramref name="input"/>; returns its output value.</summary>
    static string Network(Graph g, Model model, string input)
    {
        var values = new Dictionary<Symbol, string> { [model.Inputs[0]] = input };
        var lengths = new Dictionary<Symbol, string?> { [model.Inputs[0]] = null };
        Walk(g, model, values, lengths);
        return values[model.Outputs[0]];
    }

    /// <summary>True when every layer that reads <paramref name="input"/> of <paramref name="model"/> is an Embedding (inside nested models too).</summary>
    static bool OnlyEmbeddingsRead(Model model, Symbol input)
    {
        var readers = model.Nodes.SelectMany(n => Enumerable.Range(0, n.Inputs.Length).Where(i => n.Inputs[i] == input).Select(i => (Node: n, Index: i))).ToArray();
        return readers.Length > 0 && readers.All(r => r.Node.Layer switch
        {
            Embedding => true,
            Model inner => OnlyEmbeddingsRead(inner, inner.Inputs[r.Index]),
            _ => false,
        });
    }

    /// <summary>
    /// The batch axis, then one sample's axes; a −1 becomes <c>{prefix}time</c> for the first axis and <c>{prefix}d{i}</c>
    /// otherwise (each input and output its own, since their lengths may differ).
    /// </summary>
    static List<TensorShapeProto.Types.Dimension> Dims(IReadOnlyList<int> shape, string prefix)
    {
        var dims = new List<TensorShapeProto.Types.Dimension> { Dim("batch") };
        dims.AddRange(shape.Select((d, i) => d < 0 ? Dim(i == 0 ? prefix + "time" : $"{prefix}d{i}") : Dim(d)));
        return dims;
    }

    /// <summary>
    /// Emits the nodes of every layer call in order; <paramref name="values"/> maps each symbol to its value name and
    /// <paramref name="lengths"/> to the sequence_lens (real steps per sample) that go with it, as masks go with symbols.
    /// </summary>
    static void Walk(Graph g, Model model, Dictionary<Symbol, string> values, Dictionary<Symbol, string?> lengths)
    {
        foreach (var node in model.Nodes)
        {
            var layer = node.Layer;
            var ins = node.Inputs.Select(s => values[s]).ToArray();
            var len = lengths[node.Inputs[0]];
            string[] outs;
            switch (layer)
            {
                case Model inner:
                    for (var i = 0; i < inner.Inputs.Count; i++)
                    {
                        values[inner.Inputs[i]] = ins[i];
                        lengths[inner.Inputs[i]] = lengths[node.Inputs[i]];
                    }
                    Walk(g, inner, values, lengths);
                    for (var k = 0; k < inner.Outputs.Count; k++) lengths[node.Outputs[k]] = lengths[inner.Outputs[k]];
                    Name(g, node, [.. inner.Outputs.Select(o => values[o])], values);
                    continue;
                case Embedding embedding:
                    var ids = g.Ids.Contains(ins[0]) ? ins[0] : g.Node("Cast", [ins[0]], [("to", (long)TensorProto.Types.DataType.Int64)]);
                    if (embedding.MaskZero) len = g.Lengths(ids);
                    outs = [g.Node("Gather", [g.Const(embedding.Name + ".weight", embedding.Parameters[0].Value), ids])];
                    break;
                case Bidirectional bi:
                    outs = Recurrent(g, [bi.ForwardLayer, bi.BackwardLayer], bi.Name, ins[0], len, bi.Merge, ins[1..]);
                    if (!bi.ForwardLayer.Options.ReturnSequences) len = null;
                    break;
                case Rnn rnn:
                    outs = Recurrent(g, [rnn], rnn.Name, ins[0], len, MergeMode.Concat, ins[1..]);
                    if (!rnn.Options.ReturnSequences) len = null;
                    break;
                case Dense dense:
                    outs = [DenseNodes(g, dense, layer.Name, ins[0])];
                    if (node.Inputs[0].Shape.Count != 2) len = null;
                    break;
                case TimeDistributed { Inner: Dense inner }:
                    outs = [DenseNodes(g, inner, layer.Name, ins[0])];
                    break;
                case Dropout: // SpatialDropout1D too: dropout does nothing at inference
                    outs = [ins[0]];
                    break;
                case Attention attention:
                    outs = AttentionNodes(g, attention, ins, lengths[node.Inputs[0]], lengths[node.Inputs[1]]);
                    break;
                case Concatenate concatenate:
                    var joinsTime = (concatenate.Axis < 0 ? node.Inputs[0].Shape.Count + 1 + concatenate.Axis : concatenate.Axis) == 1;
                    if (joinsTime && node.Inputs.Any(s => lengths[s] is not null))
                        throw new NotSupportedException($"Layer '{layer.Name}' joins padded sequences along time, which is not exported.");
                    outs = [g.Node("Concat", ins, [("axis", (long)concatenate.Axis)])];
                    len = JointLengths(g, node.Inputs.Select(s => lengths[s]));
                    break;
                case Layers.Add:
                    outs = [g.Node("Sum", ins)];
                    len = JointLengths(g, node.Inputs.Select(s => lengths[s]));
                    break;
                case Multiply:
                    outs = [ins.Skip(1).Aggregate(ins[0], (a, b) => g.Node("Mul", [a, b]))];
                    len = JointLengths(g, node.Inputs.Select(s => lengths[s]));
                    break;
                case Average:
                    outs = [g.Node("Mean", ins)];
                    len = JointLengths(g, node.Inputs.Select(s => lengths[s]));
                    break;
                case RepeatVector repeat:
                    var column = g.Node("Unsqueeze", [ins[0], g.Const($"{layer.Name}.axis", new long[] { 1 })]);
                    outs = [g.Node("Tile", [column, g.Const($"{layer.Name}.repeats", new long[] { 1, repeat.Count, 1 })])];
                    len = null;
                    break;
                case Flatten:
                    outs = [g.Node("Flatten", ins, [("axis", 1L)])];
                    len = null;
                    break;
                case Reshape reshape:
                    outs = [g.Node("Reshape", [ins[0], g.Const($"{layer.Name}.shape", [0, .. reshape.TargetShape.Select(d => (long)d)])])];
                    len = null;
                    break;
                case GlobalPooling1D pooling:
                    outs = [PoolingNodes(g, pooling, ins[0], len)];
                    len = null;
                    break;
                default:
                    throw new NotSupportedException($"Layer '{layer.Name}' ({layer.GetType().Name}) has no ONNX export.");
            }
            lengths[node.Outputs[0]] = len;
            for (var k = 1; k < node.Outputs.Length; k++) lengths[node.Outputs[k]] = null;
            Name(g, node, outs, values);
        }
    }

    /// <summary>
    /// A global pooling over time as ReduceMax or ReduceMean, or, for padded sequences, over the steps before each
    /// sample's length: the maximum of the real steps (padded ones replaced by −∞ first) and their sum over their
    /// count; a sample without real steps pools to zeros, as the layer does.
    /// </summary>
    static string PoolingNodes(Graph g, GlobalPooling1D pooling, string x, string? lengths)
    {
        var name = pooling.Name;
        var max = pooling is GlobalMaxPooling1D;
        if (lengths is null) return g.Node(max ? "ReduceMax" : "ReduceMean", [x], [("axes", new long[] { 1 }), ("keepdims", 0L)]);
        var keep = g.Node("Unsqueeze", [g.StepsBefore(x, lengths), g.Const($"{name}.axis2", new long[] { 2 })]);   // [B, T, 1]
        var axis1 = g.Const($"{name}.axis1", new long[] { 1 });
        if (max)
        {
            var largest = g.Node("ReduceMax", [g.Node("Where", [keep, x, g.Const($"{name}.lowest", new Tensor([float.NegativeInfinity], 1))])], [("axes", new long[] { 1 }), ("keepdims", 0L)]);
            var any = g.Node("Unsqueeze", [g.Node("Greater", [lengths, g.Int32($"{name}.zero", 0)]), axis1]);   // [B, 1]
            return g.Node("Where", [any, largest, g.Const($"{name}.zeros", new Tensor([0f], 1))]);
        }
        var kept = g.Node("Mul", [x, g.Node("Cast", [keep], [("to", (long)TensorProto.Types.DataType.Float)])]);
        var sum = g.Node("ReduceSum", [kept, axis1], [("keepdims", 0L)]);
        var count = g.Node("Max", [g.Node("Cast", [lengths], [("to", (long)TensorProto.Types.DataType.Float)]), g.Const($"{name}.one", new Tensor([1f], 1))]);
        return g.Node("Div", [sum, g.Node("Unsqueeze", [count, axis1])]);
    }

    /// <summary>
    /// Attention as MatMul, Tanh and a softmax over the real value steps: scores with the trained scale folded in,
    /// padded (and, when causal, future) value steps excluded so their weight is exactly 0 and a row with nothing
    /// to attend to gives zeros, the context zero at padded query steps. Returns the context (and the weights).
    /// </summary>
    static string[] AttentionNodes(Graph g, Attention attention, string[] ins, string? queryLengths, string? valueLengths)
    {
        var name = attention.Name;
        var (q, v) = (ins[0], ins[1]);
        var k = ins.Length == 3 ? ins[2] : v;
        var kT = g.Node("Transpose", [k], [("perm", new long[] { 0, 2, 1 })]);
        string raw;
        switch (attention.Options.Score)
        {
            case AttentionScore.Dot:
                raw = g.Node("MatMul", [q, kT]);
                break;
            case AttentionScore.General:
                raw = g.Node("MatMul", [g.Node("MatMul", [q, g.Const($"{name}.weight", attention.Weight("weight")!)]), kT]);
                break;
            default:
                // tanh(U_i + Z_j) [B, Tq, Tv, A] · v [A, 1]; Concat projects first, Additive adds the inputs themselves.
                string u = q, z = k;
                Tensor weights;
                if (attention.Options.Score == AttentionScore.Concat)
                {
                    u = g.Node("MatMul", [q, g.Const($"{name}.weight_query_t", Transposed(attention.Weight("weight_query")!))]);
                    z = g.Node("MatMul", [k, g.Const($"{name}.weight_key_t", Transposed(attention.Weight("weight_key")!))]);
                    weights = attention.Weight("v")!;
                }
                else
                {
                    weights = attention.Weight("scale")!;
                }
                var sum = g.Node("Add", [g.Node("Unsqueeze", [u, g.Const($"{name}.axis2", new long[] { 2 })]), g.Node("Unsqueeze", [z, g.Const($"{name}.axis1", new long[] { 1 })])]);
                var column = g.Const($"{name}.v", new Tensor(weights.ToArray(), weights.Length, 1));
                raw = g.Node("Squeeze", [g.Node("MatMul", [g.Node("Tanh", [sum]), column]), g.Const($"{name}.axis3", new long[] { 3 })]);
                break;
        }
        var scores = g.Node("Mul", [raw, g.Const($"{name}.factor", new Tensor([attention.Factor], 1))]);

        // keep [B or 1, Tq or 1, Tv]: real value steps, and j ≤ i when causal.
        string? keep = valueLengths is null ? null : g.Node("Unsqueeze", [g.StepsBefore(v, valueLengths), g.Const($"{name}.axis1k", new long[] { 1 })]);
        if (attention.Options.Causal)
        {
            var i = g.Node("Unsqueeze", [g.Positions(q), g.Const($"{name}.axis1c", new long[] { 1 })]);   // [Tq, 1]
            var j = g.Node("Unsqueeze", [g.Positions(v), g.Const($"{name}.axis0c", new long[] { 0 })]);   // [1, Tv]
            var causal = g.Node("Unsqueeze", [g.Node("Not", [g.Node("Greater", [j, i])]), g.Const($"{name}.axis0b", new long[] { 0 })]);
            keep = keep is null ? causal : g.Node("And", [keep, causal]);
        }
        string probabilities;
        if (keep is null)
        {
            probabilities = g.Node("Softmax", [scores], [("axis", -1L)]);
        }
        else
        {
            var max = g.Node("ReduceMax", [g.Node("Where", [keep, scores, g.Const($"{name}.low", new Tensor([-1e30f], 1))])], [("axes", new long[] { -1 }), ("keepdims", 1L)]);
            var e = g.Node("Exp", [g.Node("Where", [keep, g.Node("Sub", [scores, max]), g.Const($"{name}.minus_inf", new Tensor([float.NegativeInfinity], 1))])]);
            var total = g.Node("ReduceSum", [e, g.Const($"{name}.last", new long[] { -1 })], [("keepdims", 1L)]);
            probabilities = g.Node("Div", [e, g.Node("Max", [total, g.Const($"{name}.tiny", new Tensor([1e-30f], 1))])]);
        }
        var context = g.Node("MatMul", [probabilities, v]);
        if (queryLengths is not null)
        {
            var real = g.Node("Cast", [g.StepsBefore(q, queryLengths)], [("to", (long)TensorProto.Types.DataType.Float)]);
            context = g.Node("Mul", [context, g.Node("Unsqueeze", [real, g.Const($"{name}.axis2q", new long[] { 2 })])]);
        }
        return attention.Options.ReturnAttentionScores ? [context, probabilities] : [context];
    }

    static Tensor Transposed(Tensor w)
    {
        var t = Tensor.Zeros(w.Dim(1), w.Dim(0));
        for (var o = 0; o < w.Dim(0); o++)
            for (var i = 0; i < w.Dim(1); i++) t.Span[i * w.Dim(0) + o] = w.Span[o * w.Dim(1) + i];
        return t;
    }

    /// <summary>Gives each output of a call its symbol's name (an Identity, which runtimes fold away).</summary>
    static void Name(Graph g, Node node, string[] outs, Dictionary<Symbol, string> values)
    {
        for (var k = 0; k < node.Outputs.Length; k++)
            values[node.Outputs[k]] = g.Node("Identity", [outs[k]], output: g.NameOf(node.Outputs[k]));
    }

    /// <summary>The lengths that go with merged inputs: the shortest, as the AND of right-padded masks.</summary>
    static string? JointLengths(Graph g, IEnumerable<string?> all)
    {
        var distinct = all.Where(l => l is not null).Distinct().ToArray();
        return distinct.Length switch { 0 => null, 1 => distinct[0], _ => g.Node("Min", distinct!) };
    }

    static string DenseNodes(Graph g, Dense dense, string name, string current)
    {
        var y = g.Node("Add", [g.Node("MatMul", [current, g.Const(name + ".weight_t", Transposed(dense.Parameters[0].Value))]), g.Const(name + ".bias", dense.Parameters[1].Value)]);
        return dense.Activation switch
        {
            Activation.Relu => g.Node("Relu", [y]),
            Activation.Tanh => g.Node("Tanh", [y]),
            Activation.Sigmoid => g.Node("Sigmoid", [y]),
            Activation.Softmax => g.Node("Softmax", [y], [("axis", -1L)]),
            _ => y,
        };
    }

    /// <summary>
    /// One ONNX recurrent node for one layer, or for a Bidirectional pair (forward, backward); returns the output
    /// then the final states ([B, H] each: h, c per direction), from <paramref name="states"/> when given.
    /// </summary>
    static string[] Recurrent(Graph g, Rnn[] layers, string name, string current, string? lengths, MergeMode merge, string[] states)
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
        if (first.Options is { ZeroOutputForMask: false, ReturnSequences: true } && lengths is not null)
        {
            throw new NotSupportedException(
                $"Layer '{name}' repeats its last output at padded steps (ZeroOutputForMask = false); ONNX's {op} writes zeros there. Export it with ZeroOutputForMask = true.");
        }
        // Without biases (UseBias = false) the optional B input is left out: ONNX reads it as zeros.
        var b = first.Options.UseBias
            ? g.Const($"{name}.B", new Tensor([.. layers.SelectMany(l => Reorder(Param(l, "bias_ih_l0"), order).Concat(Reorder(Param(l, "bias_hh_l0"), order)))], dirs, 2 * gates * H))
            : "";
        var inputs = new List<string> { g.Node("Transpose", [current], [("perm", new long[] { 1, 0, 2 })]), w, r, b, lengths ?? "" };
        var perDirection = first.StateCount;
        // Our states are per direction [h, (c)] × dirs, each [B, H]; ONNX wants initial_h (and initial_c) [dirs, B, H].
        string Stack(int s) => dirs == 1
            ? g.Node("Unsqueeze", [states[s], g.Const($"{name}.axis0_{s}", new long[] { 0 })])
            : g.Node("Concat", [.. Enumerable.Range(0, dirs).Select(d => g.Node("Unsqueeze", [states[d * perDirection + s], g.Const($"{name}.axis0_{d}_{s}", new long[] { 0 })]))], [("axis", 0L)]);
        if (states.Length > 0)
        {
            inputs.Add(Stack(0));
            if (perDirection == 2) inputs.Add(Stack(1));
        }
        if (first is Lstm { LstmOptions.Peepholes: true })
        {
            while (inputs.Count < 7) inputs.Add("");
            inputs.Add(g.Const($"{name}.P", new Tensor([.. layers.SelectMany(l => Reorder(Param(l, "weight_peephole_l0"), PeepholeOrder))], dirs, 3 * H)));
        }
        while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
        var direction = bidirectional ? "bidirectional" : first.Options.GoBackwards ? "reverse" : "forward";
        var attributes = new List<(string, object)> { ("hidden_size", (long)H), ("direction", direction) };
        if (first is Gru gru) attributes.Add(("linear_before_reset", gru.ResetAfter ? 1L : 0L));
        var y = g.Fresh();
        var yh = g.Fresh();
        var yc = perDirection == 2 ? g.Fresh() : null;
        g.Node(op, [.. inputs], [.. attributes], outputs: yc is null ? [y, yh] : [y, yh, yc]);
        // Final states: Y_h (and Y_c) [dirs, B, H] → one [B, H] per direction, ordered as ours (h, c per direction).
        var finals = new string[dirs * perDirection];
        for (var d = 0; d < dirs; d++)
        {
            for (var s = 0; s < perDirection; s++)
            {
                var all = s == 0 ? yh : yc!;
                var one = dirs == 1 ? all : g.Node("Slice", [all, g.Const($"{name}.from{d}", new long[] { d }), g.Const($"{name}.to{d}", new long[] { d + 1 }), g.Const($"{name}.axes0", new long[] { 0 })]);
                finals[d * perDirection + s] = g.Node("Squeeze", [one, g.Const($"{name}.squeeze{d}_{s}", new long[] { 0 })]);
            }
        }
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
            return [g.Node("Transpose", [merged], [("perm", new long[] { 1, 0, 2 })]), .. finals];
        }
        // Y_h [dirs, B, H] → [B, dirs·H]
        var bh = g.Node("Transpose", [yh], [("perm", new long[] { 1, 0, 2 })]);
        return [g.Node("Reshape", [bh, g.Const($"{name}.shape", new long[] { 0, -1 })]), .. finals];
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

        readonly HashSet<string> _names = [];

        public string Fresh() => Unique("v");

        readonly Dictionary<Symbol, string> _reserved = [];

        /// <summary>Takes the value name of a graph output before the walk, so no intermediate value can take it.</summary>
        public void Reserve(Symbol output)
        {
            var name = Unique(output.Name);
            if (name != Clean(output.Name))
                throw new NotSupportedException($"Two graph inputs or outputs would both be named '{Clean(output.Name)}' in ONNX; give output '{output.Name}' another name.");
            _reserved[output] = name;
        }

        /// <summary>The value name of a symbol: its reserved name, or a fresh one from its name.</summary>
        public string NameOf(Symbol symbol) => _reserved.TryGetValue(symbol, out var name) ? name : Unique(symbol.Name);

        /// <summary>Letters, digits and _ kept, ':' (an output index, <c>lstm:1</c>) as <c>__</c>, anything else as _.</summary>
        static string Clean(string name)
        {
            var clean = name.Replace(":", "__", StringComparison.Ordinal);
            clean = new string([.. clean.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_')]);
            return clean.Length == 0 || char.IsAsciiDigit(clean[0]) ? "v" + clean : clean;
        }

        /// <summary>A value name not used yet: <paramref name="name"/> cleaned (see <see cref="Clean"/>), with a suffix if taken.</summary>
        public string Unique(string name)
        {
            var clean = Clean(name);
            var unique = clean;
            while (!_names.Add(unique)) unique = $"{clean}_{_next++}";
            return unique;
        }

        public string Const(string name, Tensor value)
        {
            var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.Add(value.Shape.ToArray().Select(d => (long)d));
            t.FloatData.Add(value.ToArray());
            return Initializer(name, t);
        }

        public string Const(string name, long[] values)
        {
            var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(values.Length);
            t.Int64Data.Add(values);
            return Initializer(name, t);
        }

        /// <summary>An int64 scalar (a 0-d tensor, as CumSum's axis).</summary>
        public string Scalar(string name, long value)
        {
            var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Int64Data.Add(value);
            return Initializer(name, t);
        }

        readonly Dictionary<string, string> _initializers = [];

        /// <summary>
        /// Adds <paramref name="t"/> under a fresh name from <paramref name="name"/>, or returns the initializer asked
        /// for under the same name with the same contents before (so the steps of an unrolled network share weights).
        /// </summary>
        string Initializer(string name, TensorProto t)
        {
            var key = name + "\n" + Convert.ToBase64String(t.ToByteArray());
            if (_initializers.TryGetValue(key, out var existing)) return existing;
            t.Name = Unique(name);
            Proto.Initializer.Add(t);
            _initializers[key] = t.Name;
            return t.Name;
        }

        /// <summary>Elements [from, to) of axis <paramref name="axis"/>.</summary>
        public string Slice(string x, long from, long to, long axis) =>
            Node("Slice", [x, Const("from", new long[] { from }), Const("to", new long[] { to }), Const("axis", new long[] { axis })]);

        /// <summary>The ONNX model of this graph (IR 8, opset <see cref="Opset"/>) as bytes.</summary>
        public byte[] ToBytes()
        {
            var proto = new ModelProto { IrVersion = 8, ProducerName = "LstmSharp", Graph = Proto };
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
            return proto.ToByteArray();
        }

        /// <summary>The graph inputs that hold token ids (int64).</summary>
        public HashSet<string> Ids { get; } = [];

        /// <summary>sequence_lens [batch] (int32) = the number of non-zero ids per row of <paramref name="ids"/> (int64).</summary>
        public string Lengths(string ids)
        {
            var zero = Node("Equal", [ids, Const("zero", new long[] { 0 })]);
            var real = Node("Cast", [Node("Not", [zero])], [("to", (long)TensorProto.Types.DataType.Int32)]);
            return Node("ReduceSum", [real, Const("axis1", new long[] { 1 })], [("keepdims", 0L)]);
        }

        /// <summary>The step indices 0 … T−1 (int32) of the time axis of <paramref name="sequence"/> [B, T, …].</summary>
        public string Positions(string sequence)
        {
            var steps = Node("Cast", [Node("Gather", [Node("Shape", [sequence]), Const("time_axis", new long[] { 1 })])], [("to", (long)TensorProto.Types.DataType.Int32)]);
            return Node("Range", [Int32("zero_i", 0), Node("Squeeze", [steps, Const("axes0", new long[] { 0 })]), Int32("one_i", 1)]);
        }

        /// <summary>[B, T] bool: step t of each sample comes before its length in <paramref name="lengths"/> (int32 [B]).</summary>
        public string StepsBefore(string sequence, string lengths) =>
            Node("Less", [Node("Unsqueeze", [Positions(sequence), Const("axes0", new long[] { 0 })]), Node("Unsqueeze", [lengths, Const("axes1", new long[] { 1 })])]);

        public string Int32(string name, int value)
        {
            var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int32 };
            t.Int32Data.Add(value);
            return Initializer(name, t);
        }

        public string Node(string op, string[] inputs, (string Name, object Value)[]? attributes = null, string? output = null, string[]? outputs = null)
        {
            var node = new NodeProto { OpType = op, Name = $"{op}_{Proto.Node.Count}" };
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
