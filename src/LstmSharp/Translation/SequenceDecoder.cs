// SequenceDecoder: greedy and beam-search decoding of a sequence-to-sequence model given as an encoder model
// (source ids → initial decoder states) and a one-step decoder model ([token, states…] → [logits, next states…]).
using LstmSharp.Internals;
using LstmSharp.Kernels;

namespace LstmSharp.Translation;

/// <summary>
/// Decodes output sequences from an encoder model <c>[source [1, Ts]] → [state₁ [1, …], …, context₁ [1, …], …]</c>
/// and a one-step decoder model <c>[token [N, 1], state₁ [N, …], …, context₁ [N, …], …] → [logits [N, 1, V] or [N, V],
/// next state₁, …]</c> that share a trained model's layers (the README's encoder–decoder example builds both). States
/// change every step and follow their beam; states the encoder does not give (an attention decoder's fed-back
/// vector) start at zero; contexts (the encoder's sequence an attention decoder reads) are the same for every row
/// and step. <see cref="Greedy"/> takes the most
/// likely token at every step; <see cref="Beam"/> keeps the K best prefixes, run as one batch of K rows. The decoder
/// keeps its buffers between calls, so it is not thread-safe: use one per thread.
/// </summary>
public sealed partial class SequenceDecoder
{
    readonly Model _encoder, _step;
    readonly int _stateCount;   // the step model's states; its inputs after them are constant contexts (an attention memory)
    readonly int _givenStates;  // the states the encoder gives; the others start at zero
    readonly Tensor[] _encoderInputs = new Tensor[1];
    readonly KernelSet _kernels = KernelSet.Default;
    Rows? _greedyRows;
    float[] _greedyLogProbs = [];   // [V]

    /// <summary>
    /// Checks that the two models fit together: one encoder input; the step model takes [token, S states, C contexts]
    /// and gives [logits, S next states]; the encoder gives the first states (those it leaves out start at zero) and
    /// then the C contexts.
    /// </summary>
    public SequenceDecoder(Model encoder, Model step, SequenceDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(step);
        options ??= new();
        options.Validate();
        if (encoder.Inputs.Count != 1)
            throw new ArgumentException($"The encoder model '{encoder.Name}' must take one input (the source ids [batch, time]); received {encoder.Inputs.Count}.", nameof(encoder));
        var states = step.Outputs.Count - 1;
        var contexts = step.Inputs.Count - 1 - states;
        var given = encoder.Outputs.Count - contexts;
        if (states < 0 || contexts < 0 || given < 0 || given > states)
            throw new ArgumentException(
                $"The step model '{step.Name}' must take [token, states…, contexts…] and give [logits, next states…], and the encoder '{encoder.Name}' give [states…, contexts…] " +
                $"with at most as many states; received a step model of {step.Inputs.Count} input(s) and {step.Outputs.Count} output(s) and an encoder of {encoder.Outputs.Count} output(s).", nameof(step));
        for (var s = given; s < states; s++)
        {
            if (step.Inputs[1 + s].Shape.Any(d => d < 0))
                throw new ArgumentException($"The step model's state input '{step.Inputs[1 + s].Name}' starts at zero (the encoder does not give it), so its shape must be fixed; it is {step.Inputs[1 + s].Describe()}.", nameof(step));
        }
        _encoder = encoder;
        _step = step;
        _stateCount = states;
        _givenStates = given;
        Options = options;
    }

    /// <summary>The start and end ids and the length limit.</summary>
    public SequenceDecoderOptions Options { get; }

    /// <summary>The vocabulary size V, known after the first decoding (0 before).</summary>
    public int VocabularySize { get; private set; }

    /// <summary>
    /// The most likely token at every step (the lowest id on a tie; never the padding id 0) until the end token or the length limit, for
    /// one source sequence <paramref name="sourceIds"/> <c>[1, Ts]</c> (id 0 is padding). The score is the
    /// log-probability (no length penalty).
    /// </summary>
    public Hypothesis Greedy(Tensor sourceIds)
    {
        var (maxLength, encoded) = Encode(sourceIds);
        var rows = _greedyRows = Rows.Ensure(_greedyRows, 1, encoded, this);
        rows.Start(Options.StartId, encoded);
        var tokens = new List<int>();
        double logProbability = 0;
        var finished = false;
        for (var t = 1; t <= maxLength; t++)
        {
            var outputs = RunStep(rows);
            if (_greedyLogProbs.Length != VocabularySize) _greedyLogProbs = new float[VocabularySize];
            var logProbs = _greedyLogProbs.AsSpan();
            _kernels.LogSoftMax(outputs[0].Span, 1, VocabularySize, logProbs);
            var best = 1;   // id 0 is padding, never produced
            for (var v = 2; v < logProbs.Length; v++)
                if (logProbs[v] > logProbs[best]) best = v;
            logProbability += logProbs[best];
            if (best == Options.EndId) { finished = true; break; }
            tokens.Add(best);
            rows.Token.Span[0] = best;
            for (var s = 0; s < rows.States.Length; s++) outputs[1 + s].Span.CopyTo(rows.States[s].Span);
        }
        return new Hypothesis(tokens.ToArray(), finished, logProbability, logProbability);
    }

    /// <summary>Checks the source, runs the encoder and gives the step limit and the states (the encoder's buffers).</summary>
    (int MaxLength, IReadOnlyList<Tensor> States) Encode(Tensor sourceIds)
    {
        ArgumentNullException.ThrowIfNull(sourceIds);
        if (sourceIds.Rank != 2 || sourceIds.Dim(0) != 1 || sourceIds.Dim(1) < 1)
            throw new ArgumentException($"Decoding takes one source sequence of ids [1, time]; received [{string.Join(", ", sourceIds.Shape.ToArray())}].", nameof(sourceIds));
        var length = 0;
        foreach (var id in sourceIds.Span) if (id != 0f) length++;
        _encoderInputs[0] = sourceIds;
        var states = _encoder.Forward(_encoderInputs);
        return (Options.MaxLengthFor(length), states);
    }

    /// <summary>One decoder step on every row; checks the outputs' shapes and learns V on the first call.</summary>
    IReadOnlyList<Tensor> RunStep(Rows rows)
    {
        var outputs = _step.Forward(rows.Inputs);
        var logits = outputs[0];
        var n = rows.Count;
        if (!(logits.Rank == 2 || (logits.Rank == 3 && logits.Dim(1) == 1)) || logits.Dim(0) != n)
            throw new InvalidOperationException($"The step model's first output must be logits [{n}, 1, V] or [{n}, V]; received [{string.Join(", ", logits.Shape.ToArray())}].");
        var vocabulary = logits.Dim(-1);
        if (vocabulary != VocabularySize)
        {
            if (Options.StartId >= vocabulary || Options.EndId >= vocabulary)
                throw new InvalidOperationException($"StartId ({Options.StartId}) and EndId ({Options.EndId}) must be below the vocabulary size {vocabulary} of the step model's logits.");
            VocabularySize = vocabulary;
        }
        for (var s = 0; s < rows.States.Length; s++)
            if (outputs[1 + s].Length != rows.States[s].Length)
                throw new InvalidOperationException($"The step model's next state {s + 1} has shape [{string.Join(", ", outputs[1 + s].Shape.ToArray())}]; the encoder's state has [{string.Join(", ", rows.States[s].Shape.ToArray())}] per row.");
        return outputs;
    }

    /// <summary>
    /// The step model's inputs for <see cref="Count"/> rows: token [N, 1], one buffer per state and per context
    /// [N, …], with the shapes of the encoder's outputs. Made once per row count and shapes, then reused.
    /// </summary>
    sealed class Rows
    {
        Rows(int count, Tensor[] states, Tensor[] contexts)
        {
            Count = count;
            Token = Tensor.Zeros(count, 1);
            States = states;
            Contexts = contexts;
            Inputs = [Token, .. states, .. contexts];
        }

        public int Count { get; }
        public Tensor Token { get; }      // [N, 1]
        public Tensor[] States { get; }   // each [N, …]
        public Tensor[] Contexts { get; } // each [N, …], every row the same
        public Tensor[] Inputs { get; }   // [Token, States…, Contexts…]

        /// <summary>Rows for <paramref name="count"/> rows shaped like the encoder's last outputs, reusing <paramref name="rows"/> when they fit.</summary>
        public static Rows Ensure(Rows? rows, int count, IReadOnlyList<Tensor> encoded, SequenceDecoder decoder)
        {
            var shapes = Shapes(encoded, decoder);
            if (rows is not null && rows.Count == count && rows.Fits(shapes)) return rows;
            var buffers = shapes.Select(shape => Tensor.Zeros([count, .. shape])).ToArray();
            return new Rows(count, buffers[..decoder._stateCount], buffers[decoder._stateCount..]) { _given = decoder._givenStates };
        }

        int _given;

        /// <summary>The per-row shape of every state and context: the encoder's, or the step model's input for a state the encoder does not give.</summary>
        static int[][] Shapes(IReadOnlyList<Tensor> encoded, SequenceDecoder decoder)
        {
            int states = decoder._stateCount, given = decoder._givenStates;
            var shapes = new int[states + encoded.Count - given][];
            for (var s = 0; s < shapes.Length; s++)
            {
                if (s >= given && s < states)
                {
                    shapes[s] = [.. decoder._step.Inputs[1 + s].Shape];
                    continue;
                }
                var e = encoded[s < given ? s : s - states + given];
                if (e.Rank < 2 || e.Dim(0) != 1)
                    throw new InvalidOperationException($"The encoder's outputs must be states or contexts [1, …] for the one source row; received [{string.Join(", ", e.Shape.ToArray())}].");
                shapes[s] = e.Shape[1..].ToArray();
            }
            return shapes;
        }

        /// <summary>Every row starts from the encoder's outputs (zeros for the states it does not give) and the start token.</summary>
        public void Start(int startId, IReadOnlyList<Tensor> encoded)
        {
            Token.Span.Fill(startId);
            for (var s = 0; s < States.Length + Contexts.Length; s++)
            {
                var buffer = s < States.Length ? States[s] : Contexts[s - States.Length];
                if (s >= _given && s < States.Length)
                {
                    buffer.Span.Clear();
                    continue;
                }
                var row = encoded[s < _given ? s : s - States.Length + _given].Span;
                for (var r = 0; r < Count; r++) row.CopyTo(buffer.Span.Slice(r * row.Length, row.Length));
            }
        }

        bool Fits(int[][] shapes)
        {
            if (shapes.Length != States.Length + Contexts.Length) return false;
            for (var s = 0; s < shapes.Length; s++)
            {
                var buffer = s < States.Length ? States[s] : Contexts[s - States.Length];
                if (!shapes[s].AsSpan().SequenceEqual(buffer.Shape[1..])) return false;
            }
            return true;
        }
    }
}
