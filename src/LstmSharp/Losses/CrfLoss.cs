// CrfLoss: the negative log-likelihood of the target tag path under a Crf layer, per sequence (not per step).
using LstmSharp.Layers;

namespace LstmSharp.Losses;

/// <summary>
/// The loss of a <see cref="Crf"/> output: for emissions <c>[batch, time, tags]</c> and tag-id targets <c>[batch, time]</c>,
/// the mean over sequences of <c>log Z − score(target path)</c> (the forward algorithm in double), as pytorch-crf's
/// negative log-likelihood with <c>reduction="mean"</c>. Padded steps (masked) are outside every path. It trains the
/// emissions and the layer's transition scores; a sample weight weighs a whole sequence (class weights do not apply).
/// </summary>
public sealed class CrfLoss : Loss
{
    /// <summary>The loss of <paramref name="crf"/>'s paths; the model being compiled must contain that layer as an output.</summary>
    public CrfLoss(Crf crf)
    {
        ArgumentNullException.ThrowIfNull(crf);
        Crf = crf;
    }

    /// <summary>The CRF layer whose transitions the loss trains.</summary>
    public Crf Crf { get; }

    /// <inheritdoc />
    public override string Name => "crf_loss";

    internal override bool AveragesRows => false;

    /// <inheritdoc />
    protected override void CheckTarget(Tensor predicted, Tensor target)
    {
        if (predicted.Rank != 3 || !(target.HasShape(predicted.Dim(0), predicted.Dim(1)) || target.HasShape(predicted.Dim(0), predicted.Dim(1), 1)))
        {
            throw new ArgumentException(
                $"CrfLoss needs emissions [batch, time, tags] and tag-id targets [batch, time]; received [{Tensor.FormatShape(predicted.Shape)}] and [{Tensor.FormatShape(target.Shape)}].",
                nameof(target));
        }
    }

    private protected override double ComputeCore(Tensor predicted, Tensor target, Tensor dPredicted, Tensor? rowWeights)
        => Crf.NegativeLogLikelihood(predicted, target, rowWeights, dPredicted);

    internal override void ScaleParameterGradients(float factor)
    {
        foreach (var p in Crf.Parameters) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Gradient.Span, factor, p.Gradient.Span);
    }

    /// <inheritdoc />
    protected override double RowLoss(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, Span<float> dPredicted)
        => throw new System.Diagnostics.UnreachableException("CrfLoss scores whole sequences.");
}
