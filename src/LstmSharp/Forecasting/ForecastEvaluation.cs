// ForecastEvaluation: a forecaster's errors on a test part next to the naive and seasonal-naive baselines, and the
// rolling-origin backtest that retrains at each origin.
using LstmSharp.Callbacks;
using LstmSharp.Metrics;

namespace LstmSharp.Forecasting;

/// <summary>
/// Forecasts from every origin of a test part (each from the actual history before it), scored with the
/// baselines made from the same history.
/// </summary>
public sealed class ForecastEvaluation
{
    /// <summary>Name of the model's entry in <see cref="Scores"/>.</summary>
    public const string ModelName = "LSTM";

    /// <summary>Name of the last-value baseline.</summary>
    public const string NaiveName = "naive";

    /// <summary>Name of the same-season-last-cycle baseline.</summary>
    public const string SeasonalNaiveName = "seasonal naive";

    ForecastEvaluation(int[] origins, float[][] forecasts, float[][] actual, IReadOnlyDictionary<string, ForecastScores> scores, int season,
        IReadOnlyList<float> levels, float[][][]? quantiles, ForecastIntervalScores? intervals)
    {
        Origins = origins;
        Forecasts = forecasts;
        Actual = actual;
        Scores = scores;
        Season = season;
        QuantileLevels = levels;
        Quantiles = quantiles;
        Intervals = intervals;
    }

    /// <summary>The forecast origins: row t is the first forecast row, made from rows before t.</summary>
    public IReadOnlyList<int> Origins { get; }

    /// <summary>The model's forecasts per origin, each <c>horizon</c> values.</summary>
    public IReadOnlyList<float[]> Forecasts { get; }

    /// <summary>What happened, per origin.</summary>
    public IReadOnlyList<float[]> Actual { get; }

    /// <summary>Scores of the model and of the baselines (the seasonal one only with a season ≥ 2), by name.</summary>
    public IReadOnlyDictionary<string, ForecastScores> Scores { get; }

    /// <summary>Season length used by the seasonal baseline and MASE (1 = none).</summary>
    public int Season { get; }

    /// <summary>The levels of <see cref="Quantiles"/>, increasing (the forecaster's <see cref="ForecastOptions.Quantiles"/>); empty for a point forecaster.</summary>
    public IReadOnlyList<float> QuantileLevels { get; }

    /// <summary>
    /// The model's quantile forecasts per origin, <c>[origin][step][quantile]</c> (see <see cref="Forecaster.ForecastQuantiles"/>);
    /// null for a point forecaster.
    /// </summary>
    public IReadOnlyList<float[][]>? Quantiles { get; }

    /// <summary>Coverage, weighted interval score and quantile loss of <see cref="Quantiles"/> over every origin and step; null for a point forecaster.</summary>
    public ForecastIntervalScores? Intervals { get; }

    /// <summary>
    /// Evaluates <paramref name="forecaster"/> at every origin t in <c>[testStart, rows − horizon]</c> of
    /// <paramref name="columns"/>. MASE is scaled by the in-sample error of the seasonal naive forecast (lag
    /// <paramref name="season"/>, or 1) over rows <c>[0, testStart)</c>. <paramref name="times"/>, one per row, for a
    /// forecaster with calendar features; <paramref name="series"/>, the series' id, for a global forecaster
    /// (<see cref="Forecaster.Series"/>).
    /// </summary>
    public static ForecastEvaluation Run(Forecaster forecaster, IReadOnlyList<float[]> columns, int testStart, int season, IReadOnlyList<DateTime>? times = null, string? series = null)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(columns);
        var h = forecaster.Options.Horizon;
        var n = columns[0].Length;
        if (season < 1) throw new ArgumentOutOfRangeException(nameof(season), season, "The season must be at least 1 (1 = no season).");
        if (testStart < forecaster.HistoryNeeded || testStart > n - h)
        {
            throw new ArgumentException(
                $"The test part must start after {forecaster.HistoryNeeded} rows of history and leave room for a {h}-step forecast; " +
                $"it starts at row {testStart} of {n}.", nameof(testStart));
        }
        var origins = Enumerable.Range(testStart, n - h - testStart + 1).ToArray();
        var (forecasts, quantiles) = forecaster.Predictions(columns, origins, times, series);
        var y = columns[0];
        var actual = origins.Select(t => y.AsSpan(t, h).ToArray()).ToArray();
        var training = y.AsSpan(0, testStart);
        if (season >= 2 && testStart <= season)
            throw new ArgumentException($"A season of {season} needs more than {season} rows before the test part; there are {testStart}.", nameof(season));
        var scores = new Dictionary<string, ForecastScores>
        {
            [ModelName] = Score(actual, forecasts, training, season),
            [NaiveName] = Score(actual, [.. origins.Select(t => ForecastBaselines.Naive(y.AsSpan(0, t), h))], training, season),
        };
        if (season >= 2)
            scores[SeasonalNaiveName] = Score(actual, [.. origins.Select(t => ForecastBaselines.SeasonalNaive(y.AsSpan(0, t), h, season))], training, season);
        var intervals = quantiles is null ? null
            : ForecastIntervalScores.Compute(actual.SelectMany(a => a).ToArray(), [.. quantiles.SelectMany(q => q)], forecaster.Options.Quantiles, training, season);
        return new ForecastEvaluation(origins, forecasts, actual, scores, season, forecaster.Options.Quantiles, quantiles, intervals);
    }

    static ForecastScores Score(float[][] actual, float[][] forecasts, ReadOnlySpan<float> training, int season)
        => ForecastScores.Compute(actual.SelectMany(a => a).ToArray(), forecasts.SelectMany(f => f).ToArray(), training, season);

    /// <summary>
    /// Rolling-origin backtest: for each of <paramref name="folds"/> origins spaced one horizon apart and ending at
    /// the end of the series, a forecaster is trained from scratch on the rows before the origin and scored on the
    /// next horizon rows, next to the baselines. <paramref name="onFold"/> hears of each fold as it starts.
    /// <paramref name="times"/>, one per row, for calendar features.
    /// </summary>
    public static IReadOnlyList<ForecastEvaluation> Backtest(IReadOnlyList<float[]> columns, IReadOnlyList<string> names, ForecastOptions options, int folds, int season,
        Action<int, int>? onFold = null, IProgress<FitProgress>? progress = null, IReadOnlyList<Callback>? callbacks = null, IReadOnlyList<DateTime>? times = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(options);
        if (folds < 1) throw new ArgumentOutOfRangeException(nameof(folds), folds, $"A backtest needs at least 1 fold; received {folds}.");
        var n = columns[0].Length;
        var h = options.Horizon;
        var results = new List<ForecastEvaluation>();
        for (var f = 0; f < folds; f++)
        {
            var origin = n - (folds - f) * h;
            onFold?.Invoke(f + 1, origin);
            var forecaster = Forecaster.Train(columns, names, origin, options, progress, callbacks, times);
            var trimmed = columns.Select(c => c.AsSpan(0, origin + h).ToArray()).ToArray();
            results.Add(Run(forecaster, trimmed, origin, season, times?.Take(origin + h).ToArray()));
        }
        return results;
    }
}
