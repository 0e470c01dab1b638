// ElementwiseMetric: the mean of an error function of (p − y) over every element of the real rows.
namespace LstmSharp.Metrics;

/// <summary>A metric that averages <see cref="ErrorOf"/> of each prediction's difference from its target.</summary>
public abstract class ElementwiseMetric : Metric
{
    /// <summary>The per-element error of a difference p − y.</summary>
    protected abstract double ErrorOf(double difference);

    /// <inheritdoc />
    protected sealed override (double Total, double Count) Measure(Tensor predicted, Tensor target, ReadOnlySpan<float> mask)
    {
        RequireSameShape(predicted, target);
        double sum = 0;
        var count = 0;
        var width = predicted.Dim(-1);
        for (var i = 0; i < predicted.Length; i++)
        {
            if (!Counts(mask, i / width)) continue;
            sum += ErrorOf((double)predicted.Span[i] - target.Span[i]);
            count++;
        }
        return (sum, count);
    }
}
