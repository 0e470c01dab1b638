// Seasonality: finds the dominant season length of a series from the autocorrelation of what is left when a long
// centred moving average (the trend) is taken away.
namespace LstmSharp.Data;

/// <summary>Season-length detection by autocorrelation, for choosing a seasonal baseline or a look-back.</summary>
public static class Seasonality
{
    /// <summary>
    /// The autocorrelation a lag must exceed to count as a season. White noise of n values has autocorrelations
    /// of about ±2/√n, so 0.3 is well above chance from about 50 values on; shorter series may show false seasons.
    /// </summary>
    public const double Threshold = 0.3;

    /// <summary>
    /// The dominant season length of <paramref name="values"/>, or null when there is none. The trend is removed
    /// first: each value minus the centred moving average over <c>2h + 1</c> values, with h = <paramref name="maxLag"/>
    /// or less so that two thirds of the series remain (a window at least one season long averages the season
    /// away and keeps the trend). The answer is, among the lags in [2, <paramref name="maxLag"/>] where the autocorrelation of
    /// that remainder is a local maximum (above its lower neighbour, not below its upper one) and above
    /// <see cref="Threshold"/>, the one where it is highest. Lags longer than half the remainder are not tried, since a
    /// season must be seen at least twice; a series too short for lag 2, or a straight line (constant differences,
    /// up to float rounding), gives null. First differences, the usual alternative, turn week-to-week noise into
    /// short-lag correlation that can outweigh a yearly season (weekly CO2: 0.27 at 52 weeks against 0.33 at 3 and 156).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLag"/> is below 2.</exception>
    /// <exception cref="ArgumentException">A value is not finite (the message names its index).</exception>
    public static int? Detect(ReadOnlySpan<float> values, int maxLag)
    {
        var (acf, peaks) = Peaks(values, maxLag);
        return Highest(acf, peaks);
    }

    /// <summary>The peak of highest autocorrelation (the shortest of equals), or null when there is none.</summary>
    static int? Highest(double[] acf, List<int> peaks) => peaks.Count == 0 ? null : peaks.MaxBy(lag => acf[lag]);

    /// <summary>
    /// Every season of <paramref name="values"/>, shortest first (empty when there is none): the autocorrelation peaks
    /// above <see cref="Threshold"/> that <see cref="Detect"/> considers, less the harmonics of a shorter season. A peak
    /// within a lag (or 2%) of a multiple k·s of a season s found before it is a harmonic unless its autocorrelation is
    /// above that at s, 2s, … (k−1)s and at (k+1)s: half-hourly load peaks at every day (48, 96, …) and highest at a
    /// week (336), so its seasons are 48 and 336; a monthly series peaks at 12, 24, 36, falling, so its only season is
    /// 12. <see cref="Detect"/>'s season is always among them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLag"/> is below 2.</exception>
    /// <exception cref="ArgumentException">A value is not finite (the message names its index).</exception>
    public static int[] DetectAll(ReadOnlySpan<float> values, int maxLag)
    {
        var (acf, peaks) = Peaks(values, maxLag);
        var main = Highest(acf, peaks);
        var seasons = new List<int>();
        foreach (var lag in peaks)
        {
            var harmonicOf = seasons.FirstOrDefault(s => Math.Abs(lag - (s * (int)Math.Round((double)lag / s))) <= Math.Max(1, lag / 50));
            if (lag == main || harmonicOf == 0 || StandsOut(acf, lag, harmonicOf)) seasons.Add(lag);
        }
        return [.. seasons];
    }

    /// <summary>Whether the autocorrelation at <paramref name="lag"/>, near k·s, is above that near each of s … (k−1)s and (k+1)s.</summary>
    static bool StandsOut(double[] acf, int lag, int s)
    {
        var k = (int)Math.Round((double)lag / s);
        for (var j = 1; j < k; j++)
            if (Near(acf, j * s) >= acf[lag]) return false;
        return (k + 1) * s + 1 >= acf.Length || Near(acf, (k + 1) * s) < acf[lag];
    }

    /// <summary>The highest autocorrelation within a lag of <paramref name="lag"/> (lags 1 and up).</summary>
    static double Near(double[] acf, int lag)
    {
        var best = double.NegativeInfinity;
        for (var l = Math.Max(1, lag - 1); l <= Math.Min(acf.Length - 1, lag + 1); l++) best = Math.Max(best, acf[l]);
        return best;
    }

    /// <summary>The autocorrelation of the detrended remainder and its peaks above <see cref="Threshold"/>, shortest first.</summary>
    static (double[] Acf, List<int> Peaks) Peaks(ReadOnlySpan<float> values, int maxLag)
    {
        if (maxLag < 2) throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, $"'maxLag' must be at least 2 (the shortest season); received {maxLag}.");
        CheckFinite(values);
        var peaks = new List<int>();
        if (values.Length < 2) return ([], peaks);
        var differences = new float[values.Length - 1];
        for (var t = 1; t < values.Length; t++) differences[t - 1] = values[t] - values[t - 1];
        if (IsConstant(values, differences)) return ([], peaks);
        var remainder = Detrended(values, Math.Min(maxLag, (values.Length / 3 - 1) / 2));
        var limit = Math.Min(maxLag, remainder.Length / 2);
        if (limit < 2) return ([], peaks);
        // One lag beyond the limit (when the data has it) tells whether the limit itself is a peak.
        var acf = Autocorrelation(remainder, Math.Min(limit + 1, remainder.Length - 1));
        if (double.IsNaN(acf[0])) return ([], peaks);
        // A smooth remainder correlates strongly with itself at short lags; only peaks can be seasons.
        for (var lag = 2; lag <= limit; lag++)
        {
            var peak = acf[lag] > acf[lag - 1] && (lag + 1 >= acf.Length || acf[lag] >= acf[lag + 1]);
            if (peak && acf[lag] > Threshold) peaks.Add(lag);
        }
        return (acf, peaks);
    }

    /// <summary>
    /// The strength of the season <paramref name="season"/> in <paramref name="values"/>, in [0, 1]: F_s = max(0,
    /// 1 − Var(R) / Var(S + R)) (Wang, Smith &amp; Hyndman 2006; Hyndman &amp; Athanasopoulos, <i>Forecasting: Principles and
    /// Practice</i> §4.3) of the classical additive decomposition, as R's <c>decompose</c>: the trend a centred moving
    /// average over one season (a 2×s average for an even season), the seasonal figure each phase's mean detrended
    /// value less their mean, R what remains. A season whose shape repeats gives near 1; a cycle whose length wanders
    /// (sunspots) or a lag that is no season gives near 0. 0 for a series whose detrended values are constant.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="season"/> is below 2, or the values do not hold two seasons.</exception>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static double Strength(ReadOnlySpan<float> values, int season)
    {
        if (season < 2 || values.Length < 2 * season)
            throw new ArgumentOutOfRangeException(nameof(season), season, $"The seasonal strength needs a season of at least 2 and two whole seasons of values; received season {season} for {values.Length} values.");
        CheckFinite(values);
        // Centred moving average: s + 1 weights (½, 1, …, 1, ½) / s for an even season, s weights of 1/s for an odd one.
        var even = season % 2 == 0;
        var half = season / 2;
        var detrended = new double[values.Length - 2 * half];
        for (var t = half; t < values.Length - half; t++)
        {
            double sum = 0;
            for (var k = -half; k <= half; k++) sum += (even && Math.Abs(k) == half ? 0.5 : 1.0) * values[t + k];
            detrended[t - half] = values[t] - sum / season;
        }
        var figure = new double[season];
        var counts = new int[season];
        for (var i = 0; i < detrended.Length; i++)
        {
            figure[(i + half) % season] += detrended[i];
            counts[(i + half) % season]++;
        }
        for (var p = 0; p < season; p++) figure[p] /= counts[p];
        var mean = figure.Average();
        var remainder = new double[detrended.Length];
        for (var i = 0; i < detrended.Length; i++) remainder[i] = detrended[i] - (figure[(i + half) % season] - mean);
        var total = Variance(detrended);
        return total > 0 ? Math.Max(0, 1 - Variance(remainder) / total) : 0;
    }

    /// <summary>
    /// How much the seasonal differences <c>y[t] − y[t − season]</c> of <paramref name="values"/> vary against the first
    /// differences <c>y[t] − y[t − 1]</c>: the ratio of their variances. Below 1 the change since a season before is the
    /// smaller one to model (AirPassengers: 0.28); above 1 the season adds more noise than it takes away
    /// (a year of daily temperatures: 2.6).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="season"/> is below 2, or the values do not hold two seasons.</exception>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static double SeasonalDifferenceRatio(ReadOnlySpan<float> values, int season)
    {
        if (season < 2 || values.Length < 2 * season)
            throw new ArgumentOutOfRangeException(nameof(season), season, $"The ratio needs a season of at least 2 and two whole seasons of values; received season {season} for {values.Length} values.");
        CheckFinite(values);
        var steps = new double[values.Length - 1];
        for (var t = 1; t < values.Length; t++) steps[t - 1] = (double)values[t] - values[t - 1];
        var seasonal = new double[values.Length - season];
        for (var t = season; t < values.Length; t++) seasonal[t - season] = (double)values[t] - values[t - season];
        var change = Variance(steps);
        return change > 0 ? Variance(seasonal) / change : double.PositiveInfinity;
    }

    static double Variance(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }

    /// <summary>
    /// The sample autocorrelation of <paramref name="values"/> at lags 0 … <paramref name="maxLag"/> (the usual
    /// estimator, as R's <c>acf</c> and statsmodels: lag-k autocovariance over n terms divided by the variance).
    /// Element 0 is 1; every element is NaN when the values are constant.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLag"/> is negative or not below the number of values.</exception>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static double[] Autocorrelation(ReadOnlySpan<float> values, int maxLag)
    {
        if (maxLag < 0 || maxLag >= values.Length)
            throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, $"'maxLag' must be in [0, {values.Length - 1}] for {values.Length} values; received {maxLag}.");
        CheckFinite(values);
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= values.Length;
        double variance = 0;
        foreach (var v in values) variance += (v - mean) * (v - mean);
        var acf = new double[maxLag + 1];
        for (var lag = 0; lag <= maxLag; lag++)
        {
            double sum = 0;
            for (var t = 0; t + lag < values.Length; t++) sum += (values[t] - mean) * (values[t + lag] - mean);
            acf[lag] = variance > 0 ? sum / variance : double.NaN;
        }
        return acf;
    }

    /// <summary>values[t] minus the mean of values[t − h … t + h], for the t that have the whole window.</summary>
    static float[] Detrended(ReadOnlySpan<float> values, int h)
    {
        if (h < 1) return [];
        var window = 2 * h + 1;
        var remainder = new float[values.Length - 2 * h];
        double sum = 0;
        for (var t = 0; t < window; t++) sum += values[t];
        for (var t = h; t < values.Length - h; t++)
        {
            if (t > h) sum += values[t + h] - values[t - h - 1];
            remainder[t - h] = (float)(values[t] - sum / window);
        }
        return remainder;
    }

    // A straight line has constant differences, up to float rounding of the values; that rounding can be periodic
    // (t · 0.1f), so a spread below a millionth of the values' size counts as constant rather than as a season.
    static bool IsConstant(ReadOnlySpan<float> values, ReadOnlySpan<float> differences)
    {
        float size = 0, low = float.PositiveInfinity, high = float.NegativeInfinity;
        foreach (var v in values) size = Math.Max(size, Math.Abs(v));
        foreach (var d in differences)
        {
            low = Math.Min(low, d);
            high = Math.Max(high, d);
        }
        return high - low <= 1e-6f * size;
    }

    static void CheckFinite(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Value {i} is {values[i]}; fill or drop missing values before looking for seasons.", nameof(values));
        }
    }
}
