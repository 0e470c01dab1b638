// ForecastEvaluation: scores of known forecasts and of the baselines checked by hand; the backtest's folds, origins and training range.
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class ForecastEvaluationTests
{
    static readonly string[] Target = ["y"];

    // Rows 0…5 are the training part (min 0, max 10), rows 6…9 the test part.
    static readonly float[] Series = [0, 10, 2, 8, 4, 6, 5, 7, 3, 9];

    /// <summary>
    /// A forecaster (lookback 2, horizon 2, no transform, min-max scaling) whose network always outputs [0.5, 0.8]:
    /// unscaled with min 0 and max 10 its forecast is [5, 8] from every origin.
    /// </summary>
    static Forecaster Known()
    {
        var options = new ForecastOptions
        {
            Lookback = 2, Horizon = 2, Transform = SeriesTransform.None, Scaling = ScalingMethod.MinMax, Units = 2, Epochs = 1, BatchSize = 4, ValidationFraction = 0f,
        };
        var forecaster = Forecaster.Train([Series], Target, 6, options);
        ForecasterTests.SetConstantOutput(forecaster, [0.5f, 0.8f]);
        return forecaster;
    }

    static void AssertScores(ForecastScores expected, ForecastScores actual, string what)
    {
        (string Name, double E, double A)[] rows =
            [("MAE", expected.Mae, actual.Mae), ("RMSE", expected.Rmse, actual.Rmse), ("MAPE", expected.Mape, actual.Mape), ("sMAPE", expected.Smape, actual.Smape), ("MASE", expected.Mase, actual.Mase)];
        foreach (var (name, e, a) in rows)
            Assert.True(double.IsNaN(e) || Math.Abs(a - e) <= 1e-5 * Math.Max(1, Math.Abs(e)), $"{what} {name}: expected {e:R}, got {a:R}.");
    }

    [Fact]
    public void Run_KnownForecasts_ScoresMatchHandComputation()
    {
        var evaluation = ForecastEvaluation.Run(Known(), [Series], testStart: 6, season: 2);

        // Origins 6 … n − h = 8; actual [5, 7], [7, 3], [3, 9].
        Assert.Equal([6, 7, 8], evaluation.Origins);
        Assert.Equal(2, evaluation.Season);
        Assert.Equal([[5f, 7f], [7f, 3f], [3f, 9f]], evaluation.Actual);
        foreach (var f in evaluation.Forecasts)
        {
            Assert.Equal(5f, f[0], 1e-5f);
            Assert.Equal(8f, f[1], 1e-5f);
        }
        Assert.Equal(
            new[] { ForecastEvaluation.ModelName, ForecastEvaluation.NaiveName, ForecastEvaluation.SeasonalNaiveName }.Order(StringComparer.Ordinal),
            evaluation.Scores.Keys.Order(StringComparer.Ordinal));

        // MASE scale: in-sample |y_t − y_{t−2}| over rows 0…5 = |2−0|, |8−10|, |4−2|, |6−8| → 2.
        // Model [5, 8]: |errors| 0, 1 | 2, 5 | 2, 1 → MAE 11/6; RMSE √(35/6);
        //   MAPE 100/6·(0 + 1/7 + 2/7 + 5/3 + 2/3 + 1/9); sMAPE 100/6·(0 + 2/15 + 4/12 + 10/11 + 4/8 + 2/17); MASE (11/6)/2.
        AssertScores(new ForecastScores(11.0 / 6, Math.Sqrt(35.0 / 6), 100.0 / 6 * (1.0 / 7 + 2.0 / 7 + 5.0 / 3 + 2.0 / 3 + 1.0 / 9),
            100.0 / 6 * (2.0 / 15 + 4.0 / 12 + 10.0 / 11 + 4.0 / 8 + 2.0 / 17), 11.0 / 12), evaluation.Scores[ForecastEvaluation.ModelName], "model");
        // Naive: the last value 6, 5, 7 → |errors| 1, 1 | 2, 2 | 4, 2 → MAE 2; RMSE √(30/6) = √5; MASE 1.
        //   MAPE 100/6·(1/5 + 1/7 + 2/7 + 2/3 + 4/3 + 2/9); sMAPE 100/6·(2/11 + 2/13 + 4/12 + 4/8 + 8/10 + 4/16).
        AssertScores(new ForecastScores(2, Math.Sqrt(5), 100.0 / 6 * (1.0 / 5 + 1.0 / 7 + 2.0 / 7 + 2.0 / 3 + 4.0 / 3 + 2.0 / 9),
            100.0 / 6 * (2.0 / 11 + 2.0 / 13 + 4.0 / 12 + 4.0 / 8 + 8.0 / 10 + 4.0 / 16), 1), evaluation.Scores[ForecastEvaluation.NaiveName], "naive");
        // Seasonal naive (lag 2): [y4, y5] = [4, 6], [y5, y6] = [6, 5], [y6, y7] = [5, 7] → |errors| 1, 1 | 1, 2 | 2, 2 →
        //   MAE 9/6 = 1.5; RMSE √(15/6) = √2.5; MASE 0.75.
        //   MAPE 100/6·(1/5 + 1/7 + 1/7 + 2/3 + 2/3 + 2/9); sMAPE 100/6·(2/9 + 2/13 + 2/13 + 4/8 + 4/8 + 4/16).
        AssertScores(new ForecastScores(1.5, Math.Sqrt(2.5), 100.0 / 6 * (1.0 / 5 + 1.0 / 7 + 1.0 / 7 + 2.0 / 3 + 2.0 / 3 + 2.0 / 9),
            100.0 / 6 * (2.0 / 9 + 2.0 / 13 + 2.0 / 13 + 4.0 / 8 + 4.0 / 8 + 4.0 / 16), 0.75), evaluation.Scores[ForecastEvaluation.SeasonalNaiveName], "seasonal naive");
    }

    [Fact]
    public void Run_NoSeason_NoSeasonalBaselineAndLagOneScale()
    {
        var evaluation = ForecastEvaluation.Run(Known(), [Series], testStart: 6, season: 1);
        Assert.False(evaluation.Scores.ContainsKey(ForecastEvaluation.SeasonalNaiveName));
        Assert.Equal(2, evaluation.Scores.Count);
        // Lag-1 in-sample scale: |10−0| + |2−10| + |8−2| + |4−8| + |6−4| = 30 over 5 → 6.
        Assert.Equal(2.0 / 6, evaluation.Scores[ForecastEvaluation.NaiveName].Mase, 1e-9);
        Assert.Equal(11.0 / 6 / 6, evaluation.Scores[ForecastEvaluation.ModelName].Mase, 1e-6);
    }

    [Fact]
    public void Run_TestPartOutOfRange_ArgumentNamesRows()
    {
        var forecaster = Known();
        var e = Assert.Throws<ArgumentException>(() => ForecastEvaluation.Run(forecaster, [Series], testStart: 1, season: 1));
        Assert.Contains("2 rows of history", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ForecastEvaluation.Run(forecaster, [Series], testStart: 9, season: 1));   // 9 > n − h = 8
        e = Assert.Throws<ArgumentException>(() => ForecastEvaluation.Run(forecaster, [Series], testStart: 6, season: 6));
        Assert.Contains("more than 6 rows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backtest_ThreeFolds_OriginsHorizonsAndTrainingRange()
    {
        const int N = 60, H = 3, Folds = 3;
        var a = Enumerable.Range(0, N).Select(t => (float)(10 + 0.3 * t + 2 * Math.Sin(t))).ToArray();
        var b = a.Select((v, r) => r >= 54 ? v * 10 : v).ToArray();   // differs from the second fold's origin on
        var options = new ForecastOptions { Lookback = 4, Horizon = H, Units = 2, Epochs = 1, BatchSize = 8, Seed = 2 };
        var heard = new List<(int, int)>();
        var first = ForecastEvaluation.Backtest([a], Target, options, Folds, season: 1, onFold: (f, o) => heard.Add((f, o)));
        var second = ForecastEvaluation.Backtest([b], Target, options, Folds, season: 1);

        // Origins n − (folds − f)·h: 51, 54, 57.
        Assert.Equal([(1, 51), (2, 54), (3, 57)], heard);
        Assert.Equal(Folds, first.Count);
        for (var f = 0; f < Folds; f++)
        {
            var origin = N - (Folds - f) * H;
            var fold = first[f];
            Assert.Equal([origin], fold.Origins);
            Assert.Single(fold.Forecasts);
            Assert.Equal(H, fold.Forecasts[0].Length);
            Assert.Equal(a[origin..(origin + H)], fold.Actual[0]);
            var naive = Enumerable.Range(origin, H).Select(t => Math.Abs((double)a[t] - a[origin - 1])).Average();
            Assert.Equal(naive, fold.Scores[ForecastEvaluation.NaiveName].Mae, 1e-9);
        }
        // Folds 1 and 2 train and forecast from rows before 54 only; fold 3 trains on the changed rows 54…56.
        Assert.Equal(first[0].Forecasts[0], second[0].Forecasts[0]);
        Assert.Equal(first[1].Forecasts[0], second[1].Forecasts[0]);
        Assert.NotEqual(first[2].Forecasts[0], second[2].Forecasts[0]);
    }
}
