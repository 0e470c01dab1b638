// MeanAbsoluteErrorMetric: mean |p − y| reported as a metric (the loss of that name lives in Losses).
namespace LstmSharp.Metrics;

/// <summary>Mean absolute error over elements.</summary>
public sealed class MeanAbsoluteErrorMetric : Metric
{
    /// <inheritdoc />
    public override string Name => "mae";

    /// <inheritdoc />
    protected override (double Total, double Count) Measure(Tensor predicted, Tensor target, ReadOnlySpan<float> mask)
    {
        RequireSameShape(predicted, target);
        double sum = 0;
        var count = 0;
        var width = predicted.Dim(-1);
        for (var i = 0; i < predicted.Length; i++)
        {
            if (!Counts(mask, i / width)) continue;
            sum += Math.Abs((double)predicted.Span[i] - target.Span[i]);
            count++;
        }
        return (sum, count);
    }
}
