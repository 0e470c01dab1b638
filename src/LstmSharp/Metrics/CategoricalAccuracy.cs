// CategoricalAccuracy: share of rows whose arg-max matches a one-hot target.
namespace LstmSharp.Metrics;

/// <summary>Share of rows whose largest prediction is at the largest target (one-hot targets).</summary>
public sealed class CategoricalAccuracy : Metric
{
    /// <inheritdoc />
    public override string Name => "accuracy";

    /// <inheritdoc />
    protected override (double Total, double Count) Measure(Tensor predicted, Tensor target, ReadOnlySpan<float> mask)
    {
        RequireSameShape(predicted, target);
        var width = predicted.Dim(-1);
        var rows = predicted.Length / width;
        int hits = 0, count = 0;
        for (var r = 0; r < rows; r++)
        {
            if (!Counts(mask, r)) continue;
            hits += ArgMax(predicted.Span.Slice(r * width, width)) == ArgMax(target.Span.Slice(r * width, width)) ? 1 : 0;
            count++;
        }
        return (hits, count);
    }

    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }
}
