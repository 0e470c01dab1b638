// CategoricalCrossentropy: one-hot (or soft) targets over the last axis, from probabilities or logits.
namespace LstmSharp.Losses;

/// <summary>
/// Categorical cross-entropy, <c>−Σ_c y_c·log p_c</c> per row of the last axis, averaged over rows. Targets
/// are one-hot (or any distribution). With <paramref name="fromLogits"/> a log-softmax is applied first
/// (gradient <c>softmax(z) − y</c>); otherwise probabilities are clipped to [1e-7, 1 − 1e-7].
/// </summary>
public sealed class CategoricalCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override string Name => "categorical_crossentropy";

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
        => Crossentropy.Row(predicted, target, -1, FromLogits, dPredicted);
}
