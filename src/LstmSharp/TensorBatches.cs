// TensorBatches: the batch source behind Fit and Evaluate on tensors — mini-batches of samples gathered in a
// (shuffled) order into reused buffers, with the padding mask and each output's row weights.
using LstmSharp.Internals;
using LstmSharp.Metrics;

namespace LstmSharp;

internal sealed class TensorBatches : IBatchSource
{
    readonly Model _model;
    readonly IReadOnlyList<Tensor> _x, _y;
    readonly int _batchSize;
    readonly bool _shuffle;
    readonly Tensor? _mask;                  // [samples, time] of the first input, or null
    readonly Tensor?[] _sampleWeights;       // per output: [samples] or [samples, time], or null
    readonly IReadOnlyDictionary<int, float>? _classWeights;
    readonly bool _weighted;
    readonly Tensor?[] _xBuffers, _yBuffers, _wBuffers;
    Tensor? _maskBuffer;
    readonly Tensor[] _inputs, _targets;
    readonly Tensor?[] _masks, _weights;
    readonly Batch _batch;
    readonly int[][] _rowShapes;             // per output: its sample shape without the last axis

    /// <summary>Batches of the first <paramref name="count"/> samples, reshuffled each epoch when <paramref name="shuffle"/>.</summary>
    public TensorBatches(Model model, IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int count, int batchSize, bool shuffle, Rng rng,
        Tensor? mask, Tensor?[] sampleWeights, IReadOnlyDictionary<int, float>? classWeights)
    {
        (_model, _x, _y, _batchSize, _shuffle, _mask, _sampleWeights, _classWeights) = (model, x, y, batchSize, shuffle, mask, sampleWeights, classWeights);
        Shuffle = rng;
        Order = [.. Enumerable.Range(0, count)];
        _weighted = classWeights is not null || sampleWeights.Any(w => w is not null);
        _xBuffers = new Tensor?[x.Count];
        _yBuffers = new Tensor?[y.Count];
        _wBuffers = new Tensor?[y.Count];
        _inputs = new Tensor[x.Count];
        _targets = new Tensor[y.Count];
        _masks = new Tensor?[x.Count];
        _weights = new Tensor?[y.Count];
        _batch = new Batch(_inputs, _targets, _masks, _weighted ? _weights : null);
        _rowShapes = [.. model.Outputs.Select(s => s.Shape.Take(Math.Max(0, s.Shape.Count - 1)).ToArray())];
    }

    /// <summary>All samples in their order, unweighted (evaluation and validation).</summary>
    public static TensorBatches InOrder(Model model, IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize, Tensor? mask)
        => new(model, x, y, x[0].Dim(0), batchSize, shuffle: false, new Rng(0), mask, new Tensor?[y.Count], null);

    /// <summary>The shuffling generator (checkpoints save and restore it).</summary>
    public Rng Shuffle { get; }

    /// <summary>The sample order of the current epoch (checkpoints save and restore it).</summary>
    public int[] Order { get; }

    public int BatchCount => (Order.Length + _batchSize - 1) / _batchSize;

    public void BeginEpoch(int epoch)
    {
        if (_shuffle) Shuffle.Shuffle<int>(Order);
    }

    public Batch GetBatch(int index)
    {
        var rows = Order.AsSpan(index * _batchSize, Math.Min(_batchSize, Order.Length - index * _batchSize));
        for (var i = 0; i < _x.Count; i++) _inputs[i] = Gather(_x[i], rows, ref _xBuffers[i]);
        for (var o = 0; o < _y.Count; o++)
        {
            _targets[o] = Gather(_y[o], rows, ref _yBuffers[o]);
            if (_weighted) _weights[o] = RowWeights(o, _targets[o], rows);
        }
        _masks[0] = _mask is null ? null : Gather(_mask, rows, ref _maskBuffer);
        return _batch;
    }

    /// <summary>One weight per row of output <paramref name="o"/>'s predictions: sample weight × class weight of the row's target.</summary>
    Tensor RowWeights(int o, Tensor by, ReadOnlySpan<int> batch)
    {
        var outputShape = _model.Outputs[o].Shape;
        ReadOnlySpan<int> rowShape = outputShape.Count > 0 ? _rowShapes[o] : [];
        Span<int> shape = stackalloc int[rowShape.Length + 1];
        shape[0] = batch.Length;
        for (var d = 0; d < rowShape.Length; d++) shape[d + 1] = rowShape[d] < 0 ? by.Dim(d + 1) : rowShape[d];
        var w = Tensor.Ensure(ref _wBuffers[o], shape);
        var rowsPerSample = w.Length / batch.Length;
        var targetWidth = by.Length / w.Length;
        var span = w.Span;
        var sampleWeights = _sampleWeights[o];
        for (var s = 0; s < batch.Length; s++)
        {
            for (var r = 0; r < rowsPerSample; r++)
            {
                var weight = 1f;
                if (sampleWeights is not null)
                {
                    weight = sampleWeights.Rank == 1 ? sampleWeights.Span[batch[s]] : sampleWeights.Span[batch[s] * rowsPerSample + r];
                }
                if (_classWeights is not null)
                {
                    var target = by.Span.Slice((s * rowsPerSample + r) * targetWidth, targetWidth);
                    var label = targetWidth == 1 ? (int)MathF.Round(target[0]) : CategoricalAccuracy.ArgMax(target);
                    weight *= _classWeights.TryGetValue(label, out var cw) ? cw : 1f;
                }
                span[s * rowsPerSample + r] = weight;
            }
        }
        return w;
    }

    static Tensor Gather(Tensor source, ReadOnlySpan<int> rows, ref Tensor? buffer)
    {
        var width = source.Length / source.Dim(0);
        Span<int> shape = stackalloc int[source.Rank];
        source.Shape.CopyTo(shape);
        shape[0] = rows.Length;
        var target = Tensor.Ensure(ref buffer, shape);
        var src = source.Span;
        var dst = target.Span;
        for (var r = 0; r < rows.Length; r++) src.Slice(rows[r] * width, width).CopyTo(dst.Slice(r * width, width));
        return target;
    }
}
