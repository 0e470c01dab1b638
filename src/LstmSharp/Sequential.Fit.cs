// Sequential.Fit: the Keras workflow — Compile, Fit, Evaluate, Predict, TrainOnBatch.
using System.Diagnostics;
using LstmSharp.Internals;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;

namespace LstmSharp;

public sealed partial class Sequential
{
    Metric[] _metrics = [];
    Tensor? _dPredicted;                  // ∂loss/∂predictions of the last batch
    Tensor? _batchX, _batchY, _batchW;    // gathered batch buffers (storage reused across batch sizes)
    Tensor? _batchMask, _rowWeights;       // batch padding mask from lengths; loss weights with the mask folded in
    Rng? _fitShuffle;                      // during Fit: the shuffling generator, the sample order and the epoch,
    int[]? _fitOrder;                      // which checkpoints save
    int _fitEpoch;

    /// <summary>The optimizer set by <see cref="Compile"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by <see cref="Compile"/>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metrics set by <see cref="Compile"/>.</summary>
    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>Set by a callback (or you) to end <see cref="Fit"/> after the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Chooses how the model learns and what it reports beside the loss.</summary>
    public void Compile(Optimizer optimizer, Loss loss, params Metric[] metrics)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        ArgumentNullException.ThrowIfNull(metrics);
        var names = metrics.Select(m => m.Name).ToArray();
        if (names.Distinct().Count() != names.Length || names.Contains("loss") || names.Contains("lr"))
            throw new ArgumentException($"Metric names must be distinct and not 'loss' or 'lr'; received: {string.Join(", ", names)}.", nameof(metrics));
        _metrics = (Metric[])metrics.Clone();
    }

    /// <summary>
    /// One gradient step on one batch: returns the batch's loss (with regularisation penalties) before the step.
    /// <paramref name="rowWeights"/> weighs each row of the predictions (see <see cref="Losses.Loss.Compute"/>);
    /// <paramref name="mask"/> <c>[batch, time]</c> marks padded steps. Padded steps of per-step outputs count in
    /// neither the loss (which is the mean over real steps) nor the metrics.
    /// </summary>
    public float TrainOnBatch(Tensor x, Tensor y, Tensor? rowWeights = null, Tensor? mask = null)
    {
        var (optimizer, loss) = Compiled();
        ZeroGradients();
        var predicted = Forward(x, training: true, mask);
        var dPredicted = Ensure(ref _dPredicted, predicted.Shape);
        var outputMask = RowMask(predicted);
        double value = loss.Compute(predicted, y, dPredicted, MaskedWeights(predicted, rowWeights, outputMask));
        for (var i = 0; i < _metrics.Length; i++) _metrics[i].Update(predicted, y, outputMask);
        Backward(dPredicted);
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.Regularizer is { } r) value += r.Apply(p.Value.Span, p.Gradient.Span);
        }
        optimizer.Step(_parameters);
        return (float)value;
    }

    /// <summary>
    /// Trains on <paramref name="x"/> <c>[samples, …]</c> and targets <paramref name="y"/> <c>[samples, …]</c> for
    /// <see cref="FitOptions.Epochs"/> epochs of mini-batches; returns the logs of every epoch.
    /// </summary>
    public History Fit(Tensor x, Tensor y, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new FitOptions();
        var (optimizer, _) = Compiled();
        Guard.Positive(options.Epochs);
        Guard.Positive(options.BatchSize);
        if (!(options.ValidationSplit >= 0f && options.ValidationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationSplit, $"ValidationSplit must be in [0, 1); received {options.ValidationSplit}.");
        CheckData(x, y);
        var samples = x.Dim(0);
        var weights = options.SampleWeights;
        if (weights is not null && (weights.Rank is < 1 or > 2 || weights.Dim(0) != samples))
            throw new ArgumentException($"SampleWeights must be [samples] or [samples, time] with {samples} samples; received [{Tensor.FormatShape(weights.Shape)}].", nameof(options));

        var mask = MaskFromLengths(x, options.Lengths, nameof(options));
        var validation = options.ValidationData;
        var validationLengths = options.ValidationLengths;
        var trainCount = samples;
        if (validation is null && options.ValidationSplit > 0f)
        {
            var held = (int)(samples * options.ValidationSplit);
            trainCount = samples - held;
            if (held == 0 || trainCount == 0)
                throw new ArgumentException($"ValidationSplit {options.ValidationSplit} of {samples} samples leaves {held} for validation and {trainCount} for training; both need at least one.", nameof(options));
            validation = (x.Slice(trainCount, held), y.Slice(trainCount, held));
            validationLengths = options.Lengths?.Slice(trainCount, held);
        }
        else if (validation is { } given)
        {
            CheckData(given.X, given.Y);
        }

        var history = new History();
        var order = Enumerable.Range(0, trainCount).ToArray();
        var rng = new Rng(options.Seed);
        var firstEpoch = options.ResumeFrom is { } resume ? RestoreCheckpoint(resume, trainCount, rng, order) + 1 : 1;
        (_fitShuffle, _fitOrder) = (rng, order);
        var batches = (trainCount + options.BatchSize - 1) / options.BatchSize;
        var weighted = weights is not null || options.ClassWeights is not null;
        StopTraining = false;
        foreach (var c in options.Callbacks) c.OnTrainBegin(this);
        for (var epoch = firstEpoch; epoch <= options.Epochs && !StopTraining; epoch++)
        {
            _fitEpoch = epoch;
            if (options.ResetStatesEachEpoch) ResetStates();
            foreach (var c in options.Callbacks) c.OnEpochBegin(this, epoch);
            var clock = Stopwatch.StartNew();
            if (options.Shuffle)
            {
                for (var i = trainCount - 1; i > 0; i--)
                {
                    var j = rng.NextInt(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }
            foreach (var m in _metrics) m.Reset();
            double sum = 0;
            var seen = 0;
            for (var b = 0; b < batches && !StopTraining; b++)
            {
                var batch = order.AsSpan(b * options.BatchSize, Math.Min(options.BatchSize, trainCount - b * options.BatchSize));
                var bx = Gather(x, batch, ref _batchX);
                var by = Gather(y, batch, ref _batchY);
                var bw = weighted ? RowWeights(by, weights, options.ClassWeights, batch) : null;
                var bm = mask is null ? null : Gather(mask, batch, ref _batchMask);
                var batchLoss = TrainOnBatch(bx, by, bw, bm);
                sum += (double)batchLoss * batch.Length;
                seen += batch.Length;
                foreach (var c in options.Callbacks) c.OnBatchEnd(this, b + 1, batchLoss);
                if (options.Progress is { } progress)
                {
                    var rate = seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    progress.Report(new FitProgress(epoch, options.Epochs, b + 1, batches, rate,
                        TimeSpan.FromSeconds((trainCount - seen) / rate), Logs((float)(sum / seen), ""), EpochEnd: false));
                }
            }
            var logs = Logs((float)(sum / Math.Max(seen, 1)), "");
            if (validation is { } v)
            {
                if (options.ResetStatesEachEpoch) ResetStates();
                foreach (var (key, value) in Evaluate(v.X, v.Y, options.BatchSize, validationLengths)) logs["val_" + key] = value;
            }
            logs["lr"] = optimizer.LearningRate;
            history.Add(logs);
            foreach (var c in options.Callbacks) c.OnEpochEnd(this, epoch, logs);
            options.Progress?.Report(new FitProgress(epoch, options.Epochs, batches, batches, seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), TimeSpan.Zero, logs, EpochEnd: true));
        }
        foreach (var c in options.Callbacks) c.OnTrainEnd(this);
        (_fitShuffle, _fitOrder) = (null, null);
        return history;
    }

    /// <summary>
    /// The loss and metrics on <paramref name="x"/>, <paramref name="y"/>, in batches, without training;
    /// <paramref name="lengths"/> <c>[samples]</c> gives each sample's real length (the rest is padding).
    /// Stateful layers continue from their current state (call <see cref="ResetStates"/> first to start afresh).
    /// </summary>
    public IReadOnlyDictionary<string, float> Evaluate(Tensor x, Tensor y, int batchSize = 32, Tensor? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (_, loss) = Compiled();
        Guard.Positive(batchSize);
        CheckData(x, y);
        var mask = MaskFromLengths(x, lengths, nameof(lengths));
        foreach (var m in _metrics) m.Reset();
        double sum = 0;
        var samples = x.Dim(0);
        for (var start = 0; start < samples; start += batchSize)
        {
            var count = Math.Min(batchSize, samples - start);
            var predicted = Forward(x.Slice(start, count), false, mask?.Slice(start, count));
            var dPredicted = Ensure(ref _dPredicted, predicted.Shape);
            var target = y.Slice(start, count);
            var rowMask = RowMask(predicted);
            sum += (double)loss.Compute(predicted, target, dPredicted, MaskedWeights(predicted, null, rowMask)) * count;
            foreach (var m in _metrics) m.Update(predicted, target, rowMask);
        }
        return Logs((float)(sum / samples), "");
    }

    /// <summary>
    /// The model's outputs for <paramref name="x"/> <c>[samples, …]</c>, computed in batches, as a new tensor;
    /// <paramref name="lengths"/> <c>[samples]</c> gives each sample's real length (the rest is padding).
    /// Stateful layers continue from their current state and keep the final one, so feeding a prompt and then one
    /// token at a time generates text; <see cref="Forward"/> does the same without allocating the result.
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 32, Tensor? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        Guard.Positive(batchSize);
        CheckInput(x, nameof(x));
        CheckFinite(x, "input");
        var mask = MaskFromLengths(x, lengths, nameof(lengths));
        var samples = x.Dim(0);
        Tensor? result = null;
        for (var start = 0; start < samples; start += batchSize)
        {
            var count = Math.Min(batchSize, samples - start);
            var whole = count == samples;   // one batch (e.g. a token at a time): no views to allocate
            var predicted = Forward(whole ? x : x.Slice(start, count), false, whole ? mask : mask?.Slice(start, count));
            result ??= Tensor.Zeros([samples, .. predicted.Shape[1..]]);
            predicted.Span.CopyTo(result.Span[(start * (predicted.Length / count))..]);
        }
        return result ?? Tensor.Zeros([0, .. OutputShape.Select(d => Math.Max(d, 0))]);
    }

    Dictionary<string, float> Logs(float loss, string prefix)
    {
        var logs = new Dictionary<string, float> { [prefix + "loss"] = loss };
        foreach (var m in _metrics) logs[prefix + m.Name] = m.Result();
        return logs;
    }

    /// <summary>The output mask when it has one value per row of <paramref name="predicted"/> (per-step outputs).</summary>
    Tensor? RowMask(Tensor predicted) =>
        OutputMask is { } m && predicted.Rank == 3 && m.Length == predicted.Length / predicted.Dim(-1) ? m : null;

    /// <summary>
    /// Row weights with the padding mask folded in and rescaled, so the loss is the (weighted) mean over real
    /// rows: wᵣ·maskᵣ·rows / Σmask.
    /// </summary>
    Tensor? MaskedWeights(Tensor predicted, Tensor? rowWeights, Tensor? rowMask)
    {
        if (rowMask is null) return rowWeights;
        var m = rowMask.Span;
        var real = 0;
        foreach (var v in m) real += v != 0f ? 1 : 0;
        var scale = real == 0 ? 0f : (float)m.Length / real;
        var w = Ensure(ref _rowWeights, predicted.Shape[..^1]).Span;
        for (var r = 0; r < w.Length; r++) w[r] = m[r] * scale * (rowWeights is null ? 1f : rowWeights.Span[r]);
        return _rowWeights;
    }

    /// <summary>The padding mask <c>[samples, time]</c> of <paramref name="x"/> from per-sample lengths, or null.</summary>
    static Tensor? MaskFromLengths(Tensor x, Tensor? lengths, string name)
    {
        if (lengths is null) return null;
        if (x.Rank < 2) throw new ArgumentException("Lengths need inputs with a time axis [samples, time, …].", name);
        if (lengths.Length != x.Dim(0))
            throw new ArgumentException($"Expected one length per sample ({x.Dim(0)}); received [{Tensor.FormatShape(lengths.Shape)}].", name);
        return Data.Masks.FromLengths(lengths, x.Dim(1));
    }

    /// <summary>One weight per row of the batch's predictions: sample weight × class weight of the row's target.</summary>
    Tensor RowWeights(Tensor by, Tensor? sampleWeights, IReadOnlyDictionary<int, float>? classWeights, ReadOnlySpan<int> batch)
    {
        var rowShape = OutputShape.Count > 0 ? OutputShape.Take(OutputShape.Count - 1).ToArray() : [];
        Span<int> shape = stackalloc int[rowShape.Length + 1];
        shape[0] = batch.Length;
        for (var d = 0; d < rowShape.Length; d++) shape[d + 1] = rowShape[d] < 0 ? by.Dim(d + 1) : rowShape[d];
        var w = Ensure(ref _batchW, shape);
        var rowsPerSample = w.Length / batch.Length;
        var targetWidth = by.Length / w.Length;
        var span = w.Span;
        for (var s = 0; s < batch.Length; s++)
        {
            for (var r = 0; r < rowsPerSample; r++)
            {
                var weight = 1f;
                if (sampleWeights is not null)
                {
                    weight = sampleWeights.Rank == 1 ? sampleWeights.Span[batch[s]] : sampleWeights.Span[batch[s] * rowsPerSample + r];
                }
                if (classWeights is not null)
                {
                    var target = by.Span.Slice((s * rowsPerSample + r) * targetWidth, targetWidth);
                    var label = targetWidth == 1 ? (int)MathF.Round(target[0]) : CategoricalAccuracy.ArgMax(target);
                    weight *= classWeights.TryGetValue(label, out var cw) ? cw : 1f;
                }
                span[s * rowsPerSample + r] = weight;
            }
        }
        return w;
    }

    (Optimizer Optimizer, Loss Loss) Compiled() =>
        Optimizer is null || Loss is null
            ? throw new InvalidOperationException("Call Compile(optimizer, loss) before training or evaluating the model.")
            : (Optimizer, Loss);

    void CheckData(Tensor x, Tensor y)
    {
        CheckInput(x, nameof(x));
        if (y.Rank == 0 || y.Dim(0) != x.Dim(0))
            throw new ArgumentException($"Inputs and targets need the same number of samples; received inputs [{Tensor.FormatShape(x.Shape)}] and targets [{Tensor.FormatShape(y.Shape)}].", nameof(y));
        if (x.Dim(0) == 0) throw new ArgumentException("The data has no samples.", nameof(x));
        CheckFinite(x, "input");
        CheckFinite(y, "target");
    }

    static void CheckFinite(Tensor t, string what)
    {
        var span = t.Span;
        for (var i = 0; i < span.Length; i++)
        {
            if (!float.IsFinite(span[i]))
            {
                throw new ArgumentException(
                    $"The {what} holds {span[i]} at {t.IndexOf(i)} (sample {i / (t.Length / t.Dim(0))}). Remove or fill missing values before training.");
            }
        }
    }

    static Tensor Gather(Tensor source, ReadOnlySpan<int> rows, ref Tensor? buffer)
    {
        var width = source.Length / source.Dim(0);
        Span<int> shape = stackalloc int[source.Rank];
        source.Shape.CopyTo(shape);
        shape[0] = rows.Length;
        var target = Ensure(ref buffer, shape);
        var src = source.Span;
        var dst = target.Span;
        for (var r = 0; r < rows.Length; r++) src.Slice(rows[r] * width, width).CopyTo(dst.Slice(r * width, width));
        return target;
    }

    static Tensor Ensure(ref Tensor? buffer, ReadOnlySpan<int> shape)
        => buffer = buffer is not null && buffer.HasShape(shape) ? buffer : Tensor.Reuse(buffer, shape);
}
