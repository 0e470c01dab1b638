// MeanAbsoluteErrorMetric: mean |p − y| reported as a metric (the loss of that name lives in Losses).
namespace LstmSharp.Metrics;

/// <summary>Mean absolute error over elements.</summary>
public sealed class MeanAbsoluteErrorMetric : Metric
{
    /// <inheritdoc />
    public override string Name => "mae";

    /// <inheritdoc />
    protected override (double Total, double Count) Measure(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        double sum = 0;
        for (var i = 0; i < predicted.Length; i++) sum += Math.Abs((double)predicted.Span[i] - target.Span[i]);
        return (sum, predicted.Length);
    }
}
