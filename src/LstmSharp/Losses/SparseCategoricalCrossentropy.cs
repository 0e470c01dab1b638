// SparseCategoricalCrossentropy: class-id targets (one per row of the last axis), from probabilities or logits.
namespace LstmSharp.Losses;

/// <summary>
/// Cross-entropy with integer targets: predictions <c>[…, classes]</c>, targets <c>[…]</c> holding class ids
/// (whole numbers stored as floats). Per row <c>−log p_target</c>, averaged over rows. With
/// <paramref name="fromLogits"/> a log-softmax is applied first (gradient <c>softmax(z) − onehot</c>).
/// </summary>
public sealed class SparseCategoricalCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override string Name => "sparse_categorical_crossentropy";

    /// <inheritdoc />
    protected override void CheckTarget(Tensor predicted, Tensor target)
    {
        if (target.Rank != predicted.Rank - 1 || !target.Shape.SequenceEqual(predicted.Shape[..^1]))
        {
            throw new ArgumentException(
                $"SparseCategoricalCrossentropy needs class-id targets [{Tensor.FormatShape(predicted.Shape[..^1])}] for predictions [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(target.Shape)}].",
                nameof(target));
        }
        var classes = predicted.Dim(-1);
        var ids = target.Span;
        for (var i = 0; i < ids.Length; i++)
        {
            if (!(ids[i] >= 0 && ids[i] < classes) || ids[i] != MathF.Floor(ids[i]))
                throw new ArgumentException($"Target {target.IndexOf(i)} is {ids[i]}; class ids must be whole numbers in [0, {classes - 1}].", nameof(target));
        }
    }

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
        => Crossentropy.Row(predicted, default, (int)target[0], FromLogits, dPredicted);
}
