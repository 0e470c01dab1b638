// Anomaly detection: in-sample forecasts aligned with their rows, each method's scores by hand on a constant network,
// injected spikes found on a noisy series, precision/recall/F1 by hand, and bad settings.
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class AnomalyDetectionTests
{
    static readonly string[] Target = ["y"];

    /// <summary>A forecaster of the raw values (no transform) whose network outputs the given constants.</summary>
    static Forecaster Constant(float[] y, float[] bias, float[]? quantiles = null)
    {
        var options = new ForecastOptions { Lookback = 4, Transform = SeriesTransform.None, Quantiles = quantiles ?? [], Units = 3, Epochs = 1, BatchSize = 8, Seed = 7 };
        var forecaster = Forecaster.Train([y], Target, y.Length, options);
        ForecasterTests.SetConstantOutput(forecaster, bias);
        return forecaster;
    }

    static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    [Fact]
    public void InSample_EachRowItsOneStepForecastFromTheRowsBefore()
    {
        var y = ForecasterTests.Wiggle(40);
        var forecaster = Forecaster.Train([y], Target, 40, new ForecastOptions { Lookback = 5, Horizon = 2, Units = 4, Epochs = 2, BatchSize = 8, Seed = 3 });
        var inSample = InSampleForecast.Run(forecaster, [y]);
        Assert.Equal(6, inSample.FirstRow);   // lookback 5 + 1 (differences)
        Assert.Equal(34, inSample.Count);
        foreach (var t in new[] { 6, 20, 39 })
        {
            var i = t - inSample.FirstRow;
            Assert.Equal(forecaster.Forecast([y], [t])[0][0], inSample.Forecast[i]);
            Assert.Equal(y[t], inSample.Actual[i]);
            Assert.Equal(y[t] - inSample.Forecast[i], inSample.Residual[i]);
        }
        Assert.Throws<ArgumentException>(() => InSampleForecast.Run(forecaster, [y[..6]]));
    }

    [Fact]
    public void Mad_ConstantForecast_ModifiedZScoresByHand()
    {
        var y = ForecasterTests.Wiggle(60);
        y[30] += 60f;
        var detection = AnomalyDetection.Run(InSampleForecast.Run(Constant(y, [0.2f]), [y]));
        var residuals = detection.Forecast.Residual.Select(r => (double)r).ToArray();
        var center = Median(residuals);
        var mad = Median(residuals.Select(r => Math.Abs(r - center)));
        Assert.Equal(center, detection.Center, 6);
        Assert.Equal(mad / 0.6745, detection.Spread, 6);
        Assert.Equal(3.5, detection.Cutoff);
        for (var i = 0; i < residuals.Length; i++)
            Assert.Equal(0.6745 * Math.Abs(residuals[i] - center) / mad, detection.Scores[i], 6);
        Assert.Equal(Enumerable.Range(0, residuals.Length).Where(i => 0.6745 * Math.Abs(residuals[i] - center) / mad > 3.5).Select(i => i + 4), detection.FlaggedRows);
        Assert.Contains(30, detection.FlaggedRows);
    }

    [Fact]
    public void Mad_GlobalForecaster_EachSeriesByItsOwnScalersAndResiduals()
    {
        // Two series a hundredfold apart, a spike in the larger; a constant network, so each series' forecast is one number.
        var a = ForecasterTests.Wiggle(60);
        var b = a.Select(v => 1000 + 100 * v).ToArray();
        b[30] += 6000f;
        var global = Forecaster.Train([new ForecastSeries("a", [a], 60), new ForecastSeries("b", [b], 60)], Target,
            new ForecastOptions { Lookback = 4, Transform = SeriesTransform.None, Units = 3, Epochs = 1, BatchSize = 8, Seed = 7 });
        ForecasterTests.SetConstantOutput(global, [0.2f]);
        var keep = new AnomalyOptions { ReplaceFlagged = false };
        var detection = AnomalyDetection.Run(global, [b], keep, series: "b");
        var forecast = global.Forecast([b], [10], series: "b")[0][0];
        var residuals = b.Skip(4).Select(v => (double)v - forecast).ToArray();
        var center = Median(residuals);
        var mad = Median(residuals.Select(r => Math.Abs(r - center)));
        Assert.Equal(center, detection.Center, 3);
        Assert.Equal(Enumerable.Range(0, residuals.Length).Where(i => 0.6745 * Math.Abs(residuals[i] - center) / mad > 3.5).Select(i => i + 4), detection.FlaggedRows);
        Assert.Contains(30, detection.FlaggedRows);
        // Series a's scalers forecast another level for the same rows: the residuals' centre moves by the difference.
        var asA = AnomalyDetection.Run(global, [b], keep, series: "a");
        Assert.Equal(center + forecast - global.Forecast([b], [10], series: "a")[0][0], asA.Center, 2);
        Assert.Throws<ArgumentException>(() => AnomalyDetection.Run(global, [b], keep));
    }

    [Fact]
    public void Mad_MostResidualsEqual_MeanDeviationStandsIn()
    {
        // A flat series but two rows: MAD is 0, so the mean absolute deviation · 1.2533 is the scale.
        var y = Enumerable.Repeat(5f, 50).ToArray();
        y[20] = 9f;
        y[40] = 6f;
        var detection = AnomalyDetection.Run(InSampleForecast.Run(Constant(y, [0f]), [y]));
        var residuals = detection.Forecast.Residual.Select(r => (double)r).ToArray();
        var center = Median(residuals);
        var spread = residuals.Average(r => Math.Abs(r - center)) * 1.253314;
        Assert.Equal(spread, detection.Spread, 6);
        Assert.Equal([20, 40], detection.FlaggedRows);
    }

    [Fact]
    public void Quantile_FlagsTheRowsAboveTheEmpiricalQuantile()
    {
        var y = ForecasterTests.Wiggle(105);   // 101 rows forecast: the 0.95 quantile is the 96th smallest deviation exactly
        var detection = AnomalyDetection.Run(InSampleForecast.Run(Constant(y, [0.1f]), [y]), new AnomalyOptions { Method = AnomalyMethod.Quantile, Threshold = 0.95 });
        var residuals = detection.Forecast.Residual.Select(r => (double)r).ToArray();
        var center = Median(residuals);
        var sorted = residuals.Select(r => Math.Abs(r - center)).Order().ToArray();
        Assert.Equal(sorted[95], detection.Cutoff, 9);
        Assert.Equal(5, detection.Flagged.Count(f => f));
    }

    [Fact]
    public void Interval_RatioToTheIntervalsHalfWidth()
    {
        var y = ForecasterTests.Wiggle(50);
        // Quantiles 0.1, 0.5, 0.9 of the scaled values at −1, 0.2, 0.6: the median sits nearer the upper end.
        var forecast = InSampleForecast.Run(Constant(y, [-1f, 0.2f, 0.6f], [0.1f, 0.5f, 0.9f]), [y]);
        var detection = AnomalyDetection.Run(forecast, new AnomalyOptions { Method = AnomalyMethod.Interval });
        Assert.Equal(1.0, detection.Cutoff);
        for (var i = 0; i < forecast.Count; i++)
        {
            var q = forecast.Quantiles![i];
            double v = forecast.Actual[i], m = q[1];
            var expected = v >= m ? (v - m) / (q[2] - m) : (m - v) / (m - q[0]);
            Assert.Equal(expected, detection.Scores[i], 5);
            Assert.Equal(v < q[0] || v > q[2], detection.Flagged[i]);
        }
        Assert.Contains(true, detection.Flagged);
        Assert.Contains(false, detection.Flagged);
    }

    [Fact]
    public void Mad_InjectedSpikesOnANoisySine_FoundWithFewFalseAlarms()
    {
        // y_t = sin(2πt/24) + N(0, 0.1²), 12 spikes of ±1 (10σ) at known rows; a trained forecaster's residuals reveal them.
        const int N = 800;
        var rng = new Random(11);
        var y = Enumerable.Range(0, N).Select(t => (float)(Math.Sin(2 * Math.PI * t / 24) + 0.1 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
        var labels = new bool[N];
        foreach (var (row, k) in Enumerable.Range(0, 12).Select(k => (100 + 57 * k, k)))
        {
            y[row] += k % 2 == 0 ? 1f : -1f;
            labels[row] = true;
        }
        var forecaster = Forecaster.Train([y], Target, N, new ForecastOptions
        {
            Lookback = 24, Transform = SeriesTransform.None, Units = 16, Epochs = 30, BatchSize = 32, LearningRate = 0.01f, Patience = 10, Seed = 5,
        });
        var detection = AnomalyDetection.Run(InSampleForecast.Run(forecaster, [y]));
        var scores = detection.Score(labels);
        Assert.True(scores.Recall >= 0.9, $"recall {scores.Recall} ({scores})");
        Assert.True(scores.Precision >= 0.6, $"precision {scores.Precision} ({scores})");
        Assert.Throws<ArgumentException>(() => detection.Score(labels[1..]));

        // A spike inside the lookback window pulls the forecasts after it off; replaced by its forecast, it no longer does.
        var cleaned = AnomalyDetection.Run(forecaster, [y]).Score(labels);
        Assert.True(cleaned.Recall >= 0.9, $"recall {cleaned.Recall} ({cleaned})");
        Assert.True(cleaned.FalsePositives <= scores.FalsePositives, $"{cleaned} against {scores} without replacing");
        Assert.True(cleaned.Precision >= 0.9, $"precision {cleaned.Precision} ({cleaned})");
    }

    [Fact]
    public void ReplaceFlagged_ASpikeNoLongerFlagsTheRowAfterIt()
    {
        // Differences and a network that outputs 0: the forecast is y_{t−1} + c (c the mean difference), so a spike at
        // row 30 misses rows 30 and 31 alike. Replaced by its forecast, row 31 is forecast from y_29 + c and fits.
        var y = Enumerable.Range(0, 60).Select(t => (float)(0.5 * t + 0.05 * Math.Sin(1.7 * t))).ToArray();
        y[30] += 50f;
        var options = new ForecastOptions { Lookback = 4, Transform = SeriesTransform.Difference, Units = 3, Epochs = 1, BatchSize = 8, Seed = 7 };
        var forecaster = Forecaster.Train([y], Target, y.Length, options);
        ForecasterTests.SetConstantOutput(forecaster, [0f]);

        var kept = AnomalyDetection.Run(forecaster, [y], new AnomalyOptions { Threshold = 10, ReplaceFlagged = false });
        Assert.Equal([30, 31], kept.FlaggedRows);
        Assert.Equal(1, kept.Passes);

        var replaced = AnomalyDetection.Run(forecaster, [y], new AnomalyOptions { Threshold = 10 });
        Assert.Equal([30], replaced.FlaggedRows);
        Assert.Equal(2, replaced.Passes);   // {30, 31}: 30 replaced, 31 waits (30 is in its history); then {30}
        var i = 31 - replaced.Forecast.FirstRow;
        var history = (float[])y.Clone();
        history[30] = forecaster.Forecast([y], [30])[0][0];
        Assert.Equal(forecaster.Forecast([history], [31])[0][0], replaced.Forecast.Forecast[i]);
        Assert.Equal(y[31], replaced.Forecast.Actual[i]);   // the residuals stay against the values as they are
        Assert.Equal(y[30] - forecaster.Forecast([y], [30])[0][0], replaced.Forecast.Residual[30 - replaced.Forecast.FirstRow]);
    }

    [Fact]
    public void Scores_ByHand()
    {
        bool[] flagged = [true, true, false, false, true, false];
        bool[] labels = [true, false, true, false, true, false];
        var s = AnomalyScores.Compute(flagged, labels);
        Assert.Equal((2, 1, 1), (s.TruePositives, s.FalsePositives, s.FalseNegatives));
        Assert.Equal((2.0 / 3, 2.0 / 3, 2.0 / 3), (s.Precision, s.Recall, s.F1));
        Assert.Equal((0.0, 0.0, 0.0), (AnomalyScores.Compute([false, false], [true, false]) is var none ? (none.Precision, none.Recall, none.F1) : default));
    }

    [Fact]
    public void BadSettings_ArgumentNamesTheProblem()
    {
        Assert.Contains("Threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyOptions { Method = AnomalyMethod.Quantile, Threshold = 1.5 }.Validate()).Message);
        Assert.Contains("Threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyOptions { Threshold = 0 }.Validate()).Message);
        var y = ForecasterTests.Wiggle(30);
        var point = InSampleForecast.Run(Constant(y, [0f]), [y]);
        Assert.Contains("trained with quantiles", Assert.Throws<ArgumentException>(() => AnomalyDetection.Run(point, new AnomalyOptions { Method = AnomalyMethod.Interval })).Message);
    }
}
