// Future inputs (ForecastOptions.FutureInputs): each forecast step reads the scaled value of a column known in the
// future, checked by hand with set weights, past the data from the values given; learning from them; files; errors.
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class FutureInputsTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-future-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly string[] Names = ["y", "promo"];

    /// <summary>A promotion flag on a fixed pseudo-random third of the days, and sales 10 + 3·promo + a little noise.</summary>
    static (float[] Y, float[] Promo) Sales(int n, int seed = 3)
    {
        var rng = new Random(seed);
        var promo = Enumerable.Range(0, n).Select(_ => rng.Next(3) == 0 ? 1f : 0f).ToArray();
        var y = promo.Select(p => (float)(10 + 3 * p + 0.1 * (rng.NextDouble() - 0.5))).ToArray();
        return (y, promo);
    }

    [Fact]
    public void Forecast_DecoderReadingOnlyTheFutureInput_GivesItsScaledValueOfEachStep()
    {
        const int L = 4, H = 3, TrainEnd = 40;
        var (y, promo) = Sales(46);
        var options = new ForecastOptions { Lookback = L, Horizon = H, Transform = SeriesTransform.None, FutureInputs = 1, Units = 3, Epochs = 1, BatchSize = 8, Seed = 7 };
        var forecaster = Forecaster.Train([y, promo], Names, TrainEnd, options);
        // Every weight 0 but: decoder unit 0 = 10 + the step's future input (its column after the 3 context units), and the
        // step's output = decoder unit 0. The network's output for step k is then 10 + scaled promo[origin + k].
        var weights = forecaster.Model.GetWeights().ToDictionary(p => p.Key, p => Tensor.Zeros(p.Value.Shape.ToArray()));
        Assert.True(weights.ContainsKey("decoder.weight"), string.Join(", ", weights.Keys));
        Assert.Equal([3, 3 + 1], weights["decoder.weight"].Shape);
        weights["decoder.weight"].Span[3] = 1f;
        weights["decoder.bias"].Span[0] = 10f;
        weights["step_outputs.weight"].Span[0] = 1f;
        forecaster.Model.SetWeights(weights);

        // The scalers over the rows of the training windows: 40 − 4 − 3 + 1 = 34 windows, 3 held out, the 31st's targets end at row 37.
        static (double Mean, double Std) Fit(float[] v)
        {
            var part = v[..37].Select(x => (double)x).ToArray();
            var mean = part.Average();
            return (mean, Math.Sqrt(part.Sum(x => (x - mean) * (x - mean)) / part.Length));
        }
        var (my, sy) = Fit(y);
        var (mp, sp) = Fit(promo);
        double Expected(float promoValue) => (10 + (promoValue - mp) / sp) * sy + my;

        int[] origins = [L, 20, 43];   // 43 + 3 = 46: the last origin whose steps are all in the data
        var forecasts = forecaster.Forecast([y, promo], origins);
        for (var i = 0; i < origins.Length; i++)
            for (var k = 0; k < H; k++) ForecasterTests.AssertClose(Expected(promo[origins[i] + k]), forecasts[i][k], 1e-4, $"origin {origins[i]} step {k + 1}");

        // Past the data the steps read the values given: from origin 45, row 45 from the data, rows 46 and 47 from future.
        float[] future = [1f, 0f, 1f];
        var past = forecaster.Forecast([y, promo], [45], future: [future])[0];
        ForecasterTests.AssertClose(Expected(promo[45]), past[0], 1e-4, "origin 45 step 1");
        ForecasterTests.AssertClose(Expected(1f), past[1], 1e-4, "origin 45 step 2");
        ForecasterTests.AssertClose(Expected(0f), past[2], 1e-4, "origin 45 step 3");
        var next = forecaster.ForecastNext([y, promo], future: [future]);
        for (var k = 0; k < H; k++) ForecasterTests.AssertClose(Expected(future[k]), next[k], 1e-4, $"next step {k + 1}");
    }

    [Fact]
    public void Train_AFutureInput_BeatsTheSameColumnKnownOnlyInThePast()
    {
        var (y, promo) = Sales(400);
        var options = new ForecastOptions { Lookback = 7, Horizon = 3, Transform = SeriesTransform.None, Units = 16, Epochs = 60, Seed = 1 };
        var future = Forecaster.Train([y, promo], Names, 360, options with { FutureInputs = 1 });
        var pastOnly = Forecaster.Train([y, promo], Names, 360, options);
        double Mae(Forecaster f) => ForecastEvaluation.Run(f, [y, promo], 360, 1).Scores[ForecastEvaluation.ModelName].Mae;
        var (withFuture, withoutFuture) = (Mae(future), Mae(pastOnly));
        // The promotion moves sales by 3: a model that cannot see the step's flag is off by about 3·2/9 on average.
        Assert.True(withFuture < 0.25 * withoutFuture && withFuture < 0.2, $"MAE with the future input {withFuture}, known only in the past {withoutFuture}");
    }

    [Fact]
    public void SaveLoad_FutureInputs_SameSettingsAndBitIdenticalForecasts()
    {
        var (y, promo) = Sales(60);
        var forecaster = Forecaster.Train([y, promo], Names, 50, new ForecastOptions { Lookback = 5, Horizon = 2, FutureInputs = 1, Units = 4, Epochs = 2, Seed = 2 });
        var path = Path.Combine(_folder, "future.safetensors");
        forecaster.Save(path);
        var loaded = Forecaster.Load(path);
        Assert.Equal(1, loaded.Options.FutureInputs);
        float[][] future = [[1f, 0f]];
        Assert.Equal(forecaster.ForecastNext([y, promo], future: future).Select(BitConverter.SingleToInt32Bits),
            loaded.ForecastNext([y, promo], future: future).Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void BadFutureInputs_ArgumentSaysWhatIsMissing()
    {
        var (y, promo) = Sales(60);
        var options = new ForecastOptions { Lookback = 5, Horizon = 2, FutureInputs = 1, Units = 4, Epochs = 1, Seed = 2 };
        var forecaster = Forecaster.Train([y, promo], Names, 50, options);
        var none = Assert.Throws<ArgumentException>(() => forecaster.ForecastNext([y, promo]));
        Assert.Contains("'promo' (known in the future)", none.Message);
        Assert.Contains("2 step(s) past the last row", none.Message);
        Assert.Contains("has 1 future value(s)", Assert.Throws<ArgumentException>(() => forecaster.ForecastNext([y, promo], future: [[1f]])).Message);
        Assert.Contains("is NaN", Assert.Throws<ArgumentException>(() => forecaster.ForecastNext([y, promo], future: [[1f, float.NaN]])).Message);
        // Within the data no future values are needed.
        Assert.Equal(2, forecaster.Forecast([y, promo], [58])[0].Length);

        Assert.Contains("FutureInputs is 2, but there are 1 input column(s)",
            Assert.Throws<ArgumentException>(() => Forecaster.Train([y, promo], Names, 50, options with { FutureInputs = 2 })).Message);
        Assert.Contains("FutureInputs", Assert.ThrowsAny<ArgumentException>(() => Forecaster.Train([y], ["y"], 50, options with { Strategy = ForecastStrategy.Recursive })).Message);
    }
}
