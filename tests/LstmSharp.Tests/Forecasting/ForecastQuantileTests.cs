// Quantile forecasts: the cumulative targets and the way back to the target's units checked by hand with a constant
// network, the interval scores by hand, coverage near nominal on noise of known spread, model files, and bad options.
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class ForecastQuantileTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-quantiles-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly string[] Target = ["y"];

    [Fact]
    public void CumulativeTerms_ByHand()
    {
        var options = new ForecastOptions { Horizon = 5, Quantiles = [0.1f, 0.5f, 0.9f] };
        Assert.Equal([[0], [0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4]], Forecaster.CumulativeTerms(options with { Transform = SeriesTransform.Difference }));
        Assert.Equal([[0], [0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4]], Forecaster.CumulativeTerms(options with { Transform = SeriesTransform.LogDifference }));
        Assert.Equal([[0], [1], [2], [3], [4]], Forecaster.CumulativeTerms(options with { Transform = SeriesTransform.None }));
        // Season 2: y[t+4] = y[t−2] + z[t] + z[t+2] + z[t+4].
        Assert.Equal([[0], [1], [2, 0], [3, 1], [4, 2, 0]], Forecaster.CumulativeTerms(options with { Transform = SeriesTransform.SeasonalDifference, Season = 2 }));
    }

    [Theory]
    [InlineData(SeriesTransform.Difference, 0)]
    [InlineData(SeriesTransform.LogDifference, 0)]
    [InlineData(SeriesTransform.None, 0)]
    [InlineData(SeriesTransform.SeasonalDifference, 2)]
    public void ForecastQuantiles_ConstantNetworkOutput_UndoesScaleAndAnchorByHand(SeriesTransform transform, int season)
    {
        const int L = 4, H = 3, TrainEnd = 40, N = 46;
        var y = ForecasterTests.Wiggle(N);
        float[] levels = [0.1f, 0.5f, 0.9f];
        var options = new ForecastOptions { Lookback = L, Horizon = H, Transform = transform, Season = season, Quantiles = levels, Units = 3, Epochs = 1, BatchSize = 8, Seed = 7 };
        var forecaster = Forecaster.Train([y], Target, TrainEnd, options);
        // Step-major, quantile-minor; step 2's 0.1 and 0.9 outputs cross, so they must come out sorted.
        float[] bias = [-0.5f, 0.1f, 0.4f, 0.6f, 0.2f, -0.3f, -1f, 0.3f, 1.2f];
        ForecasterTests.SetConstantOutput(forecaster, bias);

        // The target's scaler as stored: scaled = (z − a) / b for the standard scaler.
        float[] unit = [0f, 1f];
        forecaster.SeriesScalers[0][0].Inverse(unit);
        double offset = unit[0], factor = unit[1] - unit[0];
        var first = forecaster.HistoryNeeded - L;
        int[] origins = [L + first, 21, TrainEnd, N];
        var quantiles = forecaster.ForecastQuantiles([y], origins);
        var points = forecaster.Forecast([y], origins);
        for (var i = 0; i < origins.Length; i++)
        {
            var t = origins[i];
            for (var k = 0; k < H; k++)
            {
                var terms = transform switch
                {
                    SeriesTransform.None => 1,
                    SeriesTransform.SeasonalDifference => k / season + 1,
                    _ => k + 1,
                };
                var expected = Enumerable.Range(0, 3).Select(j =>
                {
                    var change = bias[k * 3 + j] * factor + terms * offset;   // the sum of `terms` unscaled transformed values
                    return transform switch
                    {
                        SeriesTransform.Difference => y[t - 1] + change,
                        SeriesTransform.LogDifference => y[t - 1] * Math.Exp(change),
                        SeriesTransform.SeasonalDifference => y[t + k - terms * season] + change,
                        _ => change,
                    };
                }).Order().ToArray();
                for (var j = 0; j < 3; j++)
                {
                    var actual = quantiles[i][k][j];
                    Assert.True(Math.Abs(actual - expected[j]) <= 1e-4 * Math.Max(1, Math.Abs(expected[j])),
                        $"origin {t} step {k + 1} quantile {levels[j]}: expected {expected[j]:R}, got {actual:R}");
                }
                Assert.Equal(quantiles[i][k][1], points[i][k]);
            }
        }
    }

    [Fact]
    public void IntervalScores_TinyCase_ByHand()
    {
        // Levels 0.1, 0.25, 0.5, 0.75, 0.9: intervals 80 % (0.1–0.9) and 50 % (0.25–0.75).
        float[] levels = [0.1f, 0.25f, 0.5f, 0.75f, 0.9f];
        float[] actual = [5f, 0f, 12f];
        float[][] q = [[1, 2, 4, 6, 8], [1, 2, 4, 6, 8], [1, 2, 4, 6, 8]];
        float[] training = [0, 1, 3, 2];   // naive MAE (1 + 2 + 1) / 3 = 4/3
        var scores = ForecastIntervalScores.Compute(actual, q, levels, training, season: 1);

        Assert.Equal(2, scores.Intervals.Count);
        Assert.Equal((0.8, 0.1f), (Math.Round(scores.Intervals[0].Nominal, 6), scores.Intervals[0].Lower));
        Assert.Equal(1.0 / 3, scores.Intervals[0].Observed, 12);   // only 5 lies in [1, 8]
        Assert.Equal(7.0, scores.Intervals[0].MeanWidth, 12);
        Assert.Equal(0.5, Math.Round(scores.Intervals[1].Nominal, 6));
        Assert.Equal(1.0 / 3, scores.Intervals[1].Observed, 12);   // only 5 lies in [2, 6]
        Assert.Equal(4.0, scores.Intervals[1].MeanWidth, 12);

        // WIS per value = (½|y − m| + 0.1·IS_0.2 + 0.25·IS_0.5) / 2.5 with IS_α = width + (2/α)·distance outside.
        static double Is(double l, double u, double alpha, double y) => u - l + (y < l ? 2 / alpha * (l - y) : 0) + (y > u ? 2 / alpha * (y - u) : 0);
        var wis = actual.Select(y => (0.5 * Math.Abs(y - 4) + 0.1 * Is(1, 8, 0.2, y) + 0.25 * Is(2, 6, 0.5, y)) / 2.5).Average();
        Assert.Equal(wis, scores.Wis, 5);
        Assert.Equal(wis / (4.0 / 3), scores.ScaledWis, 5);
        var pinball = actual.Select(y => levels.Select((tau, j) => { var e = y - q[0][j]; return Math.Max(tau * e, (tau - 1) * e); }).Sum()).Sum() / 15;
        Assert.Equal(pinball, scores.QuantileLoss, 5);
        // The identity of Bracher et al.: (α/2)·IS_α is the pinball loss of its two quantiles, so WIS = Σ_j ρ_τj / (K + ½).
        Assert.Equal(pinball * 15 / 3 / 2.5, scores.Wis, 5);
    }

    [Fact]
    public void Train_NoiseOfKnownSpread_IntervalsCoverNearNominal()
    {
        // y_t = sin(2πt/12) + N(0, 0.3²): the one-step 80 % interval of a good model is about ±1.28·0.3 wide and holds ~80 %.
        const int N = 700, TestStart = 500;
        var rng = new Random(3);
        var y = Enumerable.Range(0, N).Select(t =>
            (float)(Math.Sin(2 * Math.PI * t / 12) + 0.3 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
        var options = new ForecastOptions
        {
            Lookback = 12, Horizon = 2, Transform = SeriesTransform.None, Quantiles = [0.1f, 0.5f, 0.9f],
            Units = 16, Epochs = 40, BatchSize = 32, LearningRate = 0.01f, Patience = 10, Seed = 2,
        };
        var forecaster = Forecaster.Train([y], Target, TestStart, options);
        var evaluation = ForecastEvaluation.Run(forecaster, [y], TestStart, season: 12);

        var interval = Assert.Single(evaluation.Intervals!.Intervals);
        Assert.Equal(0.8, interval.Nominal, 6);
        Assert.InRange(interval.Observed, 0.7, 0.9);
        Assert.InRange(interval.MeanWidth, 0.6, 1.0);   // 2 · 1.2816 · 0.3 = 0.77
        foreach (var origin in evaluation.Quantiles!)
            foreach (var step in origin)
                Assert.True(step[0] <= step[1] && step[1] <= step[2], $"unsorted quantiles {string.Join(", ", step)}");
        // The evaluation's first origin (predicted in a batch of 32) is the forecast of that origin alone, to float rounding:
        // the two batch sizes run different GEMM paths, which sum in different orders.
        var alone = forecaster.Forecast([y], [TestStart])[0];
        Assert.Equal(alone.Length, evaluation.Forecasts[0].Length);
        for (var s = 0; s < alone.Length; s++) Assert.Equal(alone[s], evaluation.Forecasts[0][s], 1e-5f);
    }

    [Fact]
    public void Train_RandomWalkDifferenced_IntervalsWidenWithTheSquareRootOfTheStep()
    {
        // y_t = y_{t−1} + N(0, 1): the k-step change is N(0, k), so the 80 % interval of step k is ≈ 2.56·√k wide. Quantiles of
        // per-step changes (not of the change since the last value) would give every step the width of step 1.
        const int N = 900, TestStart = 700, H = 3;
        var rng = new Random(8);
        var y = new float[N];
        for (var t = 1; t < N; t++) y[t] = y[t - 1] + (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        var options = new ForecastOptions
        {
            Lookback = 8, Horizon = H, Transform = SeriesTransform.Difference, Quantiles = [0.1f, 0.5f, 0.9f],
            Units = 8, Epochs = 30, BatchSize = 32, LearningRate = 0.01f, Patience = 10, Seed = 4,
        };
        var forecaster = Forecaster.Train([y], Target, TestStart, options);
        var evaluation = ForecastEvaluation.Run(forecaster, [y], TestStart, season: 1);

        for (var k = 0; k < H; k++)
        {
            var width = evaluation.Quantiles!.Average(o => o[k][2] - o[k][0]);
            var inside = evaluation.Origins.Select((t, i) => evaluation.Quantiles![i][k] is var q && y[t + k] >= q[0] && y[t + k] <= q[2]).Average(b => b ? 1.0 : 0.0);
            var expected = 2 * 1.2816 * Math.Sqrt(k + 1);
            Assert.True(Math.Abs(width - expected) < 0.2 * expected, $"step {k + 1}: 80 % width {width:F3}, expected ≈ {expected:F3}");
            Assert.InRange(inside, 0.68, 0.92);
        }
    }

    [Fact]
    public void SaveLoad_RoundTrip_BitIdenticalQuantiles()
    {
        var y = ForecasterTests.Wiggle(60);
        var options = new ForecastOptions { Lookback = 5, Horizon = 3, Quantiles = [0.05f, 0.5f, 0.95f], Units = 4, Epochs = 2, BatchSize = 8, Seed = 11 };
        var forecaster = Forecaster.Train([y], Target, 50, options);
        var path = Path.Combine(_folder, "quantiles.safetensors");
        forecaster.Save(path);
        var loaded = Forecaster.Load(path);

        Assert.Equal(options.Quantiles, loaded.Options.Quantiles);
        int[] origins = [6, 30, 60];
        var before = forecaster.ForecastQuantiles([y], origins);
        var after = loaded.ForecastQuantiles([y], origins);
        for (var i = 0; i < origins.Length; i++)
            for (var k = 0; k < 3; k++)
                Assert.Equal(before[i][k].Select(BitConverter.SingleToInt32Bits), after[i][k].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Load_FileWrittenBeforeQuantiles_PointForecasterThatRefusesQuantiles()
    {
        var old = Forecaster.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "forecast.safetensors"));
        Assert.Empty(old.Options.Quantiles);
        var error = Assert.Throws<InvalidOperationException>(() => old.ForecastQuantiles([ForecasterTests.Wiggle(20)], [10]));
        Assert.Contains("without quantiles", error.Message);
    }

    [Theory]
    [InlineData(new[] { 0.1f, 0.9f }, "0.5")]
    [InlineData(new[] { 0.5f, 0.1f }, "increasing")]
    [InlineData(new[] { 0f, 0.5f }, "(0, 1)")]
    [InlineData(new[] { 0.5f, 1f }, "(0, 1)")]
    public void Options_BadQuantiles_ArgumentNamesQuantiles(float[] quantiles, string expected)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ForecastOptions { Quantiles = quantiles }.Validate());
        Assert.Contains("Quantiles", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Options_QuantilesWithRecursiveStrategy_ArgumentSaysDirect()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ForecastOptions { Strategy = ForecastStrategy.Recursive, Quantiles = [0.1f, 0.5f, 0.9f] }.Validate());
        Assert.Contains("recursive", error.Message);
    }
}
