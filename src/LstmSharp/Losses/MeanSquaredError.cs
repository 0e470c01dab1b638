// MeanSquaredError: mean of (p − y)².
namespace LstmSharp.Losses;

/// <summary>Mean squared error: <c>mean((p − y)²)</c>; gradient <c>2(p − y)/n</c>.</summary>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc />
    public override string Name => "mse";

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
    {
        double sum = 0;
        var n = predicted.Length;
        for (var i = 0; i < n; i++)
        {
            var e = predicted[i] - target[i];
            sum += (double)e * e;
            dPredicted[i] = 2f * e / n;
        }
        return sum / n;
    }
}
