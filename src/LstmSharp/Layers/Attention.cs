// Attention: Luong et al. 2015's global attention as a layer of two or three inputs — query [B, Tq, D], value
// [B, Tv, Dv], optional key [B, Tv, D] (default: the value) — with Keras's semantics: padded value steps get weight
// exactly 0, the output is zero at padded query steps and keeps the query's mask, and the weights can be a second
// output. Forward and backward run per sample on the GEMM and softmax kernels.
using System.Numerics.Tensors;
using LstmSharp.Initializers;
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// Global attention (Luong et al. 2015; Keras's <c>Attention</c>): for every query step i the weights
/// <c>aᵢ = softmax_j(score(qᵢ, kⱼ))</c> over the value steps, and the output <c>cᵢ = Σⱼ aᵢⱼ vⱼ</c>. Call it as
/// <c>new Attention().Call(query, value)</c> or with a key, <c>Call(query, value, key)</c>; with
/// <see cref="AttentionOptions.ReturnAttentionScores"/> the call gives <c>[context, weights]</c> (<see cref="CallWithWeights"/>).
/// Scores: <see cref="AttentionScore"/>; the value's mask removes padded steps before the softmax (a query
/// whose value steps are all padding attends to nothing and gets zeros), the query's mask zeroes padded query steps
/// and goes with the output.
/// </summary>
public class Attention : MultiInputLayer
{
    Parameter? _scale, _weight, _weightQuery, _weightKey, _v;
    int _d, _dv, _units;
    bool _hasKey;
    readonly Rng _dropoutRng;
    // Forward state, per batch: B samples, Tq query and Tv value steps.
    int _b, _tq, _tv;
    Tensor? _q, _k, _val;                // the inputs (not copied)
    Tensor? _qMask, _vMask;              // [B, Tq], [B, Tv] or null
    Tensor? _raw;                        // [B·Tq, Tv] Dot/General: q·k or (qW)·k before scaling
    Tensor? _projected;                  // [B·Tq, D] General: Q·W
    Tensor? _u, _z, _tanh;               // Concat: [B·Tq, A], [B·Tv, A], [B·Tq·Tv, A]
    Tensor? _scores, _weights, _dropped; // [B·Tq, Tv] scores, softmax, after dropout
    Tensor? _dropMask, _rowMask;         // [B·Tq, Tv] dropout scales; the causal/value mask per row
    Tensor? _context;                    // [B, Tq, Dv]
    Tensor? _dContext, _dWeights, _dScores, _dProjected, _dU, _dZ;
    Tensor? _dQuery, _dValue, _dKey;
    Tensor? _weightsView, _weightsSource;
    bool _dropping;

    /// <summary>An attention layer with <paramref name="options"/> (default: dot-product scores, as Keras).</summary>
    public Attention(AttentionOptions? options = null)
        : base((options ??= new AttentionOptions()).Name)
    {
        Options = options;
        _dropoutRng = new Rng(0);
    }

    /// <summary>The layer's options.</summary>
    public AttentionOptions Options { get; }

    /// <summary>A parameter by name (for exporters), or null when the score has none of that name.</summary>
    internal Tensor? Weight(string name) => Parameters.FirstOrDefault(p => p.Name == name)?.Value ?? (name == "scale" && Options.Score == AttentionScore.Additive ? _v?.Value : null);

    internal override IEnumerable<Rng> RandomGenerators() => [_dropoutRng];

    /// <summary>Calls the layer on a query and a value (the keys are the value), or with a separate key.</summary>
    public Symbol Call(Symbol query, Symbol value, Symbol? key = null) => CallWithWeights(query, value, key).Context;

    /// <summary>
    /// Calls the layer and returns the context <c>[*, Tq, Dv]</c> and, with <see cref="AttentionOptions.ReturnAttentionScores"/>,
    /// the weights <c>[*, Tq, Tv]</c> (null otherwise).
    /// </summary>
    public (Symbol Context, Symbol? Weights) CallWithWeights(Symbol query, Symbol value, Symbol? key = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(value);
        var node = Node.Create(this, key is null ? [query, value] : [query, value, key]);
        return (node.Outputs[0], node.Outputs.Length > 1 ? node.Outputs[1] : null);
    }

    internal override (int[] Shape, bool HasMask)[] NodeOutputs(Symbol[] inputs)
    {
        if (inputs.Length is not (2 or 3))
            throw new ArgumentException($"Attention '{Name}' takes a query, a value and optionally a key; received {inputs.Length} input(s).", nameof(inputs));
        var (query, value) = (inputs[0], inputs[1]);
        var key = inputs.Length == 3 ? inputs[2] : value;
        foreach (var s in inputs)
        {
            if (s.Shape.Count != 2 || s.Shape[1] <= 0)
                throw new ArgumentException($"Attention '{Name}' takes sequences [*, time, features]; '{s.Name}' is {s.Describe()}.", nameof(inputs));
        }
        if (key.Shape[1] != query.Shape[1])
            throw new ArgumentException($"Attention '{Name}' scores the query {query.Describe()} against the key {key.Describe()}: their feature axes differ; give a key as wide as the query.", nameof(inputs));
        if (inputs.Length == 3 && key.Shape[0] >= 0 && value.Shape[0] >= 0 && key.Shape[0] != value.Shape[0])
            throw new ArgumentException($"Attention '{Name}' got the value {value.Describe()} and the key {key.Describe()}: their time axes differ.", nameof(inputs));
        if (IsBuilt && (query.Shape[1] != _d || value.Shape[1] != _dv || (inputs.Length == 3) != _hasKey))
            throw new ArgumentException($"Attention '{Name}' was built for queries of {_d} and values of {_dv} features{(_hasKey ? " with a key" : "")}; received {query.Describe()} and {value.Describe()}.", nameof(inputs));
        int[] context = [query.Shape[0], value.Shape[1]];
        return Options.ReturnAttentionScores
            ? [(context, query.HasMask), ([query.Shape[0], value.Shape[0]], query.HasMask)]
            : [(context, query.HasMask)];
    }

    internal override void BuildFor(Node node, int seed)
    {
        _d = node.Inputs[0].Shape[1];
        _dv = node.Inputs[1].Shape[1];
        _hasKey = node.Inputs.Length == 3;
        _units = Options.Units ?? _d;
        var rng = new Rng(seed);
        var parameters = new List<Parameter>();
        if (Options.LearnScale && Options.Score != AttentionScore.Additive) parameters.Add(_scale = new Parameter("scale", Tensor.Full(1f, 1)));
        switch (Options.Score)
        {
            case AttentionScore.General:
                parameters.Add(_weight = new Parameter("weight", Tensor.Zeros(_d, _d)));
                new GlorotUniform().Fill(_weight.Value.Span, _d, _d, rng);
                break;
            case AttentionScore.Concat:
                parameters.Add(_weightQuery = new Parameter("weight_query", Tensor.Zeros(_units, _d)));
                parameters.Add(_weightKey = new Parameter("weight_key", Tensor.Zeros(_units, _d)));
                parameters.Add(_v = new Parameter("v", Tensor.Zeros(_units)));
                new GlorotUniform().Fill(_weightQuery.Value.Span, _units, _d, rng);
                new GlorotUniform().Fill(_weightKey.Value.Span, _units, _d, rng);
                new GlorotUniform().Fill(_v.Value.Span, _units, 1, rng);
                break;
            case AttentionScore.Additive:
                // Keras's AdditiveAttention: the weights of the sum start at 1 and are a parameter only with a learned scale.
                _units = _d;
                _v = new Parameter("scale", Tensor.Full(1f, _d));
                if (Options.LearnScale) parameters.Add(_v);
                break;
        }
        _dropoutRng.State = new Rng((long)rng.NextUInt64()).State;
        SetParameters([.. parameters]);
        MarkBuilt(node.Inputs[0].Shape.ToArray());
    }

    internal override long ParameterCountFor(int[] inputShape)
    {
        if (inputShape.Length != 2) return 0;
        long d = inputShape[1], a = Options.Units ?? inputShape[1];
        return Options.Score switch
        {
            AttentionScore.General => d * d,
            AttentionScore.Concat => checked(2 * a * d + a),
            AttentionScore.Additive => Options.LearnScale ? d : 0,
            _ => 0,
        } + (Options.LearnScale && Options.Score != AttentionScore.Additive ? 1 : 0);
    }

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        json.WriteString("score", Options.Score.ToString());
        json.WriteBoolean("learn_scale", Options.LearnScale);
        json.WriteBoolean("scale_by_dimension", Options.ScaleByDimension);
        json.WriteNumber("dropout", Options.Dropout);
        json.WriteBoolean("causal", Options.Causal);
        json.WriteBoolean("return_attention_scores", Options.ReturnAttentionScores);
        if (Options.Units is { } units) json.WriteNumber("units", units);
    }

    /// <summary>The constant factor of the scores: the learned scale (if any) and 1/√D (if asked).</summary>
    internal float Factor => (_scale is null ? 1f : _scale.Value.Span[0]) * (Options.ScaleByDimension ? 1f / MathF.Sqrt(_d) : 1f);

    internal override void Run(Node node, bool training)
    {
        var (q, v) = (node.InputValues[0], node.InputValues[1]);
        var k = _hasKey ? node.InputValues[2] : v;
        CheckShape(q, [-1, -1, _d], "a query [batch, time, features]", "Check the query's last axis.");
        CheckShape(v, [q.Dim(0), -1, _dv], "a value [batch, time, features]", "The value needs the query's batch.");
        CheckShape(k, [q.Dim(0), v.Dim(1), _d], "a key [batch, value time, query features]", "The key needs the value's steps and the query's features.");
        (_q, _k, _val) = (q, k, v);
        (_b, _tq, _tv) = (q.Dim(0), q.Dim(1), v.Dim(1));
        (_qMask, _vMask) = (node.InputMasks[0], node.InputMasks[1] ?? (_hasKey ? node.InputMasks[2] : null));
        int B = _b, Tq = _tq, Tv = _tv, D = _d, Dv = _dv, A = _units, rows = B * Tq;
        var kernels = Kernels;

        // scores [B·Tq, Tv]
        var scores = Ensure(ref _scores, rows, Tv).Span;
        switch (Options.Score)
        {
            case AttentionScore.Dot:
            case AttentionScore.General:
                var raw = Ensure(ref _raw, rows, Tv).Span;
                var left = q.Span;
                if (Options.Score == AttentionScore.General)
                {
                    // P [B·Tq, D] = Q · W
                    var p = Ensure(ref _projected, rows, D).Span;
                    kernels.Gemm(q.Span, D, false, _weight!.Value.Span, D, false, rows, D, D, p, D, accumulate: false);
                    left = p;
                }
                // raw_b [Tq, Tv] = P_b · K_bᵀ
                for (var b = 0; b < B; b++)
                    kernels.Gemm(left.Slice(b * Tq * D, Tq * D), D, false, k.Span.Slice(b * Tv * D, Tv * D), D, true, Tq, Tv, D, raw.Slice(b * Tq * Tv, Tq * Tv), Tv, accumulate: false);
                TensorPrimitives.Multiply(raw, Factor, scores);
                break;
            default:
                // Concat: U [B·Tq, A] = Q W_qᵀ, Z [B·Tv, A] = K W_kᵀ; Additive: U = Q, Z = K (A = D).
                // tanh [B·Tq·Tv, A] = tanh(U_i + Z_j), score = Σ_a v_a tanh
                Span<float> u, z;
                if (Options.Score == AttentionScore.Concat)
                {
                    u = Ensure(ref _u, rows, A).Span;
                    z = Ensure(ref _z, B * Tv, A).Span;
                    kernels.Gemm(q.Span, D, false, _weightQuery!.Value.Span, D, true, rows, A, D, u, A, accumulate: false);
                    kernels.Gemm(k.Span, D, false, _weightKey!.Value.Span, D, true, B * Tv, A, D, z, A, accumulate: false);
                }
                else
                {
                    u = q.Span;
                    z = k.Span;
                }
                var t = Ensure(ref _tanh, rows * Tv, A).Span;
                var va = _v!.Value.Span;
                var factor = Factor;
                for (var b = 0; b < B; b++)
                    for (var i = 0; i < Tq; i++)
                        for (var j = 0; j < Tv; j++)
                        {
                            var cell = t.Slice(((b * Tq + i) * Tv + j) * A, A);
                            TensorPrimitives.Add(u.Slice((b * Tq + i) * A, A), z.Slice((b * Tv + j) * A, A), cell);
                            TensorPrimitives.Tanh(cell, cell);
                            scores[(b * Tq + i) * Tv + j] = factor * TensorPrimitives.Dot(cell, va);
                        }
                break;
        }

        // weights [B·Tq, Tv] = softmax over the real value steps (and j ≤ i when causal)
        var weights = Ensure(ref _weights, rows, Tv).Span;
        if (Options.Causal)
        {
            var m = Ensure(ref _rowMask, rows, Tv).Span;
            for (var b = 0; b < B; b++)
                for (var i = 0; i < Tq; i++)
                    for (var j = 0; j < Tv; j++)
                        m[(b * Tq + i) * Tv + j] = j <= i && (_vMask is null || _vMask.Span[b * Tv + j] != 0f) ? 1f : 0f;
            kernels.MaskedSoftMax(scores, m, rows, Tv, weights);
        }
        else if (_vMask is not null)
        {
            kernels.MaskedSoftMax(scores, _vMask.Span, rows, Tv, weights);
        }
        else
        {
            kernels.SoftMax(scores, rows, Tv, weights);
        }

        _dropping = training && Options.Dropout > 0f;
        var used = _weights!;
        if (_dropping)
        {
            var scale = 1f / (1f - Options.Dropout);
            var drop = Ensure(ref _dropMask, rows, Tv).Span;
            var dropped = Ensure(ref _dropped, rows, Tv).Span;
            for (var i = 0; i < drop.Length; i++)
            {
                drop[i] = _dropoutRng.NextDouble() < Options.Dropout ? 0f : scale;
                dropped[i] = weights[i] * drop[i];
            }
            used = _dropped!;
        }

        // context_b [Tq, Dv] = weights_b · V_b, zero at padded query steps
        var context = Ensure(ref _context, B, Tq, Dv).Span;
        for (var b = 0; b < B; b++)
            kernels.Gemm(used.Span.Slice(b * Tq * Tv, Tq * Tv), Tv, false, v.Span.Slice(b * Tv * Dv, Tv * Dv), Dv, false, Tq, Dv, Tv, context.Slice(b * Tq * Dv, Tq * Dv), Dv, accumulate: false);
        if (_qMask is { } qm)
            for (var r = 0; r < rows; r++)
                if (qm.Span[r] == 0f) context.Slice(r * Dv, Dv).Clear();

        node.OutputValues[0] = _context!;
        node.OutputMasks[0] = _qMask;
        if (Options.ReturnAttentionScores)
        {
            node.OutputValues[1] = WeightsView(used);
            node.OutputMasks[1] = _qMask;
        }
    }

    /// <summary>The weights [B·Tq, Tv] as [B, Tq, Tv], a view cached per buffer so a forward pass allocates nothing.</summary>
    Tensor WeightsView(Tensor source)
    {
        if (_weightsView is null || !ReferenceEquals(_weightsSource, source) || !_weightsView.HasShape(_b, _tq, _tv))
            (_weightsSource, _weightsView) = (source, source.Reshape(_b, _tq, _tv));
        return _weightsView;
    }

    internal override void RunBackward(Node node)
    {
        if (_q is null || _k is null || _val is null) throw NoForward();
        int B = _b, Tq = _tq, Tv = _tv, D = _d, Dv = _dv, A = _units, rows = B * Tq;
        var kernels = Kernels;
        var used = _dropping ? _dropped! : _weights!;

        // dContext, zero at padded query steps (their outputs were zeroed)
        var dWeights = Ensure(ref _dWeights, rows, Tv).Span;
        var dValue = Ensure(ref _dValue, B, Tv, Dv).Span;
        if (node.DOutputs[0] is { } dOut)
        {
            var dc = Ensure(ref _dContext, B, Tq, Dv).Span;
            dOut.Span.CopyTo(dc);
            if (_qMask is { } qm)
                for (var r = 0; r < rows; r++)
                    if (qm.Span[r] == 0f) dc.Slice(r * Dv, Dv).Clear();
            for (var b = 0; b < B; b++)
            {
                // dWeights_b [Tq, Tv] = dC_b · V_bᵀ;  dV_b [Tv, Dv] = weights_bᵀ · dC_b
                kernels.Gemm(dc.Slice(b * Tq * Dv, Tq * Dv), Dv, false, _val.Span.Slice(b * Tv * Dv, Tv * Dv), Dv, true, Tq, Tv, Dv, dWeights.Slice(b * Tq * Tv, Tq * Tv), Tv, accumulate: false);
                kernels.Gemm(used.Span.Slice(b * Tq * Tv, Tq * Tv), Tv, true, dc.Slice(b * Tq * Dv, Tq * Dv), Dv, false, Tv, Dv, Tq, dValue.Slice(b * Tv * Dv, Tv * Dv), Dv, accumulate: false);
            }
        }
        else
        {
            dWeights.Clear();
            dValue.Clear();
        }
        if (node.DOutputs.Length > 1 && node.DOutputs[1] is { } dw) kernels.Add(dw.Span, dWeights);
        if (_dropping) TensorPrimitives.Multiply(dWeights, _dropMask!.Span, dWeights);

        // dScores = softmax backward (masked weights are 0, so padded steps get no gradient)
        var dScores = Ensure(ref _dScores, rows, Tv).Span;
        kernels.SoftMaxBackward(_weights!.Span, dWeights, rows, Tv, dScores);
        var factor = Factor;
        var dQuery = Ensure(ref _dQuery, B, Tq, D).Span;
        var dKey = Ensure(ref _dKey, B, Tv, D).Span;
        switch (Options.Score)
        {
            case AttentionScore.Dot:
            case AttentionScore.General:
                if (_scale is not null)
                    _scale.Gradient.Span[0] += TensorPrimitives.Dot(dScores, _raw!.Span) * (Options.ScaleByDimension ? 1f / MathF.Sqrt(D) : 1f);
                TensorPrimitives.Multiply(dScores, factor, dScores);      // now ∂loss/∂raw
                var left = Options.Score == AttentionScore.General ? _projected!.Span : _q.Span;
                var dLeft = Options.Score == AttentionScore.General ? Ensure(ref _dProjected, rows, D).Span : dQuery;
                for (var b = 0; b < B; b++)
                {
                    var ds = dScores.Slice(b * Tq * Tv, Tq * Tv);
                    // dLeft_b [Tq, D] = dRaw_b · K_b;  dK_b [Tv, D] = dRaw_bᵀ · Left_b
                    kernels.Gemm(ds, Tv, false, _k.Span.Slice(b * Tv * D, Tv * D), D, false, Tq, D, Tv, dLeft.Slice(b * Tq * D, Tq * D), D, accumulate: false);
                    kernels.Gemm(ds, Tv, true, left.Slice(b * Tq * D, Tq * D), D, false, Tv, D, Tq, dKey.Slice(b * Tv * D, Tv * D), D, accumulate: false);
                }
                if (Options.Score == AttentionScore.General)
                {
                    // dQ = dP · Wᵀ;  dW += Qᵀ · dP
                    kernels.Gemm(dLeft, D, false, _weight!.Value.Span, D, true, rows, D, D, dQuery, D, accumulate: false);
                    kernels.Gemm(_q.Span, D, true, dLeft, D, false, D, D, rows, _weight.Gradient.Span, D, accumulate: true);
                }
                break;
            default:
                var additive = Options.Score == AttentionScore.Additive;
                var dU = additive ? dQuery : Ensure(ref _dU, rows, A).Span;
                var dZ = additive ? dKey : Ensure(ref _dZ, B * Tv, A).Span;
                dU.Clear();
                dZ.Clear();
                var t = _tanh!.Span;
                var va = _v!.Value.Span;
                var dv = _v.Gradient.Span;   // (an Additive layer without a learned scale never reads it)
                for (var b = 0; b < B; b++)
                    for (var i = 0; i < Tq; i++)
                        for (var j = 0; j < Tv; j++)
                        {
                            var g = dScores[(b * Tq + i) * Tv + j] * factor;
                            if (g == 0f) continue;
                            var cell = t.Slice(((b * Tq + i) * Tv + j) * A, A);
                            var du = dU.Slice((b * Tq + i) * A, A);
                            var dz = dZ.Slice((b * Tv + j) * A, A);
                            for (var a = 0; a < A; a++)
                            {
                                dv[a] += g * cell[a];
                                var dPre = g * va[a] * (1f - cell[a] * cell[a]);
                                du[a] += dPre;
                                dz[a] += dPre;
                            }
                        }
                if (additive) break;
                // dQ = dU · W_q, dW_q += dUᵀ · Q; dK = dZ · W_k, dW_k += dZᵀ · K
                kernels.Gemm(dU, A, false, _weightQuery!.Value.Span, D, false, rows, D, A, dQuery, D, accumulate: false);
                kernels.Gemm(dU, A, true, _q.Span, D, false, A, D, rows, _weightQuery.Gradient.Span, D, accumulate: true);
                kernels.Gemm(dZ, A, false, _weightKey!.Value.Span, D, false, B * Tv, D, A, dKey, D, accumulate: false);
                kernels.Gemm(dZ, A, true, _k.Span, D, false, A, D, B * Tv, _weightKey.Gradient.Span, D, accumulate: true);
                break;
        }
        node.DInputs[0] = _dQuery;
        if (_hasKey)
        {
            node.DInputs[1] = _dValue;
            node.DInputs[2] = _dKey;
        }
        else
        {
            // The value served as the key too: its gradient is the sum.
            kernels.Add(dKey, dValue);
            node.DInputs[1] = _dValue;
        }
    }

    private protected override string CallForm => "Call(query, value)";
}

/// <summary>
/// Bahdanau et al. 2015's additive attention with Keras's <c>AdditiveAttention</c> semantics:
/// <c>score(qᵢ, kⱼ) = Σ_d s_d tanh(q_{i,d} + k_{j,d})</c>, with a learned scale <c>s [D]</c> by default; project the
/// query and key with <see cref="Dense"/> layers before it for Bahdanau's <c>vᵀ tanh(W q + U k)</c> (or use
/// <see cref="AttentionScore.Concat"/>, which has the projections inside). Masks, weights and dropout as <see cref="Attention"/>.
/// </summary>
public sealed class AdditiveAttention : Attention
{
    /// <summary>An additive attention layer; <paramref name="learnScale"/> is Keras's <c>use_scale</c> (default true).</summary>
    public AdditiveAttention(bool learnScale = true, float dropout = 0f, bool causal = false, bool returnAttentionScores = false, string? name = null)
        : base(new AttentionOptions
        {
            Score = AttentionScore.Additive, LearnScale = learnScale, Dropout = dropout, Causal = causal,
            ReturnAttentionScores = returnAttentionScores, Name = name ?? "additive_attention",
        })
    {
    }
}
