// Sequential.Fit: the Keras workflow — Compile, Fit, Evaluate, Predict, TrainOnBatch.
using System.Diagnostics;
using LstmSharp.Internals;
using LstmSharp.Losses;
using LstmSharp.Optimizers;

namespace LstmSharp;

public sealed partial class Sequential
{
    Tensor? _dPredicted;            // ∂loss/∂predictions of the last batch
    Tensor? _batchX, _batchY;       // gathered batch buffers (storage reused across batch sizes)

    /// <summary>The optimizer set by <see cref="Compile"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by <see cref="Compile"/>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>Chooses how the model learns.</summary>
    public void Compile(Optimizer optimizer, Loss loss)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
    }

    /// <summary>One gradient step on one batch; returns the batch's loss before the step.</summary>
    public float TrainOnBatch(Tensor x, Tensor y)
    {
        var (optimizer, loss) = Compiled();
        ZeroGradients();
        var predicted = Forward(x, training: true);
        var dPredicted = Ensure(ref _dPredicted, predicted.Shape);
        var value = loss.Compute(predicted, y, dPredicted);
        Backward(dPredicted);
        optimizer.Step(_parameters);
        return value;
    }

    /// <summary>
    /// Trains on <paramref name="x"/> <c>[samples, …]</c> and targets <paramref name="y"/> <c>[samples, …]</c> for
    /// <see cref="FitOptions.Epochs"/> epochs of mini-batches; returns the loss of every epoch.
    /// </summary>
    public History Fit(Tensor x, Tensor y, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new FitOptions();
        Compiled();
        Guard.Positive(options.Epochs);
        Guard.Positive(options.BatchSize);
        if (!(options.ValidationSplit >= 0f && options.ValidationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationSplit, $"ValidationSplit must be in [0, 1); received {options.ValidationSplit}.");
        CheckData(x, y);

        var samples = x.Dim(0);
        var validation = options.ValidationData;
        var trainCount = samples;
        if (validation is null && options.ValidationSplit > 0f)
        {
            var held = (int)(samples * options.ValidationSplit);
            trainCount = samples - held;
            if (held == 0 || trainCount == 0)
                throw new ArgumentException($"ValidationSplit {options.ValidationSplit} of {samples} samples leaves {held} for validation and {trainCount} for training; both need at least one.", nameof(options));
            validation = (x.Slice(trainCount, held), y.Slice(trainCount, held));
        }
        else if (validation is { } given)
        {
            CheckData(given.X, given.Y);
        }

        var history = new History();
        var order = Enumerable.Range(0, trainCount).ToArray();
        var rng = new Rng(options.Seed);
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (options.Shuffle)
            {
                for (var i = trainCount - 1; i > 0; i--)
                {
                    var j = rng.NextInt(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }
            double sum = 0;
            for (var start = 0; start < trainCount; start += options.BatchSize)
            {
                var batch = order.AsSpan(start, Math.Min(options.BatchSize, trainCount - start));
                var bx = Gather(x, batch, ref _batchX);
                var by = Gather(y, batch, ref _batchY);
                sum += (double)TrainOnBatch(bx, by) * batch.Length;
            }
            var trainLoss = (float)(sum / trainCount);
            float? validationLoss = validation is { } v ? Evaluate(v.X, v.Y, options.BatchSize) : null;
            var result = new EpochResult(epoch, options.Epochs, trainLoss, validationLoss, clock.Elapsed);
            history.Add(result);
            options.Progress?.Report(result);
        }
        return history;
    }

    /// <summary>Mean loss on <paramref name="x"/>, <paramref name="y"/>, in batches, without training.</summary>
    public float Evaluate(Tensor x, Tensor y, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var (_, loss) = Compiled();
        Guard.Positive(batchSize);
        CheckData(x, y);
        double sum = 0;
        var samples = x.Dim(0);
        for (var start = 0; start < samples; start += batchSize)
        {
            var count = Math.Min(batchSize, samples - start);
            var predicted = Forward(x.Slice(start, count));
            var dPredicted = Ensure(ref _dPredicted, predicted.Shape);
            sum += (double)loss.Compute(predicted, y.Slice(start, count), dPredicted) * count;
        }
        return (float)(sum / samples);
    }

    /// <summary>The model's outputs for <paramref name="x"/> <c>[samples, …]</c>, computed in batches, as a new tensor.</summary>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(x);
        Guard.Positive(batchSize);
        CheckInput(x, nameof(x));
        CheckFinite(x, "input");
        var samples = x.Dim(0);
        Tensor? result = null;
        for (var start = 0; start < samples; start += batchSize)
        {
            var count = Math.Min(batchSize, samples - start);
            var predicted = Forward(x.Slice(start, count));
            result ??= Tensor.Zeros([samples, .. predicted.Shape[1..]]);
            predicted.Span.CopyTo(result.Span[(start * (predicted.Length / count))..]);
        }
        return result ?? Tensor.Zeros([0, .. OutputShape.Select(d => Math.Max(d, 0))]);
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
