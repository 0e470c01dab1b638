// Windows: turns a series into supervised samples — a look-back window of inputs and the next values as targets.
namespace LstmSharp.Data;

/// <summary>Sliding windows over time series.</summary>
public static class Windows
{
    /// <summary>
    /// Samples from <paramref name="series"/> <c>[time, features]</c>: inputs <c>[n, lookback, features]</c> are
    /// steps t−lookback … t−1 and targets <c>[n, horizon]</c> are steps t … t+horizon−1 of column
    /// <paramref name="targetColumn"/>, for every t with a full window (n = time − lookback − horizon + 1).
    /// </summary>
    public static (Tensor X, Tensor Y) Create(Tensor series, int lookback, int horizon = 1, int targetColumn = 0)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Rank != 2) throw new ArgumentException($"Expected a series [time, features]; received [{Tensor.FormatShape(series.Shape)}].", nameof(series));
        int steps = series.Dim(0), features = series.Dim(1);
        if (lookback < 1 || horizon < 1) throw new ArgumentOutOfRangeException(nameof(lookback), $"lookback and horizon must be ≥ 1; received {lookback} and {horizon}.");
        if ((uint)targetColumn >= (uint)features) throw new ArgumentOutOfRangeException(nameof(targetColumn), targetColumn, $"The series has {features} column(s).");
        var n = steps - lookback - horizon + 1;
        if (n < 1)
        {
            throw new ArgumentException(
                $"A series of {steps} steps is too short for lookback {lookback} + horizon {horizon}; it needs at least {lookback + horizon} steps.", nameof(series));
        }
        var x = Tensor.Zeros(n, lookback, features);
        var y = Tensor.Zeros(n, horizon);
        var s = series.Span;
        for (var i = 0; i < n; i++)
        {
            s.Slice(i * features, lookback * features).CopyTo(x.Span.Slice(i * lookback * features, lookback * features));
            for (var h = 0; h < horizon; h++) y.Span[i * horizon + h] = s[(i + lookback + h) * features + targetColumn];
        }
        return (x, y);
    }
}
