// AttentionLstm: an LSTM decoder that attends over an encoder's sequence (the memory) inside every step, as
// OpenNMT-py's input-feeding decoder: Bahdanau's score (or Luong's general/dot) on the step's hidden state,
// Luong's attentional vector tanh(W_out [context; h]) as the output, fed into the next step's input. The memory's
// projection for the score is computed once per sequence; every step's weights are kept (and can be an output).
using System.Numerics.Tensors;
using LstmSharp.Initializers;
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Layers;

/// <summary>
/// An attention decoder: for input <c>x [B, T, I]</c>, memory <c>m [B, S, Dm]</c> (the encoder's outputs) and an
/// initial state, each step t runs
/// <code>
/// (h_t, c_t) = LSTMCell([x_t ; f_{t−1}], h_{t−1}, c_{t−1})      (just x_t without input feeding)
/// a_t        = softmax_j score(h_t, m_j)                       over the memory's real steps
/// f_t        = tanh(W_out [Σ_j a_tj m_j ; h_t])                 the attentional vector, the step's output
/// </code>
/// with the scores of <see cref="AttentionLstmOptions.Score"/>. Parameters: PyTorch's <c>LSTMCell</c> names
/// (<c>weight_ih [4H, I(+H)]</c>, <c>weight_hh [4H, H]</c>, <c>bias_ih</c>, <c>bias_hh</c>; gates i, f, g, o),
/// <c>weight_out [H, Dm + H]</c>, and for the score <c>weight_query [A, H]</c>, <c>weight_memory [A, Dm]</c>, <c>v [A]</c>
/// (Concat) or <c>weight_score [H, Dm]</c> (General). Call it as <see cref="Call"/> or <see cref="CallWithState"/>; the
/// states are h, c and, with input feeding, f — a one-step decoder model passes all three. The output is every step's
/// f_t (zero at padded steps, keeping the input's mask); padded memory steps get weight exactly 0.
/// </summary>
public sealed class AttentionLstm : MultiInputLayer
{
    Parameter? _weightIh, _weightHh, _biasIh, _biasHh, _weightOut, _weightQuery, _weightMemory, _v, _weightScore;
    int _inputSize, _memorySize, _attentionUnits;
    float[] _bias = [];                                  // [4H] b_ih + b_hh
    readonly StepWeights _forwardWeights = new(), _backwardWeights = new();
    // The last forward pass: B rows, T steps, S memory steps.
    int _b, _t, _s;
    Tensor? _memory, _memoryMask, _stepMask;             // m [B, S, Dm] (not copied); [B, S]; [T, B] in step order
    Tensor? _x;                                          // [T, B, I]
    Tensor? _keys;                                       // [B·S, A] Concat: m W_mᵀ, once per pass
    Tensor? _gates, _dGates;                             // [T, B, 4H]
    Tensor? _h, _c, _feed;                               // [T+1, B, H]; slot 0 the initial state
    Tensor? _tanhC;                                      // [T, B, H]
    Tensor? _query;                                      // [T, B, A] Concat: h W_qᵀ; [T, B, Dm] General: h W
    Tensor? _weights;                                    // [T, B, S]
    Tensor? _joined;                                     // [T, B, Dm + H] [context ; h]
    Tensor? _output, _weightsOutput;                     // [B, T, H], [B, T, S]
    Tensor? _dPre, _dQuery, _dKeys, _dMemory, _dX, _dInput, _dJoined, _dAlpha, _held, _cell;
    readonly Tensor?[] _final = new Tensor?[3];          // [B, H] each
    readonly Tensor?[] _dState = new Tensor?[3];         // [B, H] each

    /// <summary>An attention decoder of <paramref name="units"/> hidden units.</summary>
    public AttentionLstm(int units, AttentionLstmOptions? options = null)
        : base((options ??= new AttentionLstmOptions()).Name)
    {
        Guard.Positive(units);
        Units = units;
        Options = options;
    }

    /// <summary>Hidden units H (the width of h, c, f and the output).</summary>
    public int Units { get; }

    /// <summary>The layer's options.</summary>
    public AttentionLstmOptions Options { get; }

    /// <summary>The states a call takes and gives: h, c and (with input feeding) the attentional vector f.</summary>
    public int StateCount => Options.InputFeeding ? 3 : 2;

    /// <summary>
    /// Calls the layer on <paramref name="input"/> <c>[*, T, I]</c> attending over <paramref name="memory"/>
    /// <c>[*, S, Dm]</c>, from <paramref name="initialState"/> (h and c, e.g. the encoder's final state, or h, c and f;
    /// null: zeros).
    /// </summary>
    public Symbol Call(Symbol input, Symbol memory, IReadOnlyList<Symbol>? initialState = null)
        => CallWithState(input, memory, initialState).Output;

    /// <summary>Calls the layer and returns its output, its weights (with <see cref="AttentionLstmOptions.ReturnAttentionScores"/>) and its final states.</summary>
    public AttentionRnnSymbols CallWithState(Symbol input, Symbol memory, IReadOnlyList<Symbol>? initialState = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(memory);
        var node = Node.Create(this, [input, memory, .. initialState ?? []]);
        var first = Options.ReturnAttentionScores ? 2 : 1;
        return new AttentionRnnSymbols(node.Outputs[0], Options.ReturnAttentionScores ? node.Outputs[1] : null, node.Outputs[first..]);
    }

    internal override (int[] Shape, bool HasMask)[] NodeOutputs(Symbol[] inputs)
    {
        if (inputs.Length < 2)
            throw new ArgumentException($"AttentionLstm '{Name}' takes an input and a memory; received {inputs.Length} input(s).", nameof(inputs));
        var (x, memory) = (inputs[0], inputs[1]);
        var states = inputs.Length - 2;
        if (states != 0 && states != 2 && states != StateCount)
            throw new ArgumentException($"AttentionLstm '{Name}' takes no initial state, h and c, or {(StateCount == 3 ? "h, c and f" : "h and c")}; received {states} state(s).", nameof(inputs));
        foreach (var s in inputs[..2])
        {
            if (s.Shape.Count != 2 || s.Shape[1] <= 0)
                throw new ArgumentException($"AttentionLstm '{Name}' takes sequences [*, time, features] as input and memory; '{s.Name}' is {s.Describe()}.", nameof(inputs));
        }
        if (Options.Score == AttentionScore.Dot && memory.Shape[1] != Units)
            throw new ArgumentException($"AttentionLstm '{Name}' with Dot scores needs a memory as wide as its {Units} units; '{memory.Name}' is {memory.Describe()}. Use General or Concat scores for other widths.", nameof(inputs));
        for (var s = 2; s < inputs.Length; s++)
        {
            if (inputs[s].Shape.Count != 1 || inputs[s].Shape[0] != Units)
                throw new ArgumentException($"AttentionLstm '{Name}' takes initial states [*, {Units}]; state {s - 2}, '{inputs[s].Name}', is {inputs[s].Describe()}.", nameof(inputs));
        }
        if (IsBuilt && (x.Shape[1] != _inputSize || memory.Shape[1] != _memorySize))
            throw new ArgumentException($"AttentionLstm '{Name}' was built for inputs of {_inputSize} and a memory of {_memorySize} features; received {x.Describe()} and {memory.Describe()}.", nameof(inputs));
        var outputs = new List<(int[] Shape, bool HasMask)> { ([x.Shape[0], Units], x.HasMask) };
        if (Options.ReturnAttentionScores) outputs.Add(([x.Shape[0], memory.Shape[0]], x.HasMask));
        for (var s = 0; s < StateCount; s++) outputs.Add(([Units], false));
        return [.. outputs];
    }

    internal override void BuildFor(Node node, int seed)
    {
        int H = Units, I = _inputSize = node.Inputs[0].Shape[1], Dm = _memorySize = node.Inputs[1].Shape[1];
        var A = _attentionUnits = Options.AttentionUnits ?? H;
        var rng = new Rng(seed);
        var lstmInput = I + (Options.InputFeeding ? H : 0);
        _weightIh = new Parameter("weight_ih", Tensor.Zeros(4 * H, lstmInput));
        _weightHh = new Parameter("weight_hh", Tensor.Zeros(4 * H, H));
        _biasIh = new Parameter("bias_ih", Tensor.Zeros(4 * H));
        _biasHh = new Parameter("bias_hh", Tensor.Zeros(4 * H));
        new GlorotUniform().Fill(_weightIh.Value.Span, 4 * H, lstmInput, rng);
        new Orthogonal().Fill(_weightHh.Value.Span, 4 * H, H, rng);
        if (Options.UnitForgetBias) _biasIh.Value.Span.Slice(H, H).Fill(1f);
        _bias = new float[4 * H];
        _weightOut = new Parameter("weight_out", Tensor.Zeros(H, Dm + H));
        new GlorotUniform().Fill(_weightOut.Value.Span, H, Dm + H, rng);
        var parameters = new List<Parameter> { _weightIh, _weightHh, _biasIh, _biasHh, _weightOut };
        switch (Options.Score)
        {
            case AttentionScore.Concat:
                parameters.Add(_weightQuery = new Parameter("weight_query", Tensor.Zeros(A, H)));
                parameters.Add(_weightMemory = new Parameter("weight_memory", Tensor.Zeros(A, Dm)));
                parameters.Add(_v = new Parameter("v", Tensor.Zeros(A)));
                new GlorotUniform().Fill(_weightQuery.Value.Span, A, H, rng);
                new GlorotUniform().Fill(_weightMemory.Value.Span, A, Dm, rng);
                new GlorotUniform().Fill(_v.Value.Span, A, 1, rng);
                break;
            case AttentionScore.General:
                parameters.Add(_weightScore = new Parameter("weight_score", Tensor.Zeros(H, Dm)));
                new GlorotUniform().Fill(_weightScore.Value.Span, H, Dm, rng);
                break;
        }
        SetParameters([.. parameters]);
        MarkBuilt(node.Inputs[0].Shape.ToArray());
    }

    internal override long ParameterCountFor(int[] inputShape)
    {
        // The memory's width is not in the input's shape: count it as the units (the encoder that made it was counted).
        if (inputShape.Length != 2) return 0;
        long H = Units, I = inputShape[1], A = Options.AttentionUnits ?? Units;
        var lstm = checked(4 * H * (I + (Options.InputFeeding ? H : 0) + H + 2));
        var score = Options.Score switch { AttentionScore.Concat => checked(2 * A * H + A), AttentionScore.General => H * H, _ => 0 };
        return checked(lstm + 2 * H * H + score);
    }

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteNumber("units", Units);
        json.WriteString("score", Options.Score.ToString());
        if (Options.AttentionUnits is { } units) json.WriteNumber("attention_units", units);
        json.WriteBoolean("input_feeding", Options.InputFeeding);
        json.WriteBoolean("return_attention_scores", Options.ReturnAttentionScores);
        json.WriteBoolean("unit_forget_bias", Options.UnitForgetBias);
    }

    internal override void Run(Node node, bool training)
    {
        var (x, memory) = (node.InputValues[0], node.InputValues[1]);
        CheckShape(x, [-1, -1, _inputSize], "an input [batch, time, features]", "Check the previous layer's units.");
        CheckShape(memory, [x.Dim(0), -1, _memorySize], "a memory [batch, time, features]", "The memory needs the input's batch and the width the layer was built for.");
        int B = _b = x.Dim(0), T = _t = x.Dim(1), S = _s = memory.Dim(1), H = Units, I = _inputSize, Dm = _memorySize, A = _attentionUnits, G = 4 * H, J = Dm + H;
        if (T == 0 || S == 0) throw new ArgumentException($"AttentionLstm '{Name}' needs at least one input and one memory step; received [{Tensor.FormatShape(x.Shape)}] and [{Tensor.FormatShape(memory.Shape)}].");
        _memory = memory;
        _memoryMask = node.InputMasks[1];
        var k = Kernels;
        Span<float> h = Ensure(ref _h, T + 1, B, H).Span, c = Ensure(ref _c, T + 1, B, H).Span, feed = Ensure(ref _feed, T + 1, B, H).Span;
        Span<float> gates = Ensure(ref _gates, T, B, G).Span, tanhC = Ensure(ref _tanhC, T, B, H).Span;
        Span<float> weights = Ensure(ref _weights, T, B, S).Span, joined = Ensure(ref _joined, T, B, J).Span;
        var query = Options.Score switch
        {
            AttentionScore.Concat => Ensure(ref _query, T, B, A).Span,
            AttentionScore.General => Ensure(ref _query, T, B, Dm).Span,
            _ => default,
        };
        var xs = Ensure(ref _x, T, B, I).Span;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                x.Span.Slice((b * T + t) * I, I).CopyTo(xs.Slice((t * B + b) * I, I));
        _stepMask = null;
        if (node.InputMasks[0] is { } inputMask)
        {
            var steps = Ensure(ref _stepMask, T, B).Span;
            for (var b = 0; b < B; b++)
                for (var t = 0; t < T; t++)
                    steps[t * B + b] = inputMask.Span[b * T + t];
        }

        // Initial states: given (h, c[, f]) or zeros.
        var states = node.InputValues.AsSpan(2);
        Tensor[] slots = [_h!, _c!, _feed!];
        for (var s = 0; s < 3; s++)
        {
            var slot0 = slots[s].Span[..(B * H)];
            if (s < states.Length)
            {
                if (!states[s].HasShape(B, H)) CheckShape(states[s], [B, H], $"initial state {s} [batch, units]", "Pass h, c and optionally f, each [batch, units].");
                states[s].Span.CopyTo(slot0);
            }
            else
            {
                slot0.Clear();
            }
        }

        // gates [T·B, 4H] = X · W_xᵀ + b_ih + b_hh for every step; W_x is the first I columns of weight_ih.
        var packed = PackStepWeights(k, forward: true);
        _biasIh!.Value.Values.CopyTo(_bias);
        k.Add(_biasHh!.Value.Values, _bias);
        k.GemmPacked(xs, I, false, packed.Input, T * B, gates, G, accumulate: false, _bias);
        // Concat: the memory's side of the score, once: keys [B·S, A] = m · W_mᵀ.
        var keys = Options.Score == AttentionScore.Concat ? Ensure(ref _keys, B * S, A).Span : default;
        if (Options.Score == AttentionScore.Concat)
            k.Gemm(memory.Span, Dm, false, _weightMemory!.Value.Values, Dm, true, B * S, A, Dm, keys, A, accumulate: false);
        var cell = Ensure(ref _cell, A).Span;

        var m = memory.Span;
        for (var t = 0; t < T; t++)
        {
            var gt = gates.Slice(t * B * G, B * G);
            if (Options.InputFeeding) k.GemmPacked(feed.Slice(t * B * H, B * H), H, false, packed.Feed, B, gt, G, accumulate: true);
            k.GemmPacked(h.Slice(t * B * H, B * H), H, false, packed.Recurrent, B, gt, G, accumulate: true);
            var ht = h.Slice((t + 1) * B * H, B * H);
            k.LstmCellForward(c.Slice(t * B * H, B * H), default, B, H, gt, c.Slice((t + 1) * B * H, B * H), tanhC.Slice(t * B * H, B * H), ht);

            // scores [B, S] into the weights' slot, then the softmax in place
            var wt = weights.Slice(t * B * S, B * S);
            switch (Options.Score)
            {
                case AttentionScore.Concat:
                    var qt = query.Slice(t * B * A, B * A);
                    k.GemmPacked(ht, H, false, packed.Query, B, qt, A, accumulate: false);
                    var v = _v!.Value.Values;
                    for (var b = 0; b < B; b++)
                        for (var j = 0; j < S; j++)
                        {
                            TensorPrimitives.Add(qt.Slice(b * A, A), keys.Slice((b * S + j) * A, A), cell);
                            TensorPrimitives.Tanh(cell, cell);
                            wt[b * S + j] = TensorPrimitives.Dot(cell, v);
                        }
                    break;
                default:
                    var left = ht;
                    if (Options.Score == AttentionScore.General)
                    {
                        left = query.Slice(t * B * Dm, B * Dm);
                        k.GemmPacked(ht, H, false, packed.Query, B, left, Dm, accumulate: false);
                    }
                    for (var b = 0; b < B; b++)
                        k.Gemm(left.Slice(b * Dm, Dm), Dm, false, m.Slice(b * S * Dm, S * Dm), Dm, true, 1, S, Dm, wt.Slice(b * S, S), S, accumulate: false);
                    break;
            }
            if (_memoryMask is { } mm) k.MaskedSoftMax(wt, mm.Span, B, S, wt);
            else k.SoftMax(wt, B, S, wt);

            // joined [B, Dm + H] = [Σ_j a_j m_j ; h_t];  f_t = tanh(joined · W_outᵀ)
            var jt = joined.Slice(t * B * J, B * J);
            for (var b = 0; b < B; b++)
            {
                k.Gemm(wt.Slice(b * S, S), S, false, m.Slice(b * S * Dm, S * Dm), Dm, false, 1, Dm, S, jt.Slice(b * J, Dm), J, accumulate: false);
                ht.Slice(b * H, H).CopyTo(jt.Slice(b * J + Dm, H));
            }
            var ft = feed.Slice((t + 1) * B * H, B * H);
            k.GemmPacked(jt, J, false, packed.Out, B, ft, H, accumulate: false);
            k.Tanh(ft);

            if (_stepMask is null) continue;
            for (var b = 0; b < B; b++)
            {
                if (_stepMask.Span[t * B + b] != 0f) continue;
                foreach (var state in slots) state.Span.Slice((t * B + b) * H, H).CopyTo(state.Span.Slice(((t + 1) * B + b) * H, H));
                wt.Slice(b * S, S).Clear();
            }
        }

        // Batch-first outputs: every f_t (zero at padded steps), the weights, the final states.
        var output = Ensure(ref _output, B, T, H).Span;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
            {
                var row = output.Slice((b * T + t) * H, H);
                if (StepMasked(t, b)) row.Clear();
                else feed.Slice(((t + 1) * B + b) * H, H).CopyTo(row);
            }
        node.OutputValues[0] = _output!;
        node.OutputMasks[0] = node.InputMasks[0];
        var next = 1;
        if (Options.ReturnAttentionScores)
        {
            var wo = Ensure(ref _weightsOutput, B, T, S).Span;
            for (var b = 0; b < B; b++)
                for (var t = 0; t < T; t++)
                    weights.Slice((t * B + b) * S, S).CopyTo(wo.Slice((b * T + t) * S, S));
            node.OutputValues[1] = _weightsOutput!;
            node.OutputMasks[1] = node.InputMasks[0];
            next = 2;
        }
        for (var s = 0; s < StateCount; s++)
        {
            var final = _final[s] = Ensure(_final[s], B, H);
            slots[s].Span.Slice(T * B * H, B * H).CopyTo(final.Span);
            node.OutputValues[next + s] = final;
        }
    }

    bool StepMasked(int t, int b) => _stepMask is not null && _stepMask.Span[t * _b + b] == 0f;

    internal override void RunBackward(Node node)
    {
        if (_memory is null || _x is null) throw NoForward();
        int B = _b, T = _t, S = _s, H = Units, I = _inputSize, Dm = _memorySize, A = _attentionUnits, G = 4 * H, J = Dm + H;
        var k = Kernels;
        var lstmInput = _weightIh!.Value.Dim(1);
        var wIh = _weightIh.Value.Values;
        Span<float> h = _h!.Span, c = _c!.Span, feed = _feed!.Span, gates = _gates!.Span, tanhC = _tanhC!.Span, weights = _weights!.Span, joined = _joined!.Span;
        Span<float> dGates = Ensure(ref _dGates, T, B, G).Span, dPre = Ensure(ref _dPre, T, B, H).Span;
        Span<float> dJoined = Ensure(ref _dJoined, B, J).Span, dAlpha = Ensure(ref _dAlpha, B, S).Span, cell = _cell!.Span;
        var dMemory = Ensure(ref _dMemory, B, S, Dm).Span;
        dMemory.Clear();
        var query = _query is null ? default : _query.Span;
        var dQuery = Options.Score switch
        {
            AttentionScore.Concat => Ensure(ref _dQuery, T, B, A).Span,
            AttentionScore.General => Ensure(ref _dQuery, T, B, Dm).Span,
            _ => default,
        };
        var dKeys = Options.Score == AttentionScore.Concat ? Ensure(ref _dKeys, B * S, A).Span : default;
        dKeys.Clear();
        var m = _memory.Span;

        // Running gradients of the states after step t: from the final-state outputs at first.
        var first = Options.ReturnAttentionScores ? 2 : 1;
        for (var s = 0; s < 3; s++)
        {
            var d = (_dState[s] = Ensure(_dState[s], B, H)).Span;
            if (s < StateCount && node.DOutputs[first + s] is { } given) given.Span.CopyTo(d);
            else d.Clear();
        }
        Span<float> dh = _dState[0]!.Span, dc = _dState[1]!.Span, dFeed = _dState[2]!.Span;
        var held = Ensure(ref _held, 3, B, H).Span;
        var dOut = node.DOutputs[0];
        var dWeightsOut = Options.ReturnAttentionScores ? node.DOutputs[1] : null;
        if (dOut is not null) CheckShape(dOut, [B, T, H], "the output gradient", "It must have the shape of the last forward's output.");

        var packed = PackStepWeights(k, forward: false);
        for (var t = T - 1; t >= 0; t--)
        {
            for (var b = 0; b < B; b++)
            {
                if (StepMasked(t, b))
                {
                    // A padded step passes its states through: hold their gradients past it.
                    for (var s = 0; s < 3; s++)
                    {
                        var row = _dState[s]!.Span.Slice(b * H, H);
                        row.CopyTo(held.Slice((s * B + b) * H, H));
                        row.Clear();
                    }
                }
                else if (dOut is not null)
                {
                    k.Add(dOut.Span.Slice((b * T + t) * H, H), dFeed.Slice(b * H, H));
                }
            }

            // f_t = tanh(joined · W_outᵀ): dPre = ∂/∂pre-activation, dJoined = dPre · W_out
            var dpt = dPre.Slice(t * B * H, B * H);
            k.TanhBackward(feed.Slice((t + 1) * B * H, B * H), dFeed, dpt);
            k.GemmPacked(dpt, H, false, packed.Out, B, dJoined, J, accumulate: false);
            var wt = weights.Slice(t * B * S, B * S);
            for (var b = 0; b < B; b++)
            {
                k.Add(dJoined.Slice(b * J + Dm, H), dh.Slice(b * H, H));
                if (StepMasked(t, b))
                {
                    dAlpha.Slice(b * S, S).Clear();
                    continue;
                }
                // context = a · m: dAlpha = dContext · mᵀ (+ the weights' own gradient), dm += aᵀ · dContext
                var dContext = dJoined.Slice(b * J, Dm);
                k.Gemm(dContext, Dm, false, m.Slice(b * S * Dm, S * Dm), Dm, true, 1, S, Dm, dAlpha.Slice(b * S, S), S, accumulate: false);
                if (dWeightsOut is not null) k.Add(dWeightsOut.Span.Slice((b * T + t) * S, S), dAlpha.Slice(b * S, S));
                k.Gemm(wt.Slice(b * S, S), S, true, dContext, Dm, false, S, Dm, 1, dMemory.Slice(b * S * Dm, S * Dm), Dm, accumulate: true);
            }
            k.SoftMaxBackward(wt, dAlpha, B, S, dAlpha);   // now ∂loss/∂scores (0 at padded memory steps)

            var ht = h.Slice((t + 1) * B * H, B * H);
            switch (Options.Score)
            {
                case AttentionScore.Concat:
                    var qt = query.Slice(t * B * A, B * A);
                    var dq = dQuery.Slice(t * B * A, B * A);
                    dq.Clear();
                    var v = _v!.Value.Values;
                    var dv = _v.Gradient.Span;
                    for (var b = 0; b < B; b++)
                        for (var j = 0; j < S; j++)
                        {
                            var g = dAlpha[b * S + j];
                            if (g == 0f) continue;
                            TensorPrimitives.Add(qt.Slice(b * A, A), _keys!.Span.Slice((b * S + j) * A, A), cell);
                            TensorPrimitives.Tanh(cell, cell);
                            // dv += g·τ;  τ ← v ⊙ (1 − τ²), the score's gradient per unit of g;  dq and dKey += g·τ
                            TensorPrimitives.MultiplyAdd(cell, g, dv, dv);
                            TensorPrimitives.Multiply(cell, cell, cell);
                            TensorPrimitives.Subtract(1f, cell, cell);
                            TensorPrimitives.Multiply(cell, v, cell);
                            var dqb = dq.Slice(b * A, A);
                            var dkey = dKeys.Slice((b * S + j) * A, A);
                            TensorPrimitives.MultiplyAdd(cell, g, dqb, dqb);
                            TensorPrimitives.MultiplyAdd(cell, g, dkey, dkey);
                        }
                    k.GemmPacked(dq, A, false, packed.Query, B, dh, H, accumulate: true);
                    break;
                default:
                    // scores_b = left_b · m_bᵀ: dLeft_b = dScores_b · m_b, dm_b += dScores_bᵀ · left_b
                    var general = Options.Score == AttentionScore.General;
                    var left = general ? query.Slice(t * B * Dm, B * Dm) : ht;
                    var dLeft = general ? dQuery.Slice(t * B * Dm, B * Dm) : dJoined;   // (Dot: dJoined is free again)
                    for (var b = 0; b < B; b++)
                    {
                        var ds = dAlpha.Slice(b * S, S);
                        k.Gemm(ds, S, false, m.Slice(b * S * Dm, S * Dm), Dm, false, 1, Dm, S, dLeft.Slice(b * Dm, Dm), Dm, accumulate: false);
                        k.Gemm(ds, S, true, left.Slice(b * Dm, Dm), Dm, false, S, Dm, 1, dMemory.Slice(b * S * Dm, S * Dm), Dm, accumulate: true);
                    }
                    if (general) k.GemmPacked(dLeft, Dm, false, packed.Query, B, dh, H, accumulate: true);
                    else k.Add(dLeft[..(B * H)], dh);
                    break;
            }

            // The LSTM cell, then the gradients reaching h_{t−1} and f_{t−1}.
            var dgt = dGates.Slice(t * B * G, B * G);
            k.LstmCellBackward(gates.Slice(t * B * G, B * G), c.Slice(t * B * H, B * H), c.Slice((t + 1) * B * H, B * H),
                tanhC.Slice(t * B * H, B * H), default, dh, B, H, dc, dgt, default);
            k.GemmPacked(dgt, G, false, packed.Recurrent, B, dh, H, accumulate: false);
            if (Options.InputFeeding) k.GemmPacked(dgt, G, false, packed.Feed, B, dFeed, H, accumulate: false);
            else dFeed.Clear();
            for (var b = 0; b < B; b++)
            {
                if (!StepMasked(t, b)) continue;
                for (var s = 0; s < 3; s++) k.Add(held.Slice((s * B + b) * H, H), _dState[s]!.Span.Slice(b * H, H));
            }
        }

        // Weight gradients of every step at once.
        var dWIh = _weightIh.Gradient.Span;
        k.Gemm(dGates, G, true, _x.Span, I, false, G, I, T * B, dWIh, lstmInput, accumulate: true);
        if (Options.InputFeeding) k.Gemm(dGates, G, true, feed[..(T * B * H)], H, false, G, H, T * B, dWIh[I..], lstmInput, accumulate: true);
        k.Gemm(dGates, G, true, h[..(T * B * H)], H, false, G, H, T * B, _weightHh!.Gradient.Span, H, accumulate: true);
        k.SumRows(dGates, T * B, G, _biasIh!.Gradient.Span);
        k.SumRows(dGates, T * B, G, _biasHh!.Gradient.Span);
        k.Gemm(dPre, H, true, joined, J, false, H, J, T * B, _weightOut!.Gradient.Span, J, accumulate: true);
        var hSteps = h.Slice(B * H, T * B * H);
        switch (Options.Score)
        {
            case AttentionScore.Concat:
                k.Gemm(dQuery, A, true, hSteps, H, false, A, H, T * B, _weightQuery!.Gradient.Span, H, accumulate: true);
                k.Gemm(dKeys, A, false, _weightMemory!.Value.Values, Dm, false, B * S, Dm, A, dMemory, Dm, accumulate: true);
                k.Gemm(dKeys, A, true, m, Dm, false, A, Dm, B * S, _weightMemory.Gradient.Span, Dm, accumulate: true);
                break;
            case AttentionScore.General:
                k.Gemm(hSteps, H, true, dQuery, Dm, false, H, Dm, T * B, _weightScore!.Gradient.Span, Dm, accumulate: true);
                break;
        }

        // ∂loss/∂x [B, T, I] = dGates · W_x, batch-first
        var dx = Ensure(ref _dX, T, B, I).Span;
        k.Gemm(dGates, G, false, wIh, lstmInput, false, T * B, I, G, dx, I, accumulate: false);
        var dInput = Ensure(ref _dInput, B, T, I).Span;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                dx.Slice((t * B + b) * I, I).CopyTo(dInput.Slice((b * T + t) * I, I));
        node.DInputs[0] = _dInput;
        node.DInputs[1] = _dMemory;
        for (var s = 2; s < node.Inputs.Length; s++) node.DInputs[s] = _dState[s - 2];
    }

    /// <summary>The score's weight on h: Concat's weight_query [A, H], General's weight_score [H, Dm]; none for Dot.</summary>
    Tensor? QueryWeight => Options.Score switch
    {
        AttentionScore.Concat => _weightQuery!.Value,
        AttentionScore.General => _weightScore!.Value,
        _ => null,
    };

    /// <summary>The weights every step multiplies by, packed for one direction of the passes (and W_xᵀ for the forward's input projection).</summary>
    sealed class StepWeights
    {
        public readonly PackedMatrix Input = new(), Recurrent = new(), Feed = new(), Out = new(), Query = new();
    }

    /// <summary>
    /// The weights every step multiplies by, packed (once per update of each) as the forward pass uses them (h·Wᵀ for all
    /// but General's h·W) or, for the backward pass, the other way round.
    /// </summary>
    StepWeights PackStepWeights(KernelSet k, bool forward)
    {
        int H = Units, G = 4 * H, J = _memorySize + H;
        var packed = forward ? _forwardWeights : _backwardWeights;
        var lstmInput = _weightIh!.Value.Dim(1);
        if (forward) Pack(k, _weightIh.Value, 0, lstmInput, G, _inputSize, transposed: true, packed.Input);
        Pack(k, _weightHh!.Value, 0, H, G, H, transposed: forward, packed.Recurrent);
        if (Options.InputFeeding) Pack(k, _weightIh.Value, _inputSize, lstmInput, G, H, transposed: forward, packed.Feed);
        Pack(k, _weightOut!.Value, 0, J, H, J, transposed: forward, packed.Out);
        if (Options.Score == AttentionScore.Concat) Pack(k, QueryWeight!, 0, H, _attentionUnits, H, transposed: forward, packed.Query);
        if (Options.Score == AttentionScore.General) Pack(k, QueryWeight!, 0, _memorySize, H, _memorySize, transposed: !forward, packed.Query);
        return packed;

        // w is stored [rows, cols] with row stride ld from offset on; packs wᵀ [cols, rows] or w itself.
        static void Pack(KernelSet k, Tensor w, int offset, int ld, int rows, int cols, bool transposed, PackedMatrix packed)
        {
            if (transposed) k.Pack(w, offset, ld, transB: true, cols, rows, packed);
            else k.Pack(w, offset, ld, transB: false, rows, cols, packed);
        }
    }

    private protected override string CallForm => "Call(input, memory, initialState)";
}

/// <summary>What an <see cref="AttentionLstm"/> call gives.</summary>
/// <param name="Output">Every step's attentional vector <c>[*, T, units]</c>.</param>
/// <param name="Weights">Every step's attention weights <c>[*, T, S]</c>, with <see cref="AttentionLstmOptions.ReturnAttentionScores"/>; else null.</param>
/// <param name="States">The final h, c and (with input feeding) f, each <c>[*, units]</c>.</param>
public sealed record AttentionRnnSymbols(Symbol Output, Symbol? Weights, IReadOnlyList<Symbol> States);
