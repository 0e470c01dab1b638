// InSampleForecast: the one-step forecast of every row a forecaster can reach, each from the actual rows before it,
// with its residual — what anomaly detection and a residual check read.
namespace LstmSharp.Forecasting;

/// <summary>
/// The one-step-ahead forecast of each row <c>t ≥ </c><see cref="FirstRow"/> of a series, made from the actual rows
/// before it (as <see cref="Forecaster.Forecast"/> from origin t, its first step), and the residual
/// <c>actual − forecast</c>. Entry i is row <c>FirstRow + i</c>.
/// </summary>
public sealed class InSampleForecast
{
    InSampleForecast(int firstRow, float[] actual, float[] forecast, IReadOnlyList<float> levels, float[][]? quantiles)
    {
        FirstRow = firstRow;
        Actual = actual;
        Forecast = forecast;
        Residual = [.. actual.Select((y, i) => y - forecast[i])];
        QuantileLevels = levels;
        Quantiles = quantiles;
    }

    /// <summary>The first row forecast: the forecaster's <see cref="Forecaster.HistoryNeeded"/>.</summary>
    public int FirstRow { get; }

    /// <summary>Rows forecast.</summary>
    public int Count => Actual.Count;

    /// <summary>The target's values of the rows forecast.</summary>
    public IReadOnlyList<float> Actual { get; }

    /// <summary>The one-step forecasts (the medians for a quantile forecaster).</summary>
    public IReadOnlyList<float> Forecast { get; }

    /// <summary><c>Actual − Forecast</c>.</summary>
    public IReadOnlyList<float> Residual { get; }

    /// <summary>The levels of <see cref="Quantiles"/>; empty for a point forecaster.</summary>
    public IReadOnlyList<float> QuantileLevels { get; }

    /// <summary>Each row's forecast quantiles <c>[row][quantile]</c>, increasing; null for a point forecaster.</summary>
    public IReadOnlyList<float[]>? Quantiles { get; }

    /// <summary>
    /// Forecasts every row of <paramref name="columns"/> from <see cref="Forecaster.HistoryNeeded"/> on (<paramref name="times"/>,
    /// one per row, for a forecaster with calendar features; <paramref name="series"/>, the series' id, for a global forecaster).
    /// </summary>
    /// <exception cref="ArgumentException">The columns do not fit the forecaster, or hold no row after the history it needs.</exception>
    public static InSampleForecast Run(Forecaster forecaster, IReadOnlyList<float[]> columns, IReadOnlyList<DateTime>? times = null, string? series = null)
        => Run(forecaster, columns, columns is { Count: > 0 } ? columns[0] : [], times, series);

    /// <summary>
    /// Forecasts every row from the history in <paramref name="columns"/> and scores the forecasts against
    /// <paramref name="actual"/>: a history with some values replaced (anomalies cleaned out) against the series as it was.
    /// </summary>
    internal static InSampleForecast Run(Forecaster forecaster, IReadOnlyList<float[]> columns, float[] actual, IReadOnlyList<DateTime>? times, string? series = null)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(columns);
        var first = forecaster.HistoryNeeded;
        var rows = columns.Count > 0 ? columns[0].Length : 0;
        if (rows <= first)
            throw new ArgumentException($"In-sample forecasts need more than the {first} rows of history the forecaster needs; received {rows} rows.", nameof(columns));
        var origins = Enumerable.Range(first, rows - first).ToArray();
        var (points, quantiles) = forecaster.Predictions(columns, origins, times, series);
        return new InSampleForecast(first, [.. origins.Select(t => actual[t])], [.. points.Select(p => p[0])],
            forecaster.Options.Quantiles, quantiles is null ? null : [.. quantiles.Select(q => q[0])]);
    }
}
