// Huber: squared error near zero, absolute error beyond delta — robust to outliers.
namespace LstmSharp.Losses;

/// <summary>
/// Huber loss (Keras's): per element <c>½e²</c> when <c>|e| ≤ δ</c>, else <c>δ(|e| − ½δ)</c>, averaged;
/// <c>e = p − y</c>.
/// </summary>
public sealed class Huber : Loss
{
    /// <summary>Huber loss with threshold <paramref name="delta"/> (default 1).</summary>
    public Huber(float delta = 1f)
    {
        if (!(delta > 0f)) throw new ArgumentOutOfRangeException(nameof(delta), delta, $"delta must be positive; received {delta}.");
        Delta = delta;
    }

    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Delta { get; }

    /// <inheritdoc />
    public override string Name => "huber";

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
    {
        double sum = 0;
        var scale = 1f / predicted.Length;
        for (var i = 0; i < predicted.Length; i++)
        {
            var e = predicted[i] - target[i];
            var a = MathF.Abs(e);
            sum += a <= Delta ? 0.5 * e * e : Delta * (a - 0.5 * Delta);
            dPredicted[i] = scale * (a <= Delta ? e : Delta * MathF.Sign(e));
        }
        return sum / predicted.Length;
    }
}
