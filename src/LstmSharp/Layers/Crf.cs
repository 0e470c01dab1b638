// Crf: a linear-chain conditional random field over per-step tag scores (Lafferty et al. 2001), the output layer of
// the BiLSTM-CRF taggers (Huang et al. 2015; Lample et al. 2016). The layer holds the transition scores and passes the
// emissions through; CrfLoss trains both with the sequence log-likelihood (the forward algorithm, in double), Decode
// finds each sequence's best tag path (Viterbi). Constraints exclude transitions outright (score −∞), as AllenNLP's
// allowed_transitions do for BIO/IOBES.
using System.Numerics.Tensors;
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// A linear-chain CRF on emissions <c>[batch, time, tags]</c> (e.g. a <see cref="Dense"/> layer of one unit per tag).
/// A tag path y over a sequence's real steps scores
/// <c>start[y₀] + Σₜ emissions[t, yₜ] + Σₜ transitions[yₜ₋₁, yₜ] + end[y_last]</c>; train it with
/// <see cref="Losses.CrfLoss"/> (the negative log-likelihood of the target path) and read the best paths with
/// <see cref="Decode(Tensor, Tensor?)"/>. Parameters, as pytorch-crf names them: <c>transitions [tags, tags]</c> (row: from, column: to),
/// <c>start_transitions [tags]</c>, <c>end_transitions [tags]</c>. The output is the input (and its mask) unchanged.
/// Padded steps (mask 0) are skipped: the chain links the real steps in order.
/// </summary>
public sealed class Crf : Layer
{
    Parameter? _transitions, _start, _end;
    Tensor? _output, _dInput;
    double[] _trans = [], _transT = [], _startScores = [], _endScores = [];   // effective scores, −∞ where not allowed
    double[] _alpha = [], _beta = [], _work = [], _next = [];
    int[] _steps = [], _tags = [], _back = [];

    /// <summary>A CRF layer; <paramref name="constraints"/> (checked against the tag count when built) forbids transitions.</summary>
    public Crf(CrfConstraints? constraints = null, string? name = null)
        : base(name) => Constraints = constraints;

    /// <summary>The allowed transitions, starts and ends; null allows all.</summary>
    public CrfConstraints? Constraints { get; }

    /// <summary>The number of tags (the emissions' last axis); 0 before the layer is built.</summary>
    public int TagCount => InputShape is { } shape ? shape[^1] : 0;

    /// <summary>The transition scores <c>[from, to]</c>.</summary>
    public Parameter Transitions => _transitions ?? throw NotBuilt();

    /// <summary>The scores of starting a sequence in each tag.</summary>
    public Parameter StartTransitions => _start ?? throw NotBuilt();

    /// <summary>The scores of ending a sequence in each tag.</summary>
    public Parameter EndTransitions => _end ?? throw NotBuilt();

    InvalidOperationException NotBuilt() => new($"Crf '{Name}' is not built yet; call it on emissions [batch, time, tags] in a model first.");

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => inputShape.ToArray();

    /// <inheritdoc />
    private protected override void ValidateInput(int[] inputShape)
    {
        if (inputShape.Length != 2 || inputShape[1] < 1)
            throw new ArgumentException($"Crf '{Name}' takes emissions [batch, time, tags]; received an input shape [batch, {Tensor.FormatShape(inputShape)}].");
        if (Constraints is { } c && c.TagCount != inputShape[1])
            throw new ArgumentException($"Crf '{Name}' has constraints for {c.TagCount} tags; its emissions have {inputShape[1]}.");
    }

    /// <inheritdoc />
    private protected override int[] OnBuild(int[] inputShape, Rng rng)
    {
        var k = inputShape[1];
        _transitions = new Parameter("transitions", Tensor.Zeros(k, k));
        _start = new Parameter("start_transitions", Tensor.Zeros(k));
        _end = new Parameter("end_transitions", Tensor.Zeros(k));
        foreach (var p in new[] { _start, _end, _transitions })   // pytorch-crf's U(−0.1, 0.1)
        {
            var values = p.Value.Span;
            for (var i = 0; i < values.Length; i++) values[i] = rng.Uniform(-0.1f, 0.1f);
        }
        SetParameters([_transitions, _start, _end]);
        return OutputShapeFor(inputShape);
    }

    internal override long ParameterCountFor(int[] inputShape)
        => inputShape.Length == 2 ? checked((long)inputShape[1] * (inputShape[1] + 2)) : 0;

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
        if (Constraints is not { } c) return;
        json.WriteStartObject("constraints");
        WriteFlags(json, "transitions", c.Transitions);
        WriteFlags(json, "start", c.Start);
        WriteFlags(json, "end", c.End);
        json.WriteEndObject();

        static void WriteFlags(System.Text.Json.Utf8JsonWriter json, string name, IReadOnlyList<bool> flags)
        {
            json.WriteStartArray(name);
            foreach (var f in flags) json.WriteNumberValue(f ? 1 : 0);
            json.WriteEndArray();
        }
    }

    /// <inheritdoc />
    private protected override Tensor OnForward(Tensor input, bool training)
    {
        CheckShape(input, [-1, -1, TagCount], "emissions [batch, time, tags]", "Give the CRF one score per tag, e.g. from Dense(tags).");
        var output = Ensure(ref _output, input.Shape);
        input.Span.CopyTo(output.Span);
        return output;
    }

    /// <inheritdoc />
    private protected override Tensor OnBackward(Tensor dOutput)
    {
        if (_output is null) throw NoForward();
        CheckShape(dOutput, _output.Shape, "the output gradient", "It must have the shape of the last Forward's output.");
        var dInput = Ensure(ref _dInput, dOutput.Shape);
        dOutput.Span.CopyTo(dInput.Span);
        return dInput;
    }

    /// <summary>
    /// The best tag path of every sequence of <paramref name="emissions"/> <c>[batch, time, tags]</c> (Viterbi; ties go to
    /// the lower tag): one array per sequence with a tag for each real step (mask 1, all steps without a mask), in order.
    /// </summary>
    public int[][] Decode(Tensor emissions, Tensor? mask = null) => Decode(emissions, mask, out _);

    /// <summary>As <see cref="Decode(Tensor, Tensor?)"/>, also giving each path's score.</summary>
    public int[][] Decode(Tensor emissions, Tensor? mask, out double[] scores)
    {
        var (b, t, k) = CheckEmissions(emissions, mask);
        PrepareScores();
        var paths = new int[b][];
        scores = new double[b];
        for (var row = 0; row < b; row++)
        {
            var n = RealSteps(mask, row, t);
            paths[row] = new int[n];
            scores[row] = n == 0 ? 0 : Viterbi(emissions.Span.Slice(row * t * k, t * k), n, k, paths[row]);
        }
        return paths;
    }

    /// <summary>
    /// Σ_b w_b·NLL_b / batch over the sequences of <paramref name="emissions"/>, with the target tags
    /// <paramref name="targets"/> <c>[batch, time]</c>; writes ∂/∂emissions into <paramref name="dEmissions"/> and adds
    /// ∂/∂parameters to the gradients. <paramref name="stepWeights"/> <c>[batch·time]</c> is 0 at padded steps and a
    /// sequence's weight at its real steps.
    /// </summary>
    internal double NegativeLogLikelihood(Tensor emissions, Tensor targets, Tensor? stepWeights, Tensor dEmissions)
    {
        var (batch, t, k) = CheckEmissions(emissions, null);
        PrepareScores();
        var y = targets.Span;
        var d = dEmissions.Span;
        d.Clear();
        Span<float> dTrans = Transitions.Gradient.Span, dStart = StartTransitions.Gradient.Span, dEnd = EndTransitions.Gradient.Span;
        double total = 0;
        EnsureLength(ref _tags, t);
        for (var row = 0; row < batch; row++)
        {
            // The sequence's real steps, its weight (the same at each of them) and its target tags.
            var weight = 0f;
            var n = 0;
            for (var s = 0; s < t; s++)
            {
                var w = stepWeights is null ? 1f : stepWeights.Span[row * t + s];
                if (w == 0f) continue;
                if (n > 0 && w != weight)
                    throw new ArgumentException($"CrfLoss weighs whole sequences; sequence {row} has weights {weight} and {w} at different steps (class weights do not apply to a CRF).");
                weight = w;
                var tag = y[row * t + s];
                if (!(tag >= 0 && tag < k && tag == MathF.Floor(tag)))
                    throw new ArgumentException($"CrfLoss needs tag ids in [0, {k - 1}]; sequence {row}, step {s} has {tag}.");
                _steps[n] = s;
                _tags[n++] = (int)tag;
            }
            if (n == 0) continue;
            var e = emissions.Span.Slice(row * t * k, t * k);
            var score = PathScore(e, n, k, row);
            var logZ = ForwardBackward(e, n, k);
            total += weight * (logZ - score);

            // ∂NLL/∂score = marginals − target counts, times w/batch.
            var scale = weight / batch;
            var dRow = d.Slice(row * t * k, t * k);
            for (var i = 0; i < n; i++)
            {
                var at = _steps[i] * k;
                for (var j = 0; j < k; j++) dRow[at + j] = (float)(scale * Math.Exp(_alpha[i * k + j] + _beta[i * k + j] - logZ));
                dRow[at + _tags[i]] -= (float)scale;
            }
            for (var j = 0; j < k; j++)
            {
                dStart[j] += (float)(scale * Math.Exp(_alpha[j] + _beta[j] - logZ));
                dEnd[j] += (float)(scale * Math.Exp(_alpha[(n - 1) * k + j] + _beta[(n - 1) * k + j] - logZ));
            }
            dStart[_tags[0]] -= (float)scale;
            dEnd[_tags[n - 1]] -= (float)scale;
            for (var i = 1; i < n; i++)
            {
                var at = _steps[i] * k;
                for (var from = 0; from < k; from++)
                {
                    var a = _alpha[(i - 1) * k + from];
                    if (double.IsNegativeInfinity(a)) continue;
                    for (var to = 0; to < k; to++)
                    {
                        var pair = a + _trans[from * k + to] + e[at + to] + _beta[i * k + to] - logZ;
                        if (!double.IsNegativeInfinity(pair)) dTrans[from * k + to] += (float)(scale * Math.Exp(pair));
                    }
                }
                dTrans[_tags[i - 1] * k + _tags[i]] -= (float)scale;
            }
        }
        return total / batch;
    }

    (int Batch, int Time, int Tags) CheckEmissions(Tensor emissions, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(emissions);
        if (!IsBuilt) throw NotBuilt();
        CheckShape(emissions, [-1, -1, TagCount], "emissions [batch, time, tags]", "Give the CRF one score per tag.");
        int b = emissions.Dim(0), t = emissions.Dim(1);
        if (mask is not null && !mask.HasShape(b, t))
            throw new ArgumentException($"Crf '{Name}' needs a mask [batch, time] = [{b}, {t}]; received [{Tensor.FormatShape(mask.Shape)}].", nameof(mask));
        var values = emissions.Span;
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Crf '{Name}' received a non-finite emission {values[i]} at {emissions.IndexOf(i)}.", nameof(emissions));
        }
        EnsureLength(ref _steps, t);
        return (b, t, TagCount);
    }

    /// <summary>Collects the real steps of <paramref name="row"/> into _steps; returns their count.</summary>
    int RealSteps(Tensor? mask, int row, int t)
    {
        var n = 0;
        for (var s = 0; s < t; s++)
            if (mask is null || mask.Span[row * t + s] != 0f) _steps[n++] = s;
        return n;
    }

    /// <summary>The scores in double, −∞ where the constraints forbid; the transposed copy serves the forward recursion.</summary>
    void PrepareScores()
    {
        var k = TagCount;
        EnsureLength(ref _trans, k * k);
        EnsureLength(ref _transT, k * k);
        EnsureLength(ref _startScores, k);
        EnsureLength(ref _endScores, k);
        ReadOnlySpan<float> trans = Transitions.Value.Span, start = StartTransitions.Value.Span, end = EndTransitions.Value.Span;
        var c = Constraints;
        for (var from = 0; from < k; from++)
            for (var to = 0; to < k; to++)
            {
                var v = c is null || c.Transitions[from * k + to] ? trans[from * k + to] : double.NegativeInfinity;
                _trans[from * k + to] = v;
                _transT[to * k + from] = v;
            }
        for (var j = 0; j < k; j++)
        {
            _startScores[j] = c is null || c.Start[j] ? start[j] : double.NegativeInfinity;
            _endScores[j] = c is null || c.End[j] ? end[j] : double.NegativeInfinity;
        }
    }

    /// <summary>The score of the target path in _tags over the steps in _steps; throws when the constraints forbid it.</summary>
    double PathScore(ReadOnlySpan<float> e, int n, int k, int row)
    {
        var score = _startScores[_tags[0]] + _endScores[_tags[n - 1]];
        for (var i = 0; i < n; i++)
        {
            score += e[_steps[i] * k + _tags[i]];
            if (i > 0) score += _trans[_tags[i - 1] * k + _tags[i]];
        }
        if (double.IsNegativeInfinity(score))
            throw new ArgumentException($"Crf '{Name}': the target tags of sequence {row} ({string.Join(" ", _tags[..n])}) take a transition its constraints forbid.");
        return score;
    }

    /// <summary>Fills _alpha and _beta [n, k] (log space) for the steps in _steps and returns log Z.</summary>
    double ForwardBackward(ReadOnlySpan<float> e, int n, int k)
    {
        EnsureLength(ref _alpha, n * k);
        EnsureLength(ref _beta, n * k);
        EnsureLength(ref _work, k);
        EnsureLength(ref _next, k);
        Span<double> work = _work.AsSpan(0, k), next = _next.AsSpan(0, k);
        for (var j = 0; j < k; j++) _alpha[j] = _startScores[j] + e[_steps[0] * k + j];
        for (var i = 1; i < n; i++)
        {
            var previous = _alpha.AsSpan((i - 1) * k, k);
            var at = _steps[i] * k;
            for (var to = 0; to < k; to++)
            {
                TensorPrimitives.Add(previous, _transT.AsSpan(to * k, k), work);
                _alpha[i * k + to] = LogSumExp(work) + e[at + to];
            }
        }
        for (var j = 0; j < k; j++) _beta[(n - 1) * k + j] = _endScores[j];
        for (var i = n - 2; i >= 0; i--)
        {
            // next[j] = e[step i+1, j] + β[i+1, j]; β[i, from] = LSE_j(trans[from, j] + next[j])
            var at = _steps[i + 1] * k;
            for (var j = 0; j < k; j++) next[j] = e[at + j] + _beta[(i + 1) * k + j];
            for (var from = 0; from < k; from++)
            {
                TensorPrimitives.Add(next, _trans.AsSpan(from * k, k), work);
                _beta[i * k + from] = LogSumExp(work);
            }
        }
        TensorPrimitives.Add(_alpha.AsSpan((n - 1) * k, k), _endScores.AsSpan(0, k), work);
        return LogSumExp(work);
    }

    /// <summary>log Σ exp(values), in place in <paramref name="values"/> (scratch afterwards); −∞ when every value is −∞.</summary>
    static double LogSumExp(Span<double> values)
    {
        var max = TensorPrimitives.Max(values);
        if (double.IsNegativeInfinity(max)) return max;
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, values);
        return max + Math.Log(TensorPrimitives.Sum(values));
    }

    /// <summary>The best path over the steps in _steps into <paramref name="path"/>; returns its score.</summary>
    double Viterbi(ReadOnlySpan<float> e, int n, int k, int[] path)
    {
        EnsureLength(ref _alpha, n * k);
        EnsureLength(ref _back, n * k);
        for (var j = 0; j < k; j++) _alpha[j] = _startScores[j] + e[_steps[0] * k + j];
        for (var i = 1; i < n; i++)
        {
            var at = _steps[i] * k;
            for (var to = 0; to < k; to++)
            {
                var (best, arg) = (double.NegativeInfinity, 0);
                for (var from = 0; from < k; from++)
                {
                    var v = _alpha[(i - 1) * k + from] + _trans[from * k + to];
                    if (v > best) (best, arg) = (v, from);
                }
                _alpha[i * k + to] = best + e[at + to];
                _back[i * k + to] = arg;
            }
        }
        var (score, last) = (double.NegativeInfinity, 0);
        for (var j = 0; j < k; j++)
        {
            var v = _alpha[(n - 1) * k + j] + _endScores[j];
            if (v > score) (score, last) = (v, j);
        }
        path[n - 1] = last;
        for (var i = n - 1; i > 0; i--) path[i - 1] = _back[i * k + path[i]];
        return score;
    }

    static void EnsureLength<T>(ref T[] array, int length)
    {
        if (array.Length < length) array = new T[length];
    }
}

/// <summary>
/// Which transitions a <see cref="Crf"/> allows: <paramref name="Transitions"/> <c>[from·tags + to]</c>, which tags may
/// start (<paramref name="Start"/>) and end (<paramref name="End"/>) a sequence. A forbidden one scores −∞: no path
/// takes it, in training or decoding.
/// </summary>
public sealed record CrfConstraints(IReadOnlyList<bool> Transitions, IReadOnlyList<bool> Start, IReadOnlyList<bool> End)
{
    /// <summary>The number of tags.</summary>
    public int TagCount => Start.Count;

    /// <summary>Constraints for <paramref name="tags"/> tags from <paramref name="allowed"/>(from, to), where a null from is the start and a null to the end.</summary>
    public static CrfConstraints Create(int tags, Func<int?, int?, bool> allowed)
    {
        Guard.Positive(tags);
        ArgumentNullException.ThrowIfNull(allowed);
        var transitions = new bool[tags * tags];
        for (var from = 0; from < tags; from++)
            for (var to = 0; to < tags; to++) transitions[from * tags + to] = allowed(from, to);
        var start = Enumerable.Range(0, tags).Select(j => allowed(null, j)).ToArray();
        var end = Enumerable.Range(0, tags).Select(j => allowed(j, null)).ToArray();
        return Validated(transitions, start, end);
    }

    /// <summary>Checks the sizes and that some path exists (a tag that may start and, step by step, reach one that may end).</summary>
    internal static CrfConstraints Validated(bool[] transitions, bool[] start, bool[] end)
    {
        var k = start.Length;
        if (k == 0 || end.Length != k || transitions.Length != k * k)
            throw new ArgumentException($"CRF constraints need {k}×{k} transitions and {k} start and end flags; received {transitions.Length}, {start.Length} and {end.Length}.");
        if (!start.Any(s => s) || !end.Any(e => e))
            throw new ArgumentException("CRF constraints must let at least one tag start and one tag end a sequence.");
        return new CrfConstraints(transitions, start, end);
    }
}
