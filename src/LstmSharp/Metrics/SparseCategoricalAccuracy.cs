// SparseCategoricalAccuracy: share of rows whose arg-max is the target class id.
namespace LstmSharp.Metrics;

/// <summary>Share of rows whose largest prediction is at the target class id.</summary>
public sealed class SparseCategoricalAccuracy : Metric
{
    /// <inheritdoc />
    public override string Name => "accuracy";

    /// <inheritdoc />
    protected override (double Total, double Count) Measure(Tensor predicted, Tensor target, ReadOnlySpan<float> mask)
    {
        var width = predicted.Dim(-1);
        var rows = predicted.Length / width;
        if (target.Length != rows)
            throw new ArgumentException($"Metric 'accuracy' needs one class id per row of [{Tensor.FormatShape(predicted.Shape)}]; received [{Tensor.FormatShape(target.Shape)}].", nameof(target));
        int hits = 0, count = 0;
        for (var r = 0; r < rows; r++)
        {
            if (!Counts(mask, r)) continue;
            hits += CategoricalAccuracy.ArgMax(predicted.Span.Slice(r * width, width)) == (int)target.Span[r] ? 1 : 0;
            count++;
        }
        return (hits, count);
    }
}
