// ForecastBaselines: the naive and seasonal-naive forecasts every model should beat (Hyndman & Athanasopoulos, FPP3 §5.2).
namespace LstmSharp.Metrics;

/// <summary>Benchmark forecasts that need no training.</summary>
public static class ForecastBaselines
{
    /// <summary>The last value of <paramref name="history"/>, repeated <paramref name="horizon"/> times.</summary>
    /// <exception cref="ArgumentException"><paramref name="history"/> is empty or its last value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> is below 1.</exception>
    public static float[] Naive(ReadOnlySpan<float> history, int horizon)
    {
        if (history.IsEmpty) throw new ArgumentException("The naive forecast needs at least one value of history; received none.", nameof(history));
        return SeasonalNaive(history, horizon, 1);
    }

    /// <summary>
    /// The value one season back, with the last observed season repeated for horizons beyond it:
    /// <c>forecast[k] = history[n − season + (k mod season)]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="history"/> is shorter than <paramref name="season"/>, or a value of its last season is not finite (the message names its index).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or <paramref name="season"/> is below 1.</exception>
    public static float[] SeasonalNaive(ReadOnlySpan<float> history, int horizon, int season)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"'horizon' must be at least 1; received {horizon}.");
        if (season < 1) throw new ArgumentOutOfRangeException(nameof(season), season, $"'season' must be at least 1; received {season}.");
        var n = history.Length;
        if (n < season)
            throw new ArgumentException($"The seasonal naive forecast with season {season} needs at least {season} values of history; received {n}.", nameof(history));
        for (var i = n - season; i < n; i++)
        {
            if (!float.IsFinite(history[i]))
                throw new ArgumentException($"History value {i} is {history[i]}; the last season must be known to forecast from it.", nameof(history));
        }
        var forecast = new float[horizon];
        for (var k = 0; k < horizon; k++) forecast[k] = history[n - season + k % season];
        return forecast;
    }
}
