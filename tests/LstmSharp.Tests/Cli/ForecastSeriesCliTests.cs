// `lstm forecast` over several series of one file: long format (--series-column) and wide format (several --target
// columns) train one global model, score each series and their mean, and evaluate and predict every series from the
// saved model; bad input (a missing or empty id column, both layouts at once, a series the model does not know,
// commands that take one series) exits 1 naming it. Also columns known in the future (--future-features), whose
// values for the steps after the data `predict` reads from the file's last rows, where the target is empty.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class ForecastSeriesCliTests
{
    static readonly float[] Week = ForecastCalendarCliTests.Week;
    static readonly (string Id, float Scale)[] Stores = [("north", 1), ("south", 10), ("east", 100)];
    const int Days = 210;

    /// <summary>
    /// Store s on day i from Monday 4 January 2021: scale_s · (the weekday's value + e_i), e_i ~ N(0, 0.05²) the same
    /// for every store — so that, scaled per series, the stores are one series to the network.
    /// </summary>
    static float[][] Values()
    {
        var rng = new Random(5);
        var noise = Enumerable.Range(0, Days).Select(_ => 0.05 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();
        return [.. Stores.Select(s => Enumerable.Range(0, Days).Select(i => (float)(s.Scale * (Week[i % 7] + noise[i]))).ToArray())];
    }

    static readonly DateTime Start = new(2021, 1, 4);

    /// <summary>Long format: a row per day and store, the days in order, the stores interleaved.</summary>
    static string Long(CliRunner cli, float[][] values)
    {
        var csv = new StringBuilder("date,store,sales\n");
        for (var i = 0; i < Days; i++)
            for (var s = 0; s < Stores.Length; s++) csv.Append(CultureInfo.InvariantCulture, $"{Start.AddDays(i):yyyy-MM-dd},{Stores[s].Id},{values[s][i]:F4}\n");
        return cli.Write("long.csv", csv.ToString());
    }

    /// <summary>Wide format: a row per day, a column per store.</summary>
    static string Wide(CliRunner cli, float[][] values)
    {
        var csv = new StringBuilder("date," + string.Join(',', Stores.Select(s => s.Id)) + "\n");
        for (var i = 0; i < Days; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{Start.AddDays(i):yyyy-MM-dd},{string.Join(',', values.Select(v => v[i].ToString("F4", CultureInfo.InvariantCulture)))}\n");
        return cli.Write("wide.csv", csv.ToString());
    }

    static readonly string[] Quick = ["--horizon", "7", "--lookback", "14", "--test", "28", "--transform", "none", "--units", "16", "--epochs", "100", "--plot", ""];

    /// <summary>Each series' scores in the JSON, and the mean over them that "test" must be.</summary>
    static void AssertScoredPerSeries(JsonNode json)
    {
        var series = json["series"]!.AsArray();
        Assert.Equal(Stores.Select(s => s.Id), series.Select(s => (string?)s!["id"]));
        var first = (double)series[0]!["test"]!["LSTM"]!["mase"]!;
        foreach (var one in series)
        {
            Assert.Equal(28, (int)one!["test_rows"]!);
            var lstm = (double)one["test"]!["LSTM"]!["mase"]!;
            var (seasonal, naive) = ((double)one["test"]!["seasonal naive"]!["mase"]!, (double)one["test"]!["naive"]!["mase"]!);
            // Each store scaled on its own looks the same to the network, and MASE does not depend on scale: the same score
            // for each (with a scaler shared by the stores, the small one would drown in the large one's).
            Assert.True(Math.Abs(lstm - first) < 1e-3 * first, $"{one["id"]}: LSTM MASE {lstm}; {series[0]!["id"]}: {first}");
            Assert.True(lstm < seasonal && lstm < 0.1 * naive, $"{one["id"]}: LSTM MASE {lstm}, seasonal naive {seasonal}, naive {naive}");
        }
        foreach (var name in new[] { "LSTM", "naive", "seasonal naive" })
        {
            foreach (var score in new[] { "mase", "mae", "smape" })
                Assert.Equal(series.Average(s => (double)s!["test"]![name]![score]!), (double)json["test"]![name]![score]!, 9);
        }
    }

    [Fact]
    public void LongFormat_TrainEvaluatePredict_EverySeriesOnItsOwnScale()
    {
        using var cli = new CliRunner();
        var values = Values();
        var data = Long(cli, values);
        var model = cli.File("stores.safetensors");
        var r = cli.Run(["forecast", "train", data, "--series-column", "store", .. Quick, "--output", model, "--json"]);
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        Assert.Equal("sales", (string?)json["target"]);
        Assert.Equal("store", (string?)json["series_column"]);
        Assert.Equal(7, (int)json["season"]!);
        AssertScoredPerSeries(json);
        Assert.Contains("(3 series of 210 rows)", r.Error, StringComparison.Ordinal);
        Assert.Contains("one per value of 'store' (long format): north, south, east", r.Error, StringComparison.Ordinal);
        Assert.Contains("test per series (MASE): 3 series", r.Error, StringComparison.Ordinal);

        // evaluate reads the same series, test rows and season from the model file and scores them the same.
        r = cli.Run("forecast", "evaluate", data, "--model", model, "--plot", "", "--json");
        Assert.True(r.Exit == 0, r.Error);
        var evaluated = JsonNode.Parse(r.Out)!;
        Assert.Equal((double)json["test"]!["LSTM"]!["mase"]!, (double)evaluated["test"]!["LSTM"]!["mase"]!, 6);
        Assert.Equal(3, evaluated["series"]!.AsArray().Count);

        // predict: the week after each store's last day, on its own scale.
        var forecasts = cli.File("forecasts.csv");
        r = cli.Run("forecast", "predict", data, "--model", model, "--output", forecasts);
        Assert.True(r.Exit == 0, r.Error);
        var lines = File.ReadAllLines(forecasts);
        Assert.Equal("store,step,date,sales", lines[0]);
        Assert.Equal(1 + 3 * 7, lines.Length);
        for (var s = 0; s < Stores.Length; s++)
        {
            for (var k = 1; k <= 7; k++)
            {
                var fields = lines[s * 7 + k].Split(',');
                Assert.Equal(Stores[s].Id, fields[0]);
                Assert.Equal(k, int.Parse(fields[1], CultureInfo.InvariantCulture));
                Assert.Equal(Start.AddDays(Days - 1 + k), DateTime.ParseExact(fields[2], "yyyy-MM-dd", CultureInfo.InvariantCulture));
                var expected = Stores[s].Scale * Week[(Days - 1 + k) % 7];
                Assert.True(Math.Abs(float.Parse(fields[3], CultureInfo.InvariantCulture) - expected) < 0.15 * Stores[s].Scale * 9, lines[s * 7 + k]);
            }
        }

        // In-sample rows of every series, each with its id.
        r = cli.Run("forecast", "predict", data, "--model", model, "--in-sample", "--output", forecasts, "--json");
        Assert.True(r.Exit == 0, r.Error);
        lines = File.ReadAllLines(forecasts);
        Assert.Equal("store,row,date,sales,forecast,residual", lines[0]);
        Assert.Equal(1 + 3 * (Days - 14), lines.Length);
        Assert.Equal(Stores.Select(s => s.Id), lines.Skip(1).Select(l => l.Split(',')[0]).Distinct());
    }

    [Fact]
    public void LongFormat_Quantiles_IntervalScoresAreTheMeanOverTheSeries()
    {
        using var cli = new CliRunner();
        var data = Long(cli, Values());
        var r = cli.Run(["forecast", "train", data, "--series-column", "store", "--quantiles", "0.1,0.9", .. Quick[..^4], "--epochs", "10", "--plot", "",
            "--output", cli.File("q.safetensors"), "--json"]);
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        var series = json["series"]!.AsArray();
        var coverage = (double)json["intervals"]!["coverage"]![0]!["observed"]!;
        Assert.Equal(series.Average(s => (double)s!["intervals"]!["coverage"]![0]!["observed"]!), coverage, 9);
        Assert.Equal(series.Average(s => (double)s!["intervals"]!["wis"]!), (double)json["intervals"]!["wis"]!, 9);
        Assert.Equal(0.8, (double)json["intervals"]!["coverage"]![0]!["nominal"]!, 6);
        Assert.Contains("prediction intervals (LSTM quantiles)", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WideFormat_SeveralTargets_OneGlobalModelPredictsEachColumn()
    {
        using var cli = new CliRunner();
        var values = Values();
        var data = Wide(cli, values);
        var model = cli.File("wide.safetensors");
        var r = cli.Run(["forecast", "train", data, "--target", "north,south,east", .. Quick, "--output", model, "--json"]);
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        Assert.Null(json["series_column"]);
        AssertScoredPerSeries(json);
        Assert.Contains("one per target column (wide format): north, south, east", r.Error, StringComparison.Ordinal);

        var forecasts = cli.File("forecasts.csv");
        r = cli.Run("forecast", "predict", data, "--model", model, "--output", forecasts);
        Assert.True(r.Exit == 0, r.Error);
        var lines = File.ReadAllLines(forecasts);
        Assert.Equal("series,step,date,value", lines[0]);
        Assert.Equal(Stores.Select(s => s.Id), lines.Skip(1).Select(l => l.Split(',')[0]).Distinct());
        var east = float.Parse(lines[2 * 7 + 1].Split(',')[3], CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(east - 100 * Week[Days % 7]) < 0.15 * 100 * 9, lines[2 * 7 + 1]);
    }

    [Fact]
    public void BadSeriesInput_ExitsOneAndSaysWhy()
    {
        using var cli = new CliRunner();
        var values = Values();
        var data = Long(cli, values);
        var wide = Wide(cli, values);
        var model = cli.File("m.safetensors");
        string[] quick = ["--epochs", "1", "--plot", "", "--output", model];

        var r = cli.Run(["forecast", "train", data, "--series-column", "shop", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("--series-column", r.Error, StringComparison.Ordinal);
        Assert.Contains("'shop'", r.Error, StringComparison.Ordinal);

        r = cli.Run(["forecast", "train", wide, "--series-column", "date", "--target", "north,south", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("not both", r.Error, StringComparison.Ordinal);

        var gap = cli.Write("gap.csv", File.ReadAllText(data).Replace("2021-01-06,south,", "2021-01-06,,", StringComparison.Ordinal));
        r = cli.Run(["forecast", "train", gap, "--series-column", "store", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("gap.csv:9: column 'store' (column 2) is empty", r.Error, StringComparison.Ordinal);

        // One store with too few rows is named.
        var few = cli.Write("few.csv", File.ReadAllText(data) + "2021-08-02,west,1\n2021-08-03,west,2\n");
        r = cli.Run(["forecast", "train", few, "--series-column", "store", "--test", "7", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("few.csv (series 'west')", r.Error, StringComparison.Ordinal);

        r = cli.Run(["forecast", "train", data, "--series-column", "store", "--backtest", "2", .. quick]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("--backtest retrains on one series", r.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));

        r = cli.Run(["forecast", "tune", wide, "--target", "north,south", "--trials", "1", "--plot", "", "--output", model]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("searches on one series", r.Error, StringComparison.Ordinal);

        r = cli.Run(["forecast", "train", data, "--series-column", "store", "--horizon", "7", "--lookback", "14", "--test", "28", .. quick]);
        Assert.True(r.Exit == 0, r.Error);
        // A store the model was not trained on, and a command that reads one series.
        var other = cli.Write("other.csv", File.ReadAllText(data).Replace(",east,", ",west,", StringComparison.Ordinal));
        r = cli.Run("forecast", "predict", other, "--model", model, "--output", cli.File("f.csv"));
        Assert.Equal(1, r.Exit);
        Assert.Contains("the series 'west' (column 'store') is not one", r.Error, StringComparison.Ordinal);
        Assert.Contains("'north', 'south', 'east'", r.Error, StringComparison.Ordinal);
        r = cli.Run("forecast", "detect", data, "--model", model, "--output", cli.File("a.csv"), "--plot", "");
        Assert.Equal(1, r.Exit);
        Assert.Contains("global forecaster of 3 series", r.Error, StringComparison.Ordinal);
        // The ONNX export takes each row's series by its index, as the tool says.
        r = cli.Run("export", model, "--onnx", cli.File("m.onnx"), "--json");
        Assert.True(r.Exit == 0, r.Error);
        var exported = JsonNode.Parse(r.Out)!;
        Assert.Equal(["north", "south", "east"], exported["series"]!.AsArray().Select(id => (string?)id));
        Assert.Equal(["history", "series"], exported["onnx"]!["inputs"]!.AsArray().Select(i => (string?)i!["name"]));
        Assert.Contains("input 'series': each row's series by its index: 0 = north, 1 = south, 2 = east", r.Error, StringComparison.Ordinal);
    }

    /// <summary>Daily sales 10 + 3·promo + N(0, 0.05²) with a promotion on a fixed pseudo-random third of the days; then <paramref name="ahead"/> rows with the promotion planned and no sales yet.</summary>
    static (string Path, float[] Promo) Promotions(CliRunner cli, int ahead)
    {
        var rng = new Random(9);
        var promo = Enumerable.Range(0, Days + ahead).Select(_ => rng.Next(3) == 0 ? 1f : 0f).ToArray();
        var csv = new StringBuilder("date,promo,sales\n");
        for (var i = 0; i < Days + ahead; i++)
        {
            var sales = i < Days ? (10 + 3 * promo[i] + 0.05 * (rng.NextDouble() - 0.5)).ToString("F4", CultureInfo.InvariantCulture) : "";
            csv.Append(CultureInfo.InvariantCulture, $"{Start.AddDays(i):yyyy-MM-dd},{promo[i]},{sales}\n");
        }
        return (cli.Write("promo.csv", csv.ToString()), promo);
    }

    [Fact]
    public void FutureFeatures_PredictReadsThePlannedPromotionsAfterTheData()
    {
        using var cli = new CliRunner();
        var (data, promo) = Promotions(cli, ahead: 7);
        var model = cli.File("promo.safetensors");
        var r = cli.Run("forecast", "train", data, "--future-features", "promo", "--horizon", "7", "--lookback", "14", "--test", "28", "--transform", "none",
            "--units", "16", "--epochs", "80", "--plot", "", "--output", model, "--json");
        Assert.True(r.Exit == 0, r.Error);
        Assert.Contains("promo (known in the future)", r.Error, StringComparison.Ordinal);
        Assert.Contains("⊕ future inputs 1", r.Error, StringComparison.Ordinal);
        var json = JsonNode.Parse(r.Out)!;
        Assert.Equal(Days, (int)json["rows"]!);   // the 7 rows without sales are not rows of the series
        var mae = (double)json["test"]!["LSTM"]!["mae"]!;
        Assert.True(mae < 0.3, $"MAE {mae}: the promotion of each step (±3) is known");

        var forecasts = cli.File("forecasts.csv");
        r = cli.Run("forecast", "predict", data, "--model", model, "--output", forecasts);
        Assert.True(r.Exit == 0, r.Error);
        var lines = File.ReadAllLines(forecasts);
        Assert.Equal(8, lines.Length);
        for (var k = 1; k <= 7; k++)
        {
            var fields = lines[k].Split(',');
            Assert.Equal(Start.AddDays(Days - 1 + k), DateTime.ParseExact(fields[1], "yyyy-MM-dd", CultureInfo.InvariantCulture));
            var expected = 10 + 3 * promo[Days - 1 + k];
            Assert.True(Math.Abs(float.Parse(fields[2], CultureInfo.InvariantCulture) - expected) < 0.75, $"{lines[k]}: expected about {expected}");
        }
        r = cli.Run("forecast", "evaluate", data, "--model", model, "--plot", "", "--json");
        Assert.True(r.Exit == 0, r.Error);
        Assert.Equal(mae, (double)JsonNode.Parse(r.Out)!["test"]!["LSTM"]!["mae"]!, 6);

        // Too few planned rows, a planned row without its promotion, the recursive strategy, the target as a future input.
        var (short3, _) = Promotions(cli, ahead: 3);
        r = cli.Run("forecast", "predict", short3, "--model", model, "--output", forecasts);
        Assert.Equal(1, r.Exit);
        Assert.Contains("'promo' (known in the future) at each of the 7 steps", r.Error, StringComparison.Ordinal);
        Assert.Contains("the file has 3 such row(s)", r.Error, StringComparison.Ordinal);
        var lines7 = File.ReadAllLines(data);
        lines7[Days + 3] = lines7[Days + 3].Replace(",1,", ",,", StringComparison.Ordinal).Replace(",0,", ",,", StringComparison.Ordinal);
        var gap = cli.Write("gap.csv", string.Join('\n', lines7) + "\n");
        r = cli.Run("forecast", "predict", gap, "--model", model, "--output", forecasts);
        Assert.Equal(1, r.Exit);
        Assert.Contains($"gap.csv:{Days + 4}: column 'promo' (column 2) is empty in a row after the last 'sales' value", r.Error, StringComparison.Ordinal);
        r = cli.Run("forecast", "train", data, "--future-features", "promo", "--strategy", "recursive", "--plot", "", "--output", cli.File("r.safetensors"));
        Assert.Equal(1, r.Exit);
        Assert.Contains("--future-features needs --strategy direct", r.Error, StringComparison.Ordinal);
        r = cli.Run("forecast", "train", data, "--target", "sales", "--future-features", "sales", "--plot", "", "--output", cli.File("r.safetensors"));
        Assert.Equal(1, r.Exit);
        Assert.Contains("--future-features names the target 'sales'", r.Error, StringComparison.Ordinal);
    }
}
