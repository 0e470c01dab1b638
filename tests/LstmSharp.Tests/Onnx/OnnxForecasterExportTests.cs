// ONNX export of a forecaster with its preprocessing in the graph: raw windows in, forecasts in the target's units
// out — the transform, scalers, network (unrolled for the recursive strategy) and the differences summed back from
// the last value, run in ONNX Runtime against Forecaster.Forecast on the same rows.
using LstmSharp.Forecasting;
using LstmSharp.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace LstmSharp.Tests.Onnx;

public sealed class OnnxForecasterExportTests
{
    /// <summary>A positive series with a trend and a wiggle, and a second column that leads it.</summary>
    static float[][] Series(int n, int columns) =>
        [.. Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, n).Select(t => (float)(10 + (0.3 * t) + (2 * Math.Sin(t + c)))).ToArray())];

    /// <summary>The input <c>history</c> [origins, HistoryNeeded, columns]: the raw rows before each origin.</summary>
    static NamedOnnxValue History(Forecaster forecaster, float[][] data, int[] origins)
    {
        int n = forecaster.HistoryNeeded, columns = data.Length;
        var history = new float[origins.Length * n * columns];
        for (var i = 0; i < origins.Length; i++)
            for (var r = 0; r < n; r++)
                for (var c = 0; c < columns; c++) history[((i * n) + r) * columns + c] = data[c][origins[i] - n + r];
        return NamedOnnxValue.CreateFromTensor("history", new DenseTensor<float>(history, [origins.Length, n, columns]));
    }

    [Theory]
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Direct, ScalingMethod.Standard, 1)]
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Direct, ScalingMethod.MinMax, 2)]
    [InlineData(SeriesTransform.LogDifference, ForecastStrategy.Direct, ScalingMethod.Standard, 2)]
    [InlineData(SeriesTransform.None, ForecastStrategy.Direct, ScalingMethod.MinMax, 1)]
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Recursive, ScalingMethod.Standard, 1)]
    [InlineData(SeriesTransform.LogDifference, ForecastStrategy.Recursive, ScalingMethod.MinMax, 1)]
    [InlineData(SeriesTransform.None, ForecastStrategy.Recursive, ScalingMethod.Standard, 1)]
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Direct, ScalingMethod.Standard, 2, 3)]   // an ensemble: the members' outputs averaged in the graph
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Recursive, ScalingMethod.Standard, 1, 2)]
    // Seasonal differences: a horizon past the season (2: step 3 adds to step 1's forecast), within it (4) and equal to it (3).
    [InlineData(SeriesTransform.SeasonalDifference, ForecastStrategy.Direct, ScalingMethod.Standard, 2, 1, 2)]
    [InlineData(SeriesTransform.SeasonalDifference, ForecastStrategy.Direct, ScalingMethod.MinMax, 1, 1, 4)]
    [InlineData(SeriesTransform.SeasonalDifference, ForecastStrategy.Direct, ScalingMethod.Standard, 1, 2, 3)]
    [InlineData(SeriesTransform.SeasonalDifference, ForecastStrategy.Recursive, ScalingMethod.Standard, 1, 1, 2)]
    public void Export_Forecaster_RawWindowsGiveItsForecasts(SeriesTransform transform, ForecastStrategy strategy, ScalingMethod scaling, int columns, int ensemble = 1, int season = 0)
    {
        const int N = 50, H = 3;
        var data = Series(N, columns);
        var forecaster = Forecaster.Train(data, [.. Enumerable.Range(0, columns).Select(c => $"c{c}")], 40,
            new ForecastOptions { Lookback = 5, Horizon = H, Strategy = strategy, Transform = transform, Season = season, Scaling = scaling, Units = 3, Epochs = 2, BatchSize = 8, Seed = 5, Ensemble = ensemble });
        int[] origins = [forecaster.HistoryNeeded, 23, 41, N];
        var expected = forecaster.Forecast(data, origins);

        using var session = new InferenceSession(OnnxExport.ToBytes(forecaster));
        using var results = session.Run([History(forecaster, data, origins)]);
        var actual = results.Single(r => r.Name == "forecast").AsTensor<float>();
        Assert.Equal([origins.Length, H], actual.Dimensions.ToArray());
        for (var i = 0; i < origins.Length; i++)
        {
            for (var k = 0; k < H; k++)
            {
                var (e, a) = (expected[i][k], actual[i, k]);
                Assert.True(Math.Abs(a - e) <= 1e-5 * Math.Max(1, Math.Abs(e)), $"origin {origins[i]} step {k + 1}: Forecast gives {e:R}, ONNX Runtime {a:R}.");
            }
        }
    }

    [Theory]
    [InlineData(SeriesTransform.Difference, 0, 2)]
    [InlineData(SeriesTransform.LogDifference, 0, 1)]
    [InlineData(SeriesTransform.SeasonalDifference, 2, 1)]   // step 3 anchored at step 1's season, two terms
    [InlineData(SeriesTransform.None, 0, 1)]
    public void Export_QuantileForecaster_MediansAndSortedQuantilesAsForecastQuantilesGivesThem(SeriesTransform transform, int season, int columns)
    {
        const int N = 50, H = 3;
        var data = Series(N, columns);
        var forecaster = Forecaster.Train(data, [.. Enumerable.Range(0, columns).Select(c => $"c{c}")], 40,
            new ForecastOptions { Lookback = 5, Horizon = H, Transform = transform, Season = season, Quantiles = [0.1f, 0.25f, 0.5f, 0.75f, 0.9f], Units = 3, Epochs = 1, BatchSize = 8, Seed = 9 });
        // Outputs that fall as the level rises (and differ by step): every step's quantiles cross, so the sort is tested.
        LstmSharp.Tests.Forecasting.ForecasterTests.SetConstantOutput(forecaster, [.. Enumerable.Range(0, H * 5).Select(i => (0.3f * (4 - (i % 5))) - (0.2f * (i / 5)))]);
        int[] origins = [forecaster.HistoryNeeded, 23, 41, N];
        var expected = forecaster.ForecastQuantiles(data, origins);
        var points = forecaster.Forecast(data, origins);

        using var session = new InferenceSession(OnnxExport.ToBytes(forecaster));
        using var results = session.Run([History(forecaster, data, origins)]);
        var forecast = results.Single(r => r.Name == "forecast").AsTensor<float>();
        var quantiles = results.Single(r => r.Name == "quantiles").AsTensor<float>();
        Assert.Equal([origins.Length, H, 5], quantiles.Dimensions.ToArray());
        static void Close(float e, float a, string what) => Assert.True(Math.Abs(a - e) <= 1e-5 * Math.Max(1, Math.Abs(e)), $"{what}: the library gives {e:R}, ONNX Runtime {a:R}.");
        for (var i = 0; i < origins.Length; i++)
        {
            for (var k = 0; k < H; k++)
            {
                Close(points[i][k], forecast[i, k], $"origin {origins[i]} step {k + 1} median");
                for (var j = 0; j < 5; j++) Close(expected[i][k][j], quantiles[i, k, j], $"origin {origins[i]} step {k + 1} quantile {j}");
            }
        }
    }
}
