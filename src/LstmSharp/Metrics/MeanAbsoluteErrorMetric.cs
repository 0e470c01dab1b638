// MeanAbsoluteErrorMetric: mean |p − y| reported as a metric (the loss of that name lives in Losses).
namespace LstmSharp.Metrics;

/// <summary>Mean absolute error over elements.</summary>
public sealed class MeanAbsoluteErrorMetric : ElementwiseMetric
{
    /// <inheritdoc />
    public override string Name => "mae";

    /// <inheritdoc />
    protected override double ErrorOf(double difference) => Math.Abs(difference);
}
