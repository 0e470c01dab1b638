// MeanAbsoluteError: mean of |p − y| over every element.
namespace LstmSharp.Losses;

/// <summary>Mean absolute error: <c>mean(|p − y|)</c>; gradient <c>sign(p − y)/n</c>.</summary>
public sealed class MeanAbsoluteError : Loss
{
    /// <inheritdoc />
    public override string Name => "mae";

    /// <inheritdoc />
    protected override double OnCompute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int width, Span<float> dPredicted)
    {
        double sum = 0;
        var scale = 1f / predicted.Length;
        for (var i = 0; i < predicted.Length; i++)
        {
            var e = predicted[i] - target[i];
            sum += Math.Abs(e);
            dPredicted[i] = scale * MathF.Sign(e);
        }
        return sum / predicted.Length;
    }
}
