// TextBatches: a long token sequence cut into parallel streams and consecutive chunks, the batches of truncated
// back-propagation through time for a stateful language model (PyTorch's word-language-model "batchify").
using System.Globalization;

namespace LstmSharp.Data;

/// <summary>
/// Lays a token sequence out as <see cref="BatchSize"/> parallel contiguous streams — stream b is
/// <c>tokens[b·L .. (b+1)·L)</c> with <c>L = n / BatchSize</c> (the remainder is dropped) — and cuts them into
/// <see cref="BatchCount"/> consecutive chunks of <see cref="Steps"/> tokens. Batch k holds inputs
/// <c>x[b, t] = stream_b[k·T + t]</c> and next-token targets <c>y[b, t] = stream_b[k·T + t + 1]</c>, so row b of
/// batch k+1 continues row b of batch k exactly, as a <see cref="Layers.RnnOptions.Stateful"/> model expects.
/// Both are <c>[batch, steps]</c> ids stored as floats, the inputs <see cref="Layers.Embedding"/> and the targets
/// <see cref="Losses.SparseCategoricalCrossentropy"/> take for per-step outputs <c>[batch, steps, vocabulary]</c>.
/// A last chunk shorter than <see cref="Steps"/> is dropped, so every batch has the same shape. Embedding treats
/// id 0 as padding (masked), so number real tokens from 1.
/// </summary>
public sealed class TextBatches : IBatchSource
{
    readonly int[] _tokens;   // [BatchSize · StreamLength] the streams one after another
    Tensor? _x, _y;           // [BatchSize, Steps] the batch GetBatch hands out
    LstmSharp.Batch? _batch;

    /// <summary>
    /// Cuts <paramref name="tokens"/> (ids ≥ 0) into <paramref name="batchSize"/> streams and chunks of
    /// <paramref name="steps"/> tokens; the sequence needs at least <c>batchSize · (steps + 1)</c> tokens.
    /// </summary>
    public TextBatches(ReadOnlySpan<int> tokens, int batchSize, int steps)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"'batchSize' must be positive; received {batchSize}.");
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"'steps' must be positive; received {steps}.");
        BatchSize = batchSize;
        Steps = steps;
        StreamLength = tokens.Length / batchSize;
        BatchCount = StreamLength == 0 ? 0 : (StreamLength - 1) / steps;
        if (BatchCount == 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture,
                    $"{tokens.Length} tokens are too few for {batchSize} streams of chunks of {steps} steps; at least {(long)batchSize * (steps + 1)} are needed (each stream needs {steps} inputs and one more target). Use a smaller batch size or fewer steps."),
                nameof(tokens));
        }
        _tokens = tokens[..(batchSize * StreamLength)].ToArray();
        for (var i = 0; i < _tokens.Length; i++)
        {
            // Ids travel as floats: beyond 2^24 they would no longer be exact.
            if (_tokens[i] is < 0 or > 1 << 24)
                throw new ArgumentException($"Token {i} is {_tokens[i]}; ids must be in [0, {1 << 24}].", nameof(tokens));
        }
    }

    /// <summary>Number of parallel streams B: rows of every batch.</summary>
    public int BatchSize { get; }

    /// <summary>Chunk length T: steps of every batch.</summary>
    public int Steps { get; }

    /// <summary>Tokens per stream, L = n / B.</summary>
    public int StreamLength { get; }

    /// <summary>Number of batches, <c>(L − 1) / T</c>: every stream's inputs are its tokens 0 … L−2.</summary>
    public int BatchCount { get; }

    /// <summary>Fills <paramref name="x"/> and <paramref name="y"/>, each <c>[BatchSize, Steps]</c>, with batch <paramref name="k"/>; allocates nothing.</summary>
    public void Fill(int k, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (k < 0 || k >= BatchCount) throw new ArgumentOutOfRangeException(nameof(k), k, $"'k' must be in [0, {BatchCount - 1}]; received {k}.");
        CheckShape(x, nameof(x));
        CheckShape(y, nameof(y));
        int B = BatchSize, T = Steps, L = StreamLength;
        Span<float> xs = x.Span, ys = y.Span;
        for (var b = 0; b < B; b++)
        {
            var chunk = _tokens.AsSpan(b * L + k * T, T + 1);
            for (var t = 0; t < T; t++)
            {
                xs[b * T + t] = chunk[t];
                ys[b * T + t] = chunk[t + 1];
            }
        }
    }

    /// <summary>The streams are read in order every epoch: nothing to shuffle.</summary>
    public void BeginEpoch(int epoch)
    {
    }

    /// <summary>
    /// Batch <paramref name="index"/> for <see cref="Model.Fit(IBatchSource, FitOptions?)"/>: inputs and next-token targets
    /// in buffers the next call refills (allocates nothing once made).
    /// </summary>
    public LstmSharp.Batch GetBatch(int index)
    {
        if (_batch is null)
        {
            _x = Tensor.Zeros(BatchSize, Steps);
            _y = Tensor.Zeros(BatchSize, Steps);
            _batch = new LstmSharp.Batch([_x], [_y]);
        }
        Fill(index, _x!, _y!);
        return _batch;
    }

    /// <summary>Batch <paramref name="k"/> as new tensors: inputs and targets, each <c>[BatchSize, Steps]</c>.</summary>
    public (Tensor X, Tensor Y) Batch(int k)
    {
        var x = Tensor.Zeros(BatchSize, Steps);
        var y = Tensor.Zeros(BatchSize, Steps);
        Fill(k, x, y);
        return (x, y);
    }

    /// <summary>
    /// Every batch stacked in order, inputs and targets each <c>[BatchCount · BatchSize, Steps]</c>: what
    /// <see cref="Model.Fit(Tensor, Tensor, FitOptions?)"/> with <c>BatchSize = </c><see cref="BatchSize"/> and <c>Shuffle = false</c>
    /// cuts back into these batches.
    /// </summary>
    public (Tensor X, Tensor Y) ToSamples()
    {
        int B = BatchSize, T = Steps;
        var x = Tensor.Zeros(BatchCount * B, T);
        var y = Tensor.Zeros(BatchCount * B, T);
        for (var k = 0; k < BatchCount; k++) Fill(k, x.Slice(k * B, B), y.Slice(k * B, B));
        return (x, y);
    }

    void CheckShape(Tensor t, string name)
    {
        if (!t.HasShape(BatchSize, Steps))
            throw new ArgumentException($"TextBatches: '{name}' must be [{BatchSize}, {Steps}] (batch size, steps); received [{Tensor.FormatShape(t.Shape)}].", name);
    }
}
