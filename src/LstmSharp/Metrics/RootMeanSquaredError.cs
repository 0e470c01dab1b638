// RootMeanSquaredError: √mean (p − y)².
namespace LstmSharp.Metrics;

/// <summary>Root mean squared error over elements.</summary>
public sealed class RootMeanSquaredError : ElementwiseMetric
{
    /// <inheritdoc />
    public override string Name => "rmse";

    /// <inheritdoc />
    protected override double ErrorOf(double difference) => difference * difference;

    /// <inheritdoc />
    protected override double Finish(double mean) => Math.Sqrt(mean);
}
