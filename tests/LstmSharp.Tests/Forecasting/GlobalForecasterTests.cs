// A global forecaster (several series, one network, scalers per series): each series unscaled by its own scaler,
// checked by hand; scale equivariance; the one-series form unchanged; model files; input errors naming the series.
using System.Text.Json.Nodes;
using LstmSharp.Forecasting;
using LstmSharp.Onnx;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class GlobalForecasterTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("lstmsharp-global-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly string[] Target = ["y"];

    /// <summary>A second shape: y_t = 300 + 50·cos(0.7 t) + 4·t.</summary>
    static float[] Other(int n) => [.. Enumerable.Range(0, n).Select(t => (float)(300 + 50 * Math.Cos(0.7 * t) + 4 * t))];

    static ForecastOptions Small(int epochs = 1) => new() { Lookback = 4, Horizon = 3, Units = 3, Epochs = epochs, BatchSize = 8, Seed = 7 };

    static int[] Bits(Forecaster f) => [.. f.Model.GetWeights().OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.ToArray()).Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void Forecast_ConstantNetworkOutput_EachSeriesUnscaledByItsOwnScaler()
    {
        const int L = 4, H = 3;
        // Two series of different lengths, levels and spreads, and different training parts.
        (string Id, float[] Y, int TrainEnd)[] data = [("small", ForecasterTests.Wiggle(46), 40), ("large", Other(57), 51)];
        var forecaster = Forecaster.Train([.. data.Select(d => new ForecastSeries(d.Id, [d.Y], d.TrainEnd))], Target, Small());
        Assert.Equal(["small", "large"], forecaster.Series);
        float[] bias = [0.3f, -0.7f, 1.1f];
        ForecasterTests.SetConstantOutput(forecaster, bias);
        var path = Path.Combine(_folder, "hand.safetensors");
        forecaster.Save(path);
        var settings = JsonNode.Parse(Sequential.Load(path).Metadata["lstmsharp.forecast"])!;
        Assert.Equal(["small", "large"], settings["series"]!.AsArray().Select(v => (string)v!));

        for (var s = 0; s < data.Length; s++)
        {
            var (id, y, trainEnd) = data[s];
            // Differences; the scaler over the rows of this series' training windows: trainEnd − 1 − L − H + 1 windows,
            // a tenth (rounded, at least one) of them held out; the last kept window's targets end at fitEnd.
            var windows = trainEnd - 1 - L - H + 1;
            var held = Math.Max(1, (int)Math.Round(windows * 0.1));
            var fitEnd = 1 + L + (windows - held) - 1 + H;
            var part = Enumerable.Range(1, fitEnd - 1).Select(r => (double)y[r] - y[r - 1]).ToArray();
            var mean = part.Average();
            var std = Math.Sqrt(part.Sum(v => (v - mean) * (v - mean)) / part.Length);
            var stored = settings["scalers"]![s]![0]!.AsArray().Select(v => (double)v!).ToArray();
            ForecasterTests.AssertClose(mean, (float)stored[0], 1e-5, $"{id}: stored mean");
            ForecasterTests.AssertClose(std, (float)stored[1], 1e-5, $"{id}: stored std");

            int[] origins = [L + 1, trainEnd, y.Length];
            var forecasts = forecaster.Forecast([y], origins, series: id);
            Assert.Equal(forecasts[^1], forecaster.ForecastNext([y], series: id));
            for (var i = 0; i < origins.Length; i++)
            {
                double level = y[origins[i] - 1], sum = 0;
                for (var k = 0; k < H; k++)
                {
                    sum += bias[k] * std + mean;
                    ForecasterTests.AssertClose(level + sum, forecasts[i][k], 1e-4, $"{id}: origin {origins[i]} step {k + 1}");
                }
            }
        }
    }

    [Fact]
    public void Train_ScaledCopyOfASeries_ForecastsScaleWithIt()
    {
        // b = 1000·a + 5: scaled per series, both look the same to the network, so b's forecasts are a's, mapped the same way.
        var a = ForecasterTests.Wiggle(60);
        var b = a.Select(v => 1000 * v + 5).ToArray();
        var forecaster = Forecaster.Train([new ForecastSeries("a", [a], 50), new ForecastSeries("b", [b], 50)], Target, Small(epochs: 4));
        int[] origins = [10, 30, 50, 57];
        var fa = forecaster.Forecast([a], origins, series: "a");
        var fb = forecaster.Forecast([b], origins, series: "b");
        for (var i = 0; i < origins.Length; i++)
        {
            for (var k = 0; k < 3; k++)
            {
                ForecasterTests.AssertClose(1000.0 * fa[i][k] + 5, fb[i][k], 1e-4, $"origin {origins[i]} step {k + 1}");
                // Not vacuous: the forecast is not just the last value carried on.
                Assert.NotEqual(a[origins[i] - 1], fa[i][k]);
            }
        }
        // With a's scaler, b would be taken for a series 1000 times as lively: its forecasts differ.
        var scaledByA = Forecaster.Train([new ForecastSeries("a", [a], 50)], Target, Small(epochs: 4)).Forecast([b], origins, series: "a");
        Assert.True(Math.Abs(scaledByA[0][0] - fb[0][0]) > 1f, $"{scaledByA[0][0]} vs {fb[0][0]}");
    }

    [Fact]
    public void Train_OneNamedSeries_SameWeightsAsTheColumnsForm()
    {
        var y = ForecasterTests.Wiggle(50);
        var x = y.Select((_, r) => (float)Math.Sin(r * 0.3)).ToArray();
        var options = Small(epochs: 3) with { Quantiles = [0.1f, 0.5f, 0.9f] };
        var plain = Forecaster.Train([y, x], ["y", "x"], 42, options);
        var global = Forecaster.Train([new ForecastSeries("only", [y, x], 42)], ["y", "x"], options);
        Assert.Equal(Bits(plain), Bits(global));
        Assert.Empty(plain.Series);
        Assert.Equal(["only"], global.Series);
        Assert.Equal(plain.ForecastQuantiles([y, x], [45]), global.ForecastQuantiles([y, x], [45], series: "only"));
    }

    sealed class Batches : IProgress<FitProgress>
    {
        public int PerEpoch { get; private set; }

        public void Report(FitProgress value) => PerEpoch = value.Batches;
    }

    [Fact]
    public void Train_SecondSeries_ItsWindowsAreTrainedOn()
    {
        var a = ForecasterTests.Wiggle(50);
        var (alone, both) = (new Batches(), new Batches());
        var one = Forecaster.Train([new ForecastSeries("a", [a], 45)], Target, Small(epochs: 2), alone);
        var two = Forecaster.Train([new ForecastSeries("a", [a], 45), new ForecastSeries("b", [Other(50)], 40)], Target, Small(epochs: 2), both);
        Assert.NotEqual(Bits(one), Bits(two));
        // a: 45 − 1 − 4 − 3 + 1 = 38 windows, 4 held out, 34 trained on; b: 33 windows, 3 held out, 30: batches of 8.
        Assert.Equal(5, alone.PerEpoch);    // ⌈34 / 8⌉
        Assert.Equal(8, both.PerEpoch);     // ⌈64 / 8⌉
    }

    [Fact]
    public void SaveLoad_Global_SameSeriesAndBitIdenticalForecasts()
    {
        var a = ForecasterTests.Wiggle(60);
        var b = Other(55);
        var forecaster = Forecaster.Train([new ForecastSeries("a", [a], 50), new ForecastSeries("b", [b], 48)], Target, Small(epochs: 2));
        var path = Path.Combine(_folder, "global.safetensors");
        forecaster.Save(path);
        var loaded = Forecaster.Load(path);
        Assert.Equal(["a", "b"], loaded.Series);
        foreach (var (id, y) in new[] { ("a", a), ("b", b) })
        {
            Assert.Equal(forecaster.Forecast([y], [20, y.Length], series: id).SelectMany(f => f).Select(BitConverter.SingleToInt32Bits),
                loaded.Forecast([y], [20, y.Length], series: id).SelectMany(f => f).Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [InlineData("one scaler list", "scalers for 1 series; the file names 2")]
    [InlineData("twice", "a series id is given twice")]
    [InlineData("empty id", "a series id is empty")]
    [InlineData("short list", "2 scalers of series 'b' for 1 columns")]
    public void Load_DamagedSeries_InvalidData(string damage, string expected)
    {
        var a = ForecasterTests.Wiggle(50);
        var forecaster = Forecaster.Train([new ForecastSeries("a", [a], 45), new ForecastSeries("b", [Other(50)], 45)], Target, Small());
        var path = Path.Combine(_folder, "damaged.safetensors");
        forecaster.Save(path);
        var model = Sequential.Load(path);
        var settings = JsonNode.Parse(model.Metadata["lstmsharp.forecast"])!.AsObject();
        var scalers = settings["scalers"]!.AsArray();
        switch (damage)
        {
            case "one scaler list": scalers.RemoveAt(1); break;
            case "twice": settings["series"] = new JsonArray("a", "a"); break;
            case "empty id": settings["series"] = new JsonArray("a", ""); break;
            default: scalers[1]!.AsArray().Add(new JsonArray(0f, 1f)); break;
        }
        model.Metadata["lstmsharp.forecast"] = settings.ToJsonString();
        model.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => Forecaster.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Forecast_SeriesMissingOrUnknown_ArgumentListsTheKnownSeries()
    {
        var a = ForecasterTests.Wiggle(50);
        var global = Forecaster.Train([new ForecastSeries("north", [a], 45), new ForecastSeries("south", [Other(50)], 45)], Target, Small());
        var none = Assert.Throws<ArgumentException>(() => global.ForecastNext([a]));
        Assert.Contains("2 series", none.Message);
        Assert.Contains("'north', 'south'", none.Message);
        var unknown = Assert.Throws<ArgumentException>(() => global.ForecastNext([a], series: "east"));
        Assert.Contains("'east'", unknown.Message);
        Assert.Contains("'north', 'south'", unknown.Message);
        var single = Forecaster.Train([a], Target, 45, Small());
        Assert.Contains("one series", Assert.Throws<ArgumentException>(() => single.ForecastNext([a], series: "north")).Message);
    }

    [Theory]
    [InlineData(SeriesTransform.Difference, false)]
    [InlineData(SeriesTransform.SeasonalDifference, true)]
    public void OnnxExport_Global_EachRowScaledByItsSeriesScalers(SeriesTransform transform, bool quantiles)
    {
        // Two series of very different levels: a row scaled by the other series' scalers would be far off.
        (string Id, float[] Y)[] data = [("small", ForecasterTests.Wiggle(50)), ("large", Other(50))];
        var options = Small(2) with { Transform = transform, Season = transform == SeriesTransform.SeasonalDifference ? 2 : 0, Quantiles = quantiles ? [0.1f, 0.5f, 0.9f] : [] };
        var global = Forecaster.Train([.. data.Select(d => new ForecastSeries(d.Id, [d.Y], 45))], Target, options);
        int n = global.HistoryNeeded, h = options.Horizon;
        int[] origins = [n, 30, 50];
        // Rows: each origin of each series, the series interleaved.
        var rows = data.SelectMany((d, s) => origins.Select(t => (Series: s, Y: d.Y, Origin: t))).OrderBy(r => r.Origin).ToArray();
        var history = rows.SelectMany(r => r.Y[(r.Origin - n)..r.Origin]).ToArray();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(OnnxExport.ToBytes(global));
        using var results = session.Run([
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("history", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(history, [rows.Length, n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("series", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(rows.Select(r => (long)r.Series).ToArray(), [rows.Length])),
        ]);
        var forecast = results.Single(r => r.Name == "forecast").AsTensor<float>();
        for (var i = 0; i < rows.Length; i++)
        {
            var id = data[rows[i].Series].Id;
            var expected = global.Forecast([rows[i].Y], [rows[i].Origin], series: id)[0];
            var bands = quantiles ? global.ForecastQuantiles([rows[i].Y], [rows[i].Origin], series: id)[0] : null;
            for (var k = 0; k < h; k++)
            {
                ForecasterTests.AssertClose(expected[k], forecast[i, k], 1e-5, $"{id} origin {rows[i].Origin} step {k + 1}");
                for (var q = 0; q < (bands?[k].Length ?? 0); q++)
                    ForecasterTests.AssertClose(bands![k][q], results.Single(r => r.Name == "quantiles").AsTensor<float>()[i, k, q], 1e-5, $"{id} origin {rows[i].Origin} step {k + 1} quantile {q}");
            }
        }
    }

    [Theory]
    [InlineData("none", "at least one series")]
    [InlineData("twice", "'a' is given twice")]
    [InlineData("no id", "Series 2 has no id")]
    [InlineData("short", "Series 'b': Too few rows: 8 training rows")]
    [InlineData("columns", "Series 'b': Expected 1 column(s)")]
    [InlineData("constant", "Series 'b': 'y' is constant")]
    [InlineData("train end", "Series 'b': The training part must end within the 50 rows")]
    public void Train_BadSeries_ArgumentNamesTheSeries(string bad, string expected)
    {
        var a = ForecasterTests.Wiggle(50);
        var b = Other(50);
        ForecastSeries[] series = bad switch
        {
            "none" => [],
            "twice" => [new("a", [a], 45), new("a", [b], 45)],
            "no id" => [new("a", [a], 45), new("", [b], 45)],
            "short" => [new("a", [a], 45), new("b", [b], 8)],
            "columns" => [new("a", [a], 45), new("b", [b, b], 45)],
            "constant" => [new("a", [a], 45), new("b", [b.Select(_ => 2f).ToArray()], 45)],
            _ => [new("a", [a], 45), new("b", [b], 51)],
        };
        var e = Assert.ThrowsAny<ArgumentException>(() => Forecaster.Train(series, Target, Small()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Evaluation_PerSeries_ScoresThatSeriesForecasts()
    {
        var a = ForecasterTests.Wiggle(60);
        var b = Other(60);
        var forecaster = Forecaster.Train([new ForecastSeries("a", [a], 50), new ForecastSeries("b", [b], 50)], Target, Small(epochs: 2));
        var evaluation = ForecastEvaluation.Run(forecaster, [b], 50, 1, series: "b");
        var forecasts = forecaster.Forecast([b], [.. evaluation.Origins], series: "b");
        Assert.Equal(forecasts.SelectMany(f => f), evaluation.Forecasts.SelectMany(f => f));
        // MAE by hand over every origin and step, against b's actual values.
        var mae = evaluation.Origins.SelectMany((t, i) => Enumerable.Range(0, 3).Select(k => Math.Abs((double)b[t + k] - forecasts[i][k]))).Average();
        ForecasterTests.AssertClose(mae, (float)evaluation.Scores[ForecastEvaluation.ModelName].Mae, 1e-5, "MAE");
    }
}
