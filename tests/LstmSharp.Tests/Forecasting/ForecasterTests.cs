// Forecaster: undoing scale and transform checked with hand-set weights, no leakage from the test part, model files, input errors, learning.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LstmSharp.Data;
using LstmSharp.Forecasting;
using LstmSharp.Layers;
using LstmSharp.Text;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class ForecasterTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-forecast-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly string[] Target = ["y"];

    /// <summary>A positive series with a trend and a wiggle: y_t = 10 + 0.3·t + 2·sin t.</summary>
    internal static float[] Wiggle(int n) => [.. Enumerable.Range(0, n).Select(t => (float)(10 + 0.3 * t + 2 * Math.Sin(t)))];

    /// <summary>Zeroes every weight and sets the last Dense bias: the LSTM state stays 0, so the network outputs <paramref name="bias"/> for any input.</summary>
    internal static void SetConstantOutput(Forecaster forecaster, float[] bias)
    {
        var weights = forecaster.Model.GetWeights().ToDictionary(p => p.Key, p => Tensor.Zeros(p.Value.Shape.ToArray()));
        Assert.True(weights.ContainsKey("dense.bias"), $"no dense.bias among {string.Join(", ", weights.Keys)}");
        weights["dense.bias"] = new Tensor(bias, bias.Length);
        forecaster.Model.SetWeights(weights);
    }

    internal static void AssertClose(double expected, float actual, double relative, string what)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}.");

    [Theory]
    // Lookback 4, horizon 3, 40 training rows, 10% of the windows held out. The scalers see rows [first, fitEnd):
    // Difference/LogDifference, direct: 40 − 1 − 4 − 3 + 1 = 33 windows, round(3.3) = 3 held out, the 30th window has
    //   origin 1 + 4 + 29 = 34 and targets 34…36 → rows [1, 37).
    // Recursive (one-step network): 35 windows, round(3.5) = 4 held out, last origin 1 + 4 + 30 = 35 → rows [1, 36).
    // None, direct: 34 windows, 3 held out, last origin 0 + 4 + 30 = 34, targets 34…36 → rows [0, 37).
    // None, recursive: 36 windows, round(3.6) = 4 held out, last origin 0 + 4 + 31 = 35 → rows [0, 36).
    // SeasonalDifference (season 2, so step 3 is added to step 1's forecast), direct: 40 − 2 − 4 − 3 + 1 = 32 windows,
    //   3 held out, last origin 2 + 4 + 28 = 34, targets 34…36 → rows [2, 37); recursive: 34 windows, round(3.4) = 3
    //   held out, last origin 2 + 4 + 30 = 36 → rows [2, 37).
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Direct, ScalingMethod.Standard, 37)]
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Recursive, ScalingMethod.Standard, 36)]
    [InlineData(SeriesTransform.LogDifference, ForecastStrategy.Direct, ScalingMethod.Standard, 37)]
    [InlineData(SeriesTransform.LogDifference, ForecastStrategy.Recursive, ScalingMethod.Standard, 36)]
    [InlineData(SeriesTransform.None, ForecastStrategy.Direct, ScalingMethod.Standard, 37)]
    [InlineData(SeriesTransform.None, ForecastStrategy.Recursive, ScalingMethod.Standard, 36)]
    [InlineData(SeriesTransform.Difference, ForecastStrategy.Direct, ScalingMethod.MinMax, 37)]
    [InlineData(SeriesTransform.SeasonalDifference, ForecastStrategy.Direct, ScalingMethod.Standard, 37)]
    [InlineData(SeriesTransform.SeasonalDifference, ForecastStrategy.Recursive, ScalingMethod.MinMax, 37)]
    public void Forecast_ConstantNetworkOutput_UndoesScaleAndTransformByHand(SeriesTransform transform, ForecastStrategy strategy, ScalingMethod scaling, int fitEnd)
    {
        const int L = 4, H = 3, TrainEnd = 40, N = 46;
        var y = Wiggle(N);
        const int S = 2;
        var season = transform == SeriesTransform.SeasonalDifference ? S : 0;
        var options = new ForecastOptions { Lookback = L, Horizon = H, Strategy = strategy, Transform = transform, Season = season, Scaling = scaling, Units = 3, Epochs = 1, BatchSize = 8, Seed = 7 };
        var forecaster = Forecaster.Train([y], Target, TrainEnd, options);
        float[] bias = strategy == ForecastStrategy.Direct ? [0.3f, -0.7f, 1.1f] : [0.4f];
        SetConstantOutput(forecaster, bias);

        // The modelled series z (in double) and its scaler over the rows of the training windows.
        var first = transform switch { SeriesTransform.None => 0, SeriesTransform.SeasonalDifference => S, _ => 1 };
        Assert.Equal(L + first, forecaster.HistoryNeeded);
        var z = Enumerable.Range(0, N).Select(r => transform switch
        {
            SeriesTransform.None => (double)y[r],
            _ when r < first => 0,
            SeriesTransform.Difference => (double)y[r] - y[r - 1],
            SeriesTransform.SeasonalDifference => (double)y[r] - y[r - S],
            _ => Math.Log(y[r]) - Math.Log(y[r - 1]),
        }).ToArray();
        var part = z[first..fitEnd];
        double offset, factor;   // unscaled = scaled · factor + offset
        if (scaling == ScalingMethod.Standard)
        {
            var mean = part.Average();
            offset = mean;
            factor = Math.Sqrt(part.Sum(v => (v - mean) * (v - mean)) / part.Length);   // population std
        }
        else
        {
            offset = part.Min();
            factor = part.Max() - part.Min();
        }

        // The stored scaler (reading back saved state) must be the one the rule above describes.
        var path = Path.Combine(_folder, "hand.safetensors");
        forecaster.Save(path);
        var stored = JsonNode.Parse(Sequential.Load(path).Metadata["lstmsharp.forecast"])!["scalers"]![0]!.AsArray().Select(v => (double)v!).ToArray();
        if (scaling == ScalingMethod.Standard)
        {
            AssertClose(offset, (float)stored[0], 1e-5, "stored mean");
            AssertClose(factor, (float)stored[1], 1e-5, "stored std");
        }
        else
        {
            Assert.Equal((float)offset, (float)stored[0]);
            Assert.Equal((float)(offset + factor), (float)stored[1]);
        }

        int[] origins = [L + first, 20, TrainEnd, 43, N];
        var forecasts = forecaster.Forecast([y], origins);
        var next = forecaster.ForecastNext([y]);
        Assert.Equal(forecasts[^1], next);
        for (var i = 0; i < origins.Length; i++)
        {
            var t = origins[i];
            Assert.Equal(H, forecasts[i].Length);
            double level = y[t - 1], sum = 0;
            var expected = new double[H];
            for (var k = 0; k < H; k++)
            {
                var step = bias[Math.Min(k, bias.Length - 1)] * factor + offset;   // the network's output, unscaled
                sum += step;
                expected[k] = transform switch
                {
                    SeriesTransform.Difference => level + sum,
                    SeriesTransform.LogDifference => level * Math.Exp(sum),
                    // The value a season before: observed for the first S steps, then the forecast S steps earlier.
                    SeriesTransform.SeasonalDifference => step + (k < S ? y[t + k - S] : expected[k - S]),
                    _ => step,
                };
                AssertClose(expected[k], forecasts[i][k], 1e-4, $"origin {t} step {k + 1}");
            }
        }
    }

    [Theory]
    [InlineData(SeriesTransform.Difference, 0)]
    [InlineData(SeriesTransform.SeasonalDifference, 6)]
    public void Train_TestPartChanged_BitIdenticalWeights(SeriesTransform transform, int season)
    {
        const int TrainEnd = 36;
        var a = Wiggle(50);
        var b = a.Select((v, r) => r >= TrainEnd ? v * 10 : v).ToArray();
        var options = new ForecastOptions { Lookback = 4, Horizon = 2, Transform = transform, Season = season, Units = 4, Epochs = 3, BatchSize = 8, Seed = 3 };
        static float[] Bits(Forecaster f) => [.. f.Model.GetWeights().OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.ToArray())];

        var first = Bits(Forecaster.Train([a], Target, TrainEnd, options));
        var second = Bits(Forecaster.Train([b], Target, TrainEnd, options));
        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), second.Select(BitConverter.SingleToInt32Bits));
        // Not vacuous: two more training rows do change the weights (one more can go to validation alone).
        var longer = Bits(Forecaster.Train([a], Target, TrainEnd + 2, options));
        Assert.NotEqual(first.Select(BitConverter.SingleToInt32Bits), longer.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void SaveLoad_RoundTrip_BitIdenticalForecastsAndSettings()
    {
        var y = Wiggle(60);
        var x = y.Select((v, r) => (float)Math.Cos(r * 0.5)).ToArray();
        var options = new ForecastOptions
        {
            Lookback = 5, Horizon = 3, Transform = SeriesTransform.SeasonalDifference, Season = 4, ClipNorm = 0.5f, LearningRateDecay = 0.25f,
            Units = 4, Epochs = 2, BatchSize = 8, Seed = 11, Scaling = ScalingMethod.MinMax, Dropout = 0.25f,
        };
        var forecaster = Forecaster.Train([y, x], ["y", "x"], 50, options);
        var path = Path.Combine(_folder, "forecaster.safetensors");
        forecaster.Save(path);
        var loaded = Forecaster.Load(path);

        Assert.Equal(options, loaded.Options);
        Assert.Equal(["y", "x"], loaded.Columns);
        Assert.Equal(forecaster.HistoryNeeded, loaded.HistoryNeeded);
        int[] origins = [9, 30, 50, 57, 60];   // 9 = lookback 5 + season 4
        var before = forecaster.Forecast([y, x], origins);
        var after = loaded.Forecast([y, x], origins);
        for (var i = 0; i < origins.Length; i++)
            Assert.Equal(before[i].Select(BitConverter.SingleToInt32Bits), after[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Load_FileWrittenBeforeTheSeasonalTransform_TrainedWithoutClippingOrSchedule()
    {
        // Written by the tool at 8da4b9e (see Fixtures/models/README.md), before the season, clip_norm and learning_rate_decay settings.
        var old = Forecaster.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "forecast.safetensors"));
        Assert.Equal((SeriesTransform.Difference, 0, 0f, 0f), (old.Options.Transform, old.Options.Season, old.Options.ClipNorm, old.Options.LearningRateDecay));
        Assert.Equal(7, old.HistoryNeeded);   // lookback 6 + 1
    }

    [Fact]
    public void Train_SeasonalDifferenceWithoutSeason_ArgumentNamesSeason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Forecaster.Train([Wiggle(40)], Target, 40,
            new ForecastOptions { Lookback = 4, Transform = SeriesTransform.SeasonalDifference, Epochs = 1 }));
        Assert.Contains("Season must be in [2, 1000000] for the seasonal-difference transform; received 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PlainSequentialFile_InvalidDataNamingPathAndKind()
    {
        var path = Path.Combine(_folder, "plain.safetensors");
        new Sequential(new Input(4, 1), new Lstm(2), new Dense(1)).Save(path);
        var e = Assert.Throws<InvalidDataException>(() => Forecaster.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a forecaster", e.Message, StringComparison.Ordinal);
        Assert.Contains("without a task", e.Message, StringComparison.Ordinal);
        Assert.Contains("train one with Forecaster.Train.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TextClassifierFile_InvalidDataNamingPathAndTask()
    {
        var path = Path.Combine(_folder, "classifier.safetensors");
        var classifier = TextClassifier.Train(["good day", "bad day", "good food", "bad food"], ["pos", "neg", "pos", "neg"],
            new TextClassifierOptions { Units = 2, EmbeddingSize = 2, MaxLength = 4, Epochs = 1, ValidationFraction = 0f });
        classifier.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => Forecaster.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a forecaster", e.Message, StringComparison.Ordinal);
        Assert.Contains("'classify'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("lookback")]
    [InlineData("strategy")]
    [InlineData("scalers")]
    [InlineData("std")]
    [InlineData("columns")]
    public void Load_DamagedSettings_InvalidData(string damage)
    {
        var y = Wiggle(40);
        var forecaster = Forecaster.Train([y], Target, 40, new ForecastOptions { Lookback = 4, Units = 2, Epochs = 1, BatchSize = 8 });
        var path = Path.Combine(_folder, $"damaged-{damage}.safetensors");
        forecaster.Save(path);
        var model = Sequential.Load(path);
        var json = model.Metadata["lstmsharp.forecast"];
        var settings = JsonNode.Parse(json)!.AsObject();
        switch (damage)
        {
            case "truncated": json = json[..(json.Length / 2)]; break;
            case "lookback": settings["lookback"] = 5; json = settings.ToJsonString(); break;   // the network reads 4 steps
            case "strategy": settings["strategy"] = "Sideways"; json = settings.ToJsonString(); break;
            case "scalers": settings.Remove("scalers"); json = settings.ToJsonString(); break;
            case "std": settings["scalers"] = new JsonArray(new JsonArray(0.5f, -1f)); json = settings.ToJsonString(); break;
            default: settings["columns"] = new JsonArray("y", "extra"); json = settings.ToJsonString(); break;
        }
        model.Metadata["lstmsharp.forecast"] = json;
        model.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => Forecaster.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }

    static Forecaster Tiny() => Forecaster.Train([Wiggle(40)], Target, 40, new ForecastOptions { Lookback = 4, Units = 2, Epochs = 1, BatchSize = 8 });

    [Fact]
    public void SaveLoad_TrainingData_RoundTripsUnderTheToolsKeys()
    {
        var forecaster = Tiny();
        Assert.Null(forecaster.TrainingData);
        var data = new ForecastTrainingData { TimeColumn = "month", Season = 12, TestRows = 24, MissingPolicy = MissingPolicy.ForwardFill };
        forecaster.TrainingData = data;
        var path = Path.Combine(_folder, "training-data.safetensors");
        forecaster.Save(path);
        Assert.Equal(data, Forecaster.Load(path).TrainingData);
        // The entries `lstm` wrote itself before the library owned them, unchanged, so either side reads the other's files.
        var metadata = Sequential.Load(path).Metadata;
        Assert.Equal("month", metadata["lstmsharp.forecast.time_column"]);
        Assert.Equal("12", metadata["lstmsharp.forecast.season"]);
        Assert.Equal("24", metadata["lstmsharp.forecast.test_rows"]);
        Assert.Equal("ffill", metadata["lstmsharp.forecast.missing"]);

        // Null records nothing: a loaded forecaster saved again without it leaves no stale entries.
        var loaded = Forecaster.Load(path);
        loaded.TrainingData = null;
        loaded.Save(path);
        Assert.Null(Forecaster.Load(path).TrainingData);
        Assert.DoesNotContain(Sequential.Load(path).Metadata.Keys, k => k.StartsWith("lstmsharp.forecast.", StringComparison.Ordinal));
    }

    [Theory]
    // As `lstm forecast train` wrote them itself: all four entries (no time column is ""), and the first release's two.
    [InlineData("month", "12", "24", "interpolate", "month", 12, 24, MissingPolicy.Interpolate)]
    [InlineData("", "1", "7", "drop", null, 1, 7, MissingPolicy.Drop)]
    [InlineData("", "52", "52", "error", null, 52, 52, MissingPolicy.Error)]
    [InlineData("date", "12", null, null, "date", 12, 0, MissingPolicy.Error)]
    public void Load_EntriesTheToolWrote_SameTrainingData(string time, string season, string? testRows, string? missing,
        string? expectedTime, int expectedSeason, int expectedTestRows, MissingPolicy expectedMissing)
    {
        var path = Path.Combine(_folder, "old-keys.safetensors");
        Tiny().Save(path);
        var model = Sequential.Load(path);
        model.Metadata["lstmsharp.forecast.time_column"] = time;
        model.Metadata["lstmsharp.forecast.season"] = season;
        if (testRows is not null) model.Metadata["lstmsharp.forecast.test_rows"] = testRows;
        if (missing is not null) model.Metadata["lstmsharp.forecast.missing"] = missing;
        model.Save(path);
        var data = Forecaster.Load(path).TrainingData;
        Assert.Equal(new ForecastTrainingData { TimeColumn = expectedTime, Season = expectedSeason, TestRows = expectedTestRows, MissingPolicy = expectedMissing }, data);
    }

    [Theory]
    [InlineData("lstmsharp.forecast.season", "twelve")]
    [InlineData("lstmsharp.forecast.test_rows", "-3")]
    [InlineData("lstmsharp.forecast.test_rows", "99999999999")]
    [InlineData("lstmsharp.forecast.missing", "backfill")]
    public void Load_DamagedTrainingData_InvalidData(string key, string value)
    {
        var path = Path.Combine(_folder, "damaged-training-data.safetensors");
        Tiny().Save(path);
        var model = Sequential.Load(path);
        model.Metadata[key] = value;
        model.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => Forecaster.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingData_OutOfRange_ArgumentNamesTheField()
    {
        var forecaster = Tiny();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => forecaster.TrainingData = new ForecastTrainingData { Season = -1 });
        Assert.Contains("Season", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => forecaster.TrainingData = new ForecastTrainingData { TimeColumn = "" });
        Assert.Throws<ArgumentOutOfRangeException>(() => forecaster.TrainingData = new ForecastTrainingData { MissingPolicy = (MissingPolicy)9 });
        Assert.Null(forecaster.TrainingData);
    }

    [Fact]
    public void Train_RecursiveWithTwoColumns_ArgumentSaysUseDirect()
    {
        var y = Wiggle(40);
        var e = Assert.Throws<ArgumentException>(() => Forecaster.Train([y, y], ["y", "x"], 40,
            new ForecastOptions { Lookback = 4, Horizon = 2, Strategy = ForecastStrategy.Recursive, Epochs = 1 }));
        Assert.Contains("direct", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("2 input columns", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-3f)]
    public void Train_LogDifferenceWithNonPositiveValue_NamesTheRow(float bad)
    {
        var y = Wiggle(40);
        y[7] = bad;   // the 8th row (rows are counted from 1, as in the column checks)
        var e = Assert.Throws<ArgumentException>(() => Forecaster.Train([y], Target, 40,
            new ForecastOptions { Lookback = 4, Transform = SeriesTransform.LogDifference, Epochs = 1 }));
        Assert.Contains("'y' row 8 ", e.Message, StringComparison.Ordinal);
        Assert.Contains("positive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_TooFewRows_SaysHowManyAreNeeded()
    {
        // Lookback 4 + horizon 3 + 1 for differencing: 8 rows make 1 window, held out for validation; 9 rows make 2.
        var y = Wiggle(20);
        var options = new ForecastOptions { Lookback = 4, Horizon = 3, Units = 2, Epochs = 1 };
        var e = Assert.Throws<ArgumentException>(() => Forecaster.Train([y], Target, 8, options));
        Assert.Contains("at least 9 rows are needed", e.Message, StringComparison.Ordinal);
        // The library names its options; the tool turns them into its flags (CliErrors.Message).
        Assert.Contains("the lookback (ForecastOptions.Lookback) or the horizon (ForecastOptions.Horizon)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
        Forecaster.Train([y], Target, 9, options);
    }

    /// <summary>The row count the error promises is enough must be enough, and one fewer must not.</summary>
    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void Train_TooFewRows_NeededCountIsEnough(float validationFraction)
    {
        var y = Wiggle(40);
        var options = new ForecastOptions { Lookback = 4, Horizon = 3, Units = 2, Epochs = 1, ValidationFraction = validationFraction };
        var e = Assert.Throws<ArgumentException>(() => Forecaster.Train([y], Target, 5, options));
        var needed = int.Parse(Regex.Match(e.Message, @"at least (\d+) rows are needed").Groups[1].Value);
        Assert.Throws<ArgumentException>(() => Forecaster.Train([y], Target, needed - 1, options));
        Forecaster.Train([y], Target, needed, options);
    }

    [Fact]
    public void Train_ConstantTarget_SaysConstant()
    {
        var y = Enumerable.Repeat(5f, 40).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Forecaster.Train([y], Target, 40, new ForecastOptions { Lookback = 4, Epochs = 1 }));
        Assert.Contains("constant", e.Message, StringComparison.Ordinal);
        // A straight line is not constant, but its differences are: the scaler refuses them, naming the column.
        var line = Enumerable.Range(0, 40).Select(t => 2f * t).ToArray();
        e = Assert.Throws<ArgumentException>(() => Forecaster.Train([line], Target, 40, new ForecastOptions { Lookback = 4, Epochs = 1 }));
        Assert.Contains("constant", e.Message, StringComparison.Ordinal);
        Assert.Contains("'y'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_NoisySeasonalTrend_BeatsNaiveClearly()
    {
        // y_t = sin(2πt/12) + 0.02·t + N(0, 0.05²): the last value misses the seasonal swing by ≈ 0.33 on average.
        const int N = 150, TestStart = N - 24;
        var rng = new Random(5);
        var y = Enumerable.Range(0, N).Select(t =>
            (float)(Math.Sin(2 * Math.PI * t / 12) + 0.02 * t + 0.05 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
        var forecaster = Forecaster.Train([y], Target, TestStart,
            new ForecastOptions { Lookback = 12, Units = 16, Epochs = 60, BatchSize = 16, LearningRate = 0.01f, Patience = 15, Seed = 1 });
        var origins = Enumerable.Range(TestStart, 24).ToArray();
        var forecasts = forecaster.Forecast([y], origins);
        var model = origins.Select((t, i) => Math.Abs(y[t] - forecasts[i][0])).Average();
        var naive = origins.Select(t => Math.Abs(y[t] - y[t - 1])).Average();
        Assert.True(naive > 0.25, $"naive MAE {naive}");
        Assert.True(model < 0.5 * naive, $"model MAE {model} vs naive MAE {naive}");
    }
}
