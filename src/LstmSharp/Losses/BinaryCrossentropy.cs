// BinaryCrossentropy: for independent yes/no outputs, from probabilities or (stably) from logits.
namespace LstmSharp.Losses;

/// <summary>
/// Binary cross-entropy, averaged over elements: <c>−(y·log p + (1 − y)·log(1 − p))</c>. With
/// <paramref name="fromLogits"/> the predictions are logits z and the loss is computed stably as
/// <c>max(z, 0) − z·y + log(1 + e^−|z|)</c> (gradient <c>σ(z) − y</c>); otherwise probabilities are clipped to
/// [1e-7, 1 − 1e-7] as in Keras.
/// </summary>
public sealed class BinaryCrossentropy(bool fromLogits = false) : Loss
{
    const float Epsilon = 1e-7f;

    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override string Name => "binary_crossentropy";

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
    {
        double sum = 0;
        var n = predicted.Length;
        for (var i = 0; i < n; i++)
        {
            double y = target[i];
            if (FromLogits)
            {
                double z = predicted[i];
                sum += Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                dPredicted[i] = (float)((1 / (1 + Math.Exp(-z)) - y) / n);
            }
            else
            {
                var clipped = predicted[i] < Epsilon || predicted[i] > 1 - Epsilon;
                double p = Math.Clamp(predicted[i], Epsilon, 1 - Epsilon);
                sum += -(y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
                dPredicted[i] = clipped ? 0f : (float)((p - y) / (p * (1 - p)) / n);
            }
        }
        return sum / n;
    }
}
