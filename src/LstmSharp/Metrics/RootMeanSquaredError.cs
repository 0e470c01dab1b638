// RootMeanSquaredError: √mean (p − y)².
namespace LstmSharp.Metrics;

/// <summary>Root mean squared error over elements.</summary>
public sealed class RootMeanSquaredError : Metric
{
    /// <inheritdoc />
    public override string Name => "rmse";

    /// <inheritdoc />
    protected override (double Total, double Count) Measure(Tensor predicted, Tensor target)
    {
        RequireSameShape(predicted, target);
        double sum = 0;
        for (var i = 0; i < predicted.Length; i++) sum += Math.Pow((double)predicted.Span[i] - target.Span[i], 2);
        return (sum, predicted.Length);
    }

    /// <inheritdoc />
    protected override double Finish(double mean) => Math.Sqrt(mean);
}
