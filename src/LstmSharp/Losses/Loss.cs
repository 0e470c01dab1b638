// Loss: a scalar training objective and its gradient with respect to the predictions.
namespace LstmSharp.Losses;

/// <summary>
/// A loss: the mean over samples (and steps) of a per-element or per-row error. <see cref="Compute"/> returns
/// the loss and writes ∂loss/∂predictions.
/// </summary>
public abstract class Loss
{
    /// <summary>A short name for progress lines and histories, e.g. <c>mse</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Returns the mean loss of <paramref name="predicted"/> against <paramref name="target"/> and writes its
    /// gradient with respect to <paramref name="predicted"/> into <paramref name="dPredicted"/> (same shape).
    /// </summary>
    public float Compute(Tensor predicted, Tensor target, Tensor dPredicted)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dPredicted);
        CheckTarget(predicted, target);
        if (!dPredicted.Shape.SequenceEqual(predicted.Shape))
            throw new ArgumentException($"The gradient buffer must have the predictions' shape [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(dPredicted.Shape)}].", nameof(dPredicted));
        return (float)OnCompute(predicted.Span, target.Span, predicted.Dim(-1), dPredicted.Span);
    }

    /// <summary>Throws unless <paramref name="target"/> fits <paramref name="predicted"/> (default: same shape).</summary>
    protected virtual void CheckTarget(Tensor predicted, Tensor target)
    {
        if (!target.Shape.SequenceEqual(predicted.Shape))
        {
            throw new ArgumentException(
                $"{GetType().Name} needs targets shaped like the predictions [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(target.Shape)}].",
                nameof(target));
        }
    }

    /// <summary>The loss over rows of <paramref name="width"/> values; writes the gradient of the mean.</summary>
    protected abstract double OnCompute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int width, Span<float> dPredicted);
}
