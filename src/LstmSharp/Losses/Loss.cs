// Loss: a scalar training objective and its gradient with respect to the predictions.
using System.Numerics.Tensors;

namespace LstmSharp.Losses;

/// <summary>
/// A loss. Each row of the predictions' last axis (one sample, or one step of one sample) gets a loss —
/// the mean over the row for element-wise losses, the cross-entropy over the row for categorical ones — and
/// the result is the mean over rows, each row optionally weighted (Keras's <c>sum_over_batch_size</c>:
/// Σ wᵣ·lossᵣ / rows). <see cref="Compute"/> also writes ∂loss/∂predictions.
/// </summary>
public abstract class Loss
{
    /// <summary>A short name for progress lines and histories, e.g. <c>mse</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Returns the loss of <paramref name="predicted"/> against <paramref name="target"/> and writes its gradient
    /// into <paramref name="dPredicted"/> (the predictions' shape). <paramref name="rowWeights"/>, when given, has
    /// one weight per row (the predictions' shape without the last axis): sample weights, class weights, masks.
    /// </summary>
    public float Compute(Tensor predicted, Tensor target, Tensor dPredicted, Tensor? rowWeights = null)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dPredicted);
        CheckTarget(predicted, target);
        if (!dPredicted.Shape.SequenceEqual(predicted.Shape))
            throw new ArgumentException($"The gradient buffer must have the predictions' shape [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(dPredicted.Shape)}].", nameof(dPredicted));
        var width = predicted.Dim(-1);
        var rows = predicted.Length / width;
        if (rowWeights is not null && rowWeights.Length != rows)
            throw new ArgumentException($"Expected one weight per row of [{Tensor.FormatShape(predicted.Shape)}] ({rows}); received [{Tensor.FormatShape(rowWeights.Shape)}].", nameof(rowWeights));
        return (float)ComputeCore(predicted, target, dPredicted, rowWeights);
    }

    /// <summary>The loss and its gradient once the arguments are checked: by default the weighted mean of the rows' losses.</summary>
    private protected virtual double ComputeCore(Tensor predicted, Tensor target, Tensor dPredicted, Tensor? rowWeights)
    {
        var width = predicted.Dim(-1);
        var rows = predicted.Length / width;
        var targetWidth = target.Length / rows;
        ReadOnlySpan<float> p = predicted.Span, y = target.Span;
        var d = dPredicted.Span;
        double total = 0;
        for (var r = 0; r < rows; r++)
        {
            var dRow = d.Slice(r * width, width);
            var weight = rowWeights is null ? 1f : rowWeights.Span[r];
            if (weight == 0f)
            {
                dRow.Clear();
                continue;
            }
            total += weight * RowLoss(p.Slice(r * width, width), y.Slice(r * targetWidth, targetWidth), dRow);
            TensorPrimitives.Multiply(dRow, weight / rows, dRow);
        }
        return total / rows;
    }

    /// <summary>
    /// Whether the loss is a mean over rows, so that a model rescales the weights of the real rows of a masked output to
    /// average over them alone; false for a loss of whole sequences (<see cref="CrfLoss"/>), which takes the mask as is.
    /// </summary>
    internal virtual bool AveragesRows => true;

    /// <summary>Scales the parameter gradients the loss itself wrote (by a model's loss weight); the row losses write none.</summary>
    internal virtual void ScaleParameterGradients(float factor)
    {
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

    /// <summary>The loss of one row and its gradient (unweighted, for this row alone).</summary>
    protected abstract double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted);
}
