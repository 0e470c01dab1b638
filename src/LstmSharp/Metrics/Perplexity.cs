// Perplexity: exp of the mean cross-entropy of class-id targets (language models).
using System.Buffers;
using LstmSharp.Kernels;

namespace LstmSharp.Metrics;

/// <summary>
/// Perplexity of class-id targets: <c>exp(mean −log p_target)</c> over rows, from probabilities or (with
/// <paramref name="fromLogits"/>) logits. Its base-2 logarithm is the cross-entropy in bits per item.
/// </summary>
public sealed class Perplexity(bool fromLogits = false) : Metric
{
    /// <summary>Whether predictions are logits rather than probabilities.</summary>
    public bool FromLogits => fromLogits;

    /// <inheritdoc />
    public override string Name => "perplexity";

    /// <inheritdoc />
    protected override (double Total, double Count) Measure(Tensor predicted, Tensor target, ReadOnlySpan<float> mask)
    {
        var width = predicted.Dim(-1);
        var rows = predicted.Length / width;
        if (target.Length != rows)
            throw new ArgumentException($"Metric 'perplexity' needs one class id per row of [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(target.Shape)}].", nameof(target));
        double sum = 0;
        var count = 0;
        var logP = fromLogits ? ArrayPool<float>.Shared.Rent(width) : [];   // one row of log-softmax(logits)
        for (var r = 0; r < rows; r++)
        {
            if (!Counts(mask, r)) continue;
            count++;
            var row = predicted.Span.Slice(r * width, width);
            var label = (int)target.Span[r];
            if (fromLogits)
            {
                KernelSet.Default.LogSoftMax(row, 1, width, logP.AsSpan(0, width));
                sum -= logP[label];
            }
            else
            {
                sum -= Math.Log(Math.Max(row[label], 1e-7));
            }
        }
        if (fromLogits) ArrayPool<float>.Shared.Return(logP);
        return (sum, count);
    }

    /// <inheritdoc />
    protected override double Finish(double mean) => Math.Exp(mean);
}
