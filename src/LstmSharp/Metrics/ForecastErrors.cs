// ForecastErrors: the usual point-forecast error measures (Hyndman & Koehler 2006), in double.
namespace LstmSharp.Metrics;

/// <summary>Error measures of a point forecast against the actual values.</summary>
public static class ForecastErrors
{
    /// <summary>Mean absolute error.</summary>
    public static double Mae(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        Check(actual, forecast);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++) sum += Math.Abs((double)actual[i] - forecast[i]);
        return sum / actual.Length;
    }

    /// <summary>Root mean squared error.</summary>
    public static double Rmse(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        Check(actual, forecast);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++) sum += Math.Pow((double)actual[i] - forecast[i], 2);
        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>Mean absolute percentage error, in percent (undefined when an actual value is 0).</summary>
    public static double Mape(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        Check(actual, forecast);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++) sum += Math.Abs(((double)actual[i] - forecast[i]) / actual[i]);
        return 100 * sum / actual.Length;
    }

    /// <summary>Symmetric MAPE, in percent: mean of 2|a − f| / (|a| + |f|).</summary>
    public static double Smape(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        Check(actual, forecast);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var denominator = Math.Abs((double)actual[i]) + Math.Abs((double)forecast[i]);
            sum += denominator == 0 ? 0 : 2 * Math.Abs((double)actual[i] - forecast[i]) / denominator;
        }
        return 100 * sum / actual.Length;
    }

    /// <summary>
    /// Mean absolute scaled error: MAE divided by the in-sample MAE of the seasonal naive forecast
    /// (y_t = y_{t−season}) on <paramref name="training"/>; below 1 beats that baseline on average.
    /// </summary>
    public static double Mase(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast, ReadOnlySpan<float> training, int season = 1)
        => Mae(actual, forecast) / MaseScale(training, season);

    /// <summary>MASE's denominator: the mean absolute error of the in-sample (seasonal) naive forecast of <paramref name="training"/>, lag <paramref name="season"/>.</summary>
    public static double MaseScale(ReadOnlySpan<float> training, int season = 1)
    {
        if (season < 1 || training.Length <= season)
            throw new ArgumentException($"MASE needs more than {season} training values for season {season}; received {training.Length}.", nameof(training));
        double scale = 0;
        for (var i = season; i < training.Length; i++) scale += Math.Abs((double)training[i] - training[i - season]);
        return scale / (training.Length - season);
    }

    static void Check(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast)
    {
        if (actual.Length != forecast.Length || actual.IsEmpty)
            throw new ArgumentException($"Expected two equally long, non-empty series; received {actual.Length} actual and {forecast.Length} forecast values.");
    }
}
