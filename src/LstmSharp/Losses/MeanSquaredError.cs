// MeanSquaredError: mean of (p − y)² over every element.
namespace LstmSharp.Losses;

/// <summary>Mean squared error: <c>mean((p − y)²)</c>; gradient <c>2(p − y)/n</c>.</summary>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc />
    public override string Name => "mse";

    /// <inheritdoc />
    protected override double OnCompute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int width, Span<float> dPredicted)
    {
        double sum = 0;
        var scale = 2f / predicted.Length;
        for (var i = 0; i < predicted.Length; i++)
        {
            var e = predicted[i] - target[i];
            sum += (double)e * e;
            dPredicted[i] = scale * e;
        }
        return sum / predicted.Length;
    }
}
