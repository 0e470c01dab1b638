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

    /// <summary>Adds one batch of predictions and targets.</summary>
    public void Update(Tensor predicted, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        var (total, count) = Measure(predicted, target);
        _total += total;
        _count += count;
    }

    /// <summary>The value over everything added since <see cref="Reset"/>.</summary>
    public float Result() => _count == 0 ? float.NaN : (float)Finish(_total / _count);

    /// <summary>The batch's sum of per-item values and its item count.</summary>
    protected abstract (double Total, double Count) Measure(Tensor predicted, Tensor target);

    /// <summary>Turns the mean of the per-item values into the metric (e.g. a square root).</summary>
    protected virtual double Finish(double mean) => mean;

    /// <summary>Throws unless both tensors have the same shape.</summary>
    protected void RequireSameShape(Tensor predicted, Tensor target)
    {
        if (!predicted.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException($"Metric '{Name}' needs targets shaped like the predictions [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(target.Shape)}].", nameof(target));
    }
}
