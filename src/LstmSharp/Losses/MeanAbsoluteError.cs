// MeanAbsoluteError: mean of |p − y|.
namespace LstmSharp.Losses;

/// <summary>Mean absolute error: <c>mean(|p − y|)</c>; gradient <c>sign(p − y)/n</c>.</summary>
public sealed class MeanAbsoluteError : Loss
{
    /// <inheritdoc />
    public override string Name => "mae";

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
    {
        double sum = 0;
        var n = predicted.Length;
        for (var i = 0; i < n; i++)
        {
            var e = predicted[i] - target[i];
            sum += Math.Abs(e);
            dPredicted[i] = MathF.Sign(e) / (float)n;
        }
        return sum / n;
    }
}
