// BinaryAccuracy: share of yes/no outputs on the right side of a threshold.
namespace LstmSharp.Metrics;

/// <summary>Share of elements where <c>p &gt; threshold</c> equals <c>y &gt; 0.5</c> (yes/no outputs).</summary>
public sealed class BinaryAccuracy(float threshold = 0.5f) : Metric
{
    /// <summary>Predictions above this count as 1.</summary>
    public float Threshold => threshold;

    /// <inheritdoc />
    public override string Name => "accuracy";

    /// <inheritdoc />
    protected override (double Total, double Count) Measure(Tensor predicted, Tensor target, ReadOnlySpan<float> mask)
    {
        RequireSameShape(predicted, target);
        ReadOnlySpan<float> p = predicted.Span, y = target.Span;
        var width = predicted.Dim(-1);
        int hits = 0, count = 0;
        for (var i = 0; i < p.Length; i++)
        {
            if (!Counts(mask, i / width)) continue;
            hits += (p[i] > threshold) == (y[i] > 0.5f) ? 1 : 0;
            count++;
        }
        return (hits, count);
    }
}
