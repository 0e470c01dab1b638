// Metric: a quantity accumulated over the batches of an epoch and reported beside the loss.
namespace LstmSharp.Metrics;

/// <summary>A metric: <see cref="Reset"/>, then <see cref="Update"/> per batch, then <see cref="Result"/>.</summary>
public abstract class Metric
{
    double _total;
    double _count;

    /// <summary>The name used in logs and histories, e.g. <c>accuracy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Starts a new accumulation.</summary>
    public void Reset() => (_total, _count) = (0, 0);

    /// <summary>
    /// Adds one batch of predictions and targets; rows of the predictions' last axis where <paramref name="mask"/>
    /// is 0 (padded steps) are left out.
    /// </summary>
    public void Update(Tensor predicted, Tensor target, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        var rows = predicted.Length / Math.Max(1, predicted.Dim(-1));
        if (mask is not null && mask.Length != rows)
            throw new ArgumentException($"Metric '{Name}': expected one mask value per row of [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(mask.Shape)}].", nameof(mask));
        var (total, count) = Measure(predicted, target, mask is null ? default : mask.Span);
        _total += total;
        _count += count;
    }

    /// <summary>The value over everything added since <see cref="Reset"/>.</summary>
    public float Result() => _count == 0 ? float.NaN : (float)Finish(_total / _count);

    /// <summary>The batch's sum of per-item values and its item count, skipping rows whose <paramref name="mask"/> is 0 (empty = no mask).</summary>
    protected abstract (double Total, double Count) Measure(Tensor predicted, Tensor target, ReadOnlySpan<float> mask);

    /// <summary>True when row <paramref name="row"/> counts.</summary>
    protected static bool Counts(ReadOnlySpan<float> mask, int row) => mask.IsEmpty || mask[row] != 0f;

    /// <summary>Turns the mean of the per-item values into the metric (e.g. a square root).</summary>
    protected virtual double Finish(double mean) => mean;

    /// <summary>Throws unless both tensors have the same shape.</summary>
    protected void RequireSameShape(Tensor predicted, Tensor target)
    {
        if (!predicted.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"Metric '{Name}' needs targets shaped like the predictions [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(target.Shape)}].", nameof(target));
    }
}
