// AnomalyDetection: rows whose value the forecaster did not expect — a robust threshold on the one-step residuals
// (median/MAD, or a quantile of them) or the value outside the forecaster's own prediction interval — and, given
// labels, precision, recall and F1 of the flags.
using LstmSharp.Internals;

namespace LstmSharp.Forecasting;

/// <summary>How <see cref="AnomalyDetection"/> turns one-step forecasts into flags.</summary>
public enum AnomalyMethod
{
    /// <summary>
    /// The modified z-score of Iglewicz and Hoaglin: <c>0.6745 · |r − median(r)| / MAD(r)</c> over the residuals r, flagged
    /// above the threshold (default 3.5); when over half the residuals are equal (MAD 0), the mean absolute deviation
    /// times 1.2533 stands in for MAD / 0.6745.
    /// </summary>
    Mad,

    /// <summary><c>|r − median(r)|</c> flagged above its own empirical quantile at the threshold (default 0.99): a fixed share of the rows.</summary>
    Quantile,

    /// <summary>
    /// The value against the forecaster's widest central prediction interval [l, u] around its median m: the score is
    /// <c>(y − m) / (u − m)</c> above m and <c>(m − y) / (m − l)</c> below, flagged above the threshold (default 1, outside
    /// the interval). Needs a forecaster trained with <see cref="ForecastOptions.Quantiles"/>.
    /// </summary>
    Interval,
}

/// <summary>Settings of <see cref="AnomalyDetection"/>.</summary>
public sealed record AnomalyOptions
{
    /// <summary>Default <see cref="AnomalyMethod.Mad"/>.</summary>
    public AnomalyMethod Method { get; init; } = AnomalyMethod.Mad;

    /// <summary>The method's threshold; null for its default (3.5, 0.99, 1). Mad and Interval: positive; Quantile: in (0, 1).</summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// In <see cref="AnomalyDetection.Run(Forecaster, IReadOnlyList{float[]}, AnomalyOptions?, IReadOnlyList{DateTime}?, string?)"/>, a flagged value is
    /// replaced by its forecast in the history of the rows after it and those rows are forecast and checked again, so
    /// that one anomaly in the lookback window does not flag the normal rows after it. Default true.
    /// </summary>
    public bool ReplaceFlagged { get; init; } = true;

    /// <summary>The threshold in force: <see cref="Threshold"/> or the method's default.</summary>
    public double EffectiveThreshold => Threshold ?? Method switch
    {
        AnomalyMethod.Mad => 3.5,
        AnomalyMethod.Quantile => 0.99,
        _ => 1.0,
    };

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting out of range, naming it.</exception>
    public void Validate()
    {
        Guard.Option(Enum.IsDefined(Method), nameof(Method), Method, "Mad, Quantile or Interval");
        var t = EffectiveThreshold;
        Guard.Option(Method == AnomalyMethod.Quantile ? t is > 0 and < 1 : t > 0 && double.IsFinite(t), nameof(Threshold), t,
            Method == AnomalyMethod.Quantile ? "in (0, 1) for the quantile method" : "positive and finite");
    }
}

/// <summary>Flags set against labels: counts and precision, recall and F1 of the anomaly class.</summary>
/// <param name="TruePositives">Flagged rows labelled anomalous.</param>
/// <param name="FalsePositives">Flagged rows labelled normal.</param>
/// <param name="FalseNegatives">Rows labelled anomalous but not flagged.</param>
/// <param name="Precision">TP / (TP + FP); 0 when nothing is flagged.</param>
/// <param name="Recall">TP / (TP + FN); 0 when nothing is labelled anomalous.</param>
/// <param name="F1">The harmonic mean of precision and recall; 0 when both are 0.</param>
public sealed record AnomalyScores(int TruePositives, int FalsePositives, int FalseNegatives, double Precision, double Recall, double F1)
{
    /// <summary>The scores of <paramref name="flagged"/> against <paramref name="labels"/> (equal lengths).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static AnomalyScores Compute(ReadOnlySpan<bool> flagged, ReadOnlySpan<bool> labels)
    {
        if (flagged.Length != labels.Length)
            throw new ArgumentException($"Expected one label per flag ({flagged.Length}); received {labels.Length}.", nameof(labels));
        int tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < flagged.Length; i++)
        {
            if (flagged[i] && labels[i]) tp++;
            else if (flagged[i]) fp++;
            else if (labels[i]) fn++;
        }
        double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp), recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        return new AnomalyScores(tp, fp, fn, precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    }
}

/// <summary>
/// Anomalies in a series as the rows its forecaster's one-step forecast (<see cref="InSampleForecast"/>) missed by far
/// more than usual: every row forecast gets a score by <see cref="AnomalyOptions.Method"/> and is flagged when the
/// score exceeds <see cref="Cutoff"/>. The statistics (median, MAD, quantile) are of all the rows forecast, which is
/// robust while anomalies are rare.
/// </summary>
public sealed class AnomalyDetection
{
    AnomalyDetection(InSampleForecast forecast, AnomalyOptions options, double[] scores, double cutoff, double center, double spread)
    {
        Forecast = forecast;
        Options = options;
        Scores = scores;
        Cutoff = cutoff;
        Center = center;
        Spread = spread;
        Flagged = [.. scores.Select(s => s > cutoff)];
    }

    /// <summary>The one-step forecasts scored.</summary>
    public InSampleForecast Forecast { get; }

    /// <summary>The settings.</summary>
    public AnomalyOptions Options { get; }

    /// <summary>Each row's score (entry i is row <c>Forecast.FirstRow + i</c>): the modified z-score, the absolute deviation, or the interval ratio.</summary>
    public IReadOnlyList<double> Scores { get; }

    /// <summary>The score above which a row is flagged: the threshold, or for the quantile method that quantile of the scores.</summary>
    public double Cutoff { get; }

    /// <summary>The median residual (Mad, Quantile); 0 for Interval.</summary>
    public double Center { get; }

    /// <summary>The residuals' scale: MAD / 0.6745 (or its mean-deviation stand-in) for Mad; 0 otherwise.</summary>
    public double Spread { get; }

    /// <summary>Whether each row is flagged.</summary>
    public IReadOnlyList<bool> Flagged { get; }

    /// <summary>The rows flagged (row numbers of the series, from 0).</summary>
    public IEnumerable<int> FlaggedRows => Flagged.Select((f, i) => (f, i)).Where(p => p.f).Select(p => Forecast.FirstRow + p.i);

    /// <summary>
    /// The flags against <paramref name="labels"/>, one per row of the series (true = anomalous); rows before
    /// <see cref="InSampleForecast.FirstRow"/> have no forecast and are left out.
    /// </summary>
    /// <exception cref="ArgumentException">Not one label per row of the series.</exception>
    public AnomalyScores Score(IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != Forecast.FirstRow + Forecast.Count)
            throw new ArgumentException($"Expected one label per row of the series ({Forecast.FirstRow + Forecast.Count}); received {labels.Count}.", nameof(labels));
        return AnomalyScores.Compute([.. Flagged], [.. labels.Skip(Forecast.FirstRow)]);
    }

    /// <summary>Passes at most of <see cref="Run(Forecaster, IReadOnlyList{float[]}, AnomalyOptions?, IReadOnlyList{DateTime}?, string?)"/> with <see cref="AnomalyOptions.ReplaceFlagged"/>.</summary>
    public const int MaxPasses = 50;

    /// <summary>The passes made: 1, or more when flagged values were replaced and the rows checked again.</summary>
    public int Passes { get; private init; } = 1;

    /// <summary>
    /// Forecasts every row of <paramref name="columns"/> after the history <paramref name="forecaster"/> needs (an
    /// <see cref="InSampleForecast"/>) and flags the rows it missed. With <see cref="AnomalyOptions.ReplaceFlagged"/>, a
    /// flagged row whose history holds no other row flagged in the same pass is confirmed and its value replaced by its
    /// forecast in the history of the rows after it; a flagged row with such a row in its history waits (its forecast
    /// was made from an anomaly), and the rows are forecast and checked again until a pass confirms nothing new. The
    /// residuals stay against the values as they are. <paramref name="times"/>, one per row, for a forecaster with
    /// calendar features; <paramref name="series"/> names the series for a global forecaster (one of
    /// <see cref="Forecaster.Series"/>, whose scalers are used), null for a forecaster of one series. The cutoff is the
    /// series' own: each series is checked against its own residuals.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting out of range.</exception>
    /// <exception cref="ArgumentException">The columns do not fit the forecaster, or the interval method with a point forecaster.</exception>
    public static AnomalyDetection Run(Forecaster forecaster, IReadOnlyList<float[]> columns, AnomalyOptions? options = null, IReadOnlyList<DateTime>? times = null, string? series = null)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(columns);
        options ??= new AnomalyOptions();
        var detection = Run(InSampleForecast.Run(forecaster, columns, times, series), options);
        if (!options.ReplaceFlagged) return detection;
        var actual = columns[0];
        var history = (float[])actual.Clone();
        var replaced = new bool[actual.Length];
        var first = detection.Forecast.FirstRow;
        var reach = forecaster.HistoryNeeded;
        var passes = 1;
        while (passes < MaxPasses)
        {
            var confirmed = 0;
            var lastNew = -reach - 1;   // the latest row flagged in this pass whose value its followers' forecasts still saw
            for (var i = 0; i < detection.Flagged.Count; i++)
            {
                if (!detection.Flagged[i]) continue;
                var row = first + i;
                if (replaced[row]) continue;
                if (row - lastNew > reach)
                {
                    history[row] = detection.Forecast.Forecast[i];
                    replaced[row] = true;
                    confirmed++;
                }
                lastNew = row;
            }
            if (confirmed == 0) break;
            detection = Run(InSampleForecast.Run(forecaster, [history, .. columns.Skip(1)], actual, times, series), options);
            passes++;
        }
        return new AnomalyDetection(detection, passes);
    }

    AnomalyDetection(AnomalyDetection other, int passes)
        : this(other.Forecast, other.Options, [.. other.Scores], other.Cutoff, other.Center, other.Spread) => Passes = passes;

    /// <summary>Scores the one-step forecasts <paramref name="forecast"/> and flags the rows above the cutoff.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting out of range.</exception>
    /// <exception cref="ArgumentException">The interval method with a point forecaster, or one whose quantiles form no central interval.</exception>
    public static AnomalyDetection Run(InSampleForecast forecast, AnomalyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        options ??= new AnomalyOptions();
        options.Validate();
        var threshold = options.EffectiveThreshold;
        if (options.Method == AnomalyMethod.Interval) return Interval(forecast, options, threshold);

        var residuals = forecast.Residual.Select(r => (double)r).ToArray();
        if (options.Method == AnomalyMethod.Quantile)
        {
            var center = Median(residuals);
            var deviations = residuals.Select(r => Math.Abs(r - center)).ToArray();
            return new AnomalyDetection(forecast, options, deviations, EmpiricalQuantile(deviations, threshold), center, 0);
        }
        var (scores, median, spread) = ModifiedZScores(residuals);
        return new AnomalyDetection(forecast, options, scores, threshold, median, spread);
    }

    /// <summary>
    /// The absolute modified z-scores <c>|x − median| / (MAD / 0.6745)</c> of <paramref name="values"/> (<see cref="AnomalyMethod.Mad"/>),
    /// with the median and the scale used; MAD / 0.6745 estimates σ for normal values, and with MAD 0 the mean absolute
    /// deviation · √(π/2) does. The rule applied to a series' own values is the baseline a forecaster's residuals should beat.
    /// </summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static (double[] Scores, double Median, double Spread) ModifiedZScores(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("Modified z-scores need at least one value.", nameof(values));
        var center = Median([.. values]);
        var deviations = values.Select(r => Math.Abs(r - center)).ToArray();
        var mad = Median(deviations);
        var spread = mad > 0 ? mad / 0.6745 : deviations.Average() * 1.253314;
        return ([.. deviations.Select(d => spread > 0 ? d / spread : d > 0 ? double.PositiveInfinity : 0)], center, spread);
    }

    static AnomalyDetection Interval(InSampleForecast forecast, AnomalyOptions options, double threshold)
    {
        var levels = forecast.QuantileLevels;
        if (forecast.Quantiles is null || levels.Count == 0)
            throw new ArgumentException("The interval method needs a forecaster trained with quantiles (ForecastOptions.Quantiles); this one makes point forecasts.", nameof(forecast));
        var median = -1;
        for (var j = 0; j < levels.Count; j++)
            if (levels[j] == 0.5f) median = j;
        var low = 0;
        while (low < median && Math.Abs(levels[low] + levels[levels.Count - 1 - low] - 1f) >= 1e-6f) low++;
        if (low >= median)
            throw new ArgumentException($"The quantiles {string.Join(", ", levels)} form no central interval (τ with 1 − τ); the interval method needs one.", nameof(forecast));
        var high = levels.Count - 1 - low;
        var scores = new double[forecast.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            var q = forecast.Quantiles[i];
            double y = forecast.Actual[i], m = q[median];
            var (distance, room) = y >= m ? (y - m, q[high] - m) : (m - y, m - q[low]);
            scores[i] = room > 0 ? distance / room : distance > 0 ? double.PositiveInfinity : 0;
        }
        return new AnomalyDetection(forecast, options, scores, threshold, 0, 0);
    }

    static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>The p-quantile by linear interpolation between order statistics (R's type 7, NumPy's default).</summary>
    static double EmpiricalQuantile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        return lo + 1 < sorted.Length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
    }
}
