// RootMeanSquaredError: √mean (p − y)².
namespace LstmSharp.Metrics;

/// <summary>Root mean squared error over elements.</summary>
public sealed class RootMeanSquaredError : Metric
{
    /// <inheritdoc />
    public override string Name => "rmse";

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
            sum += Math.Pow((double)predicted.Span[i] - target.Span[i], 2);
            count++;
        }
        return (sum, count);
    }

    /// <inheritdoc />
    protected override double Finish(double mean) => Math.Sqrt(mean);
}
