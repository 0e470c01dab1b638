// CliTests: the `lstm` commands end to end, in-process — results checked against hand-computed baselines, files
// they write, and every kind of bad input the tool promises to report clearly (exit code 1, nothing lost).
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LstmSharp.Forecasting;
using LstmSharp.Layers;
using LstmSharp.Metrics;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class CliTests
{
    static readonly string Air = CliRunner.Data("AirPassengers.csv");

    static string[] Quick(params string[] extra) => ["--epochs", "3", "--lookback", "12", "--units", "8", "--plot", "", .. extra];

    static float[] AirPassengers()
    {
        var lines = File.ReadAllLines(Air);
        var column = Array.IndexOf(lines[0].Split(','), "passengers");
        return [.. lines.Skip(1).Select(l => float.Parse(l.Split(',')[column], CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void ForecastTrain_Json_ReportsBaselinesEqualToAHandComputation()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var (exit, stdout, stderr) = cli.Run(["forecast", "train", Air, "--target", "passengers", "--test", "24", "--season", "12", "--json", "--output", model, .. Quick()]);
        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(24, (int)json["test_rows"]!);
        // One-step forecasts of the last 24 months from the actual history: naive = previous month, seasonal = 12 months back.
        var y = AirPassengers();
        int n = y.Length, start = n - 24;
        double naive = 0, seasonal = 0, scale = 0;
        for (var t = start; t < n; t++)
        {
            naive += Math.Abs(y[t] - y[t - 1]);
            seasonal += Math.Abs(y[t] - y[t - 12]);
        }
        for (var t = 12; t < start; t++) scale += Math.Abs(y[t] - y[t - 12]);
        scale /= start - 12;
        Assert.Equal(naive / 24, (double)json["test"]!["naive"]!["mae"]!, 4);
        Assert.Equal(seasonal / 24 / scale, (double)json["test"]!["seasonal naive"]!["mase"]!, 4);
        Assert.True(File.Exists(model));
        Assert.Contains("setting", stderr, StringComparison.Ordinal); // settings go to stderr under --json
    }

    [Fact]
    public void ForecastEvaluateAndPredict_FromTheSavedModel()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var train = cli.Run(["forecast", "train", Air, "--target", "passengers", "--horizon", "3", "--test", "24", "--json", "--output", model, .. Quick()]);
        Assert.True(train.Exit == 0, train.Error);
        var evaluate = cli.Run("forecast", "evaluate", Air, "--model", model, "--test", "24", "--plot", "", "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        // The saved model scores the test part exactly as the trained one did.
        Assert.Equal((double)JsonNode.Parse(train.Out)!["test"]!["LSTM"]!["mae"]!, (double)JsonNode.Parse(evaluate.Out)!["test"]!["LSTM"]!["mae"]!, 6);

        var output = cli.File("next.csv");
        var predict = cli.Run("forecast", "predict", Air, "--model", model, "--output", output);
        Assert.True(predict.Exit == 0, predict.Error);
        var lines = File.ReadAllLines(output);
        Assert.Equal(4, lines.Length);               // header + 3 steps
        Assert.StartsWith("step,", lines[0], StringComparison.Ordinal);
        Assert.All(lines.Skip(1), l => Assert.True(float.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture) > 100f));
    }

    [Fact]
    public void ForecastTrain_Ensemble_PredictsTheMeanOfTheNetworksTrainedAlone()
    {
        using var cli = new CliRunner();
        string[] Args(string model, params string[] extra) =>
            ["forecast", "train", Air, "--target", "passengers", "--horizon", "3", "--test", "24", "--epochs", "3", "--lookback", "12", "--units", "8", "--json", "--output", model, .. extra];
        var ensemble = cli.File("ensemble.safetensors");
        var plot = cli.File("air");
        var train = cli.Run(Args(ensemble, "--ensemble", "2", "--plot", plot));
        Assert.True(train.Exit == 0, train.Error);
        Assert.Contains("2 networks (seeds 42, 7961), outputs averaged; each Adam", train.Error, StringComparison.Ordinal);
        var json = JsonNode.Parse(train.Out)!;
        Assert.Equal(2, (int)json["training"]!["networks"]!);
        Assert.Equal(2, json["training"]!["members"]!.AsArray().Count);
        Assert.Equal(json["training"]!["kept_epoch"]!.AsArray().Select(e => (int)e!), json["best_epoch"]!.AsArray().Select(e => (int)e!));
        Assert.Equal(2, json["history"]!.AsArray().Count);
        Assert.All(new[] { "-forecast.png", "-loss-1.png", "-loss-2.png" }, suffix => Assert.True(File.Exists(plot + suffix), plot + suffix));

        // Each network alone, with the seed the ensemble gave it: the ensemble's forecasts are their mean.
        float[][] Predict(string model)
        {
            var output = cli.File(Path.GetFileNameWithoutExtension(model) + ".csv");
            var predict = cli.Run("forecast", "predict", Air, "--model", model, "--output", output);
            Assert.True(predict.Exit == 0, predict.Error);
            return [.. File.ReadAllLines(output).Skip(1).Select(l => new[] { float.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture) })];
        }
        var alone = new[] { "42", "7961" }.Select((seed, m) =>
        {
            var model = cli.File($"seed-{seed}.safetensors");
            var one = cli.Run(Args(model, "--seed", seed, "--ensemble", "1", "--plot", ""));
            Assert.True(one.Exit == 0, one.Error);
            Assert.Equal((int)json["best_epoch"]!.AsArray()[m]!, (int)JsonNode.Parse(one.Out)!["best_epoch"]!);
            return Predict(model);
        }).ToArray();
        var mean = Predict(ensemble);
        Assert.Equal(3, mean.Length);
        Assert.NotEqual(alone[0][0][0], alone[1][0][0]);
        for (var k = 0; k < 3; k++)
        {
            var expected = (alone[0][k][0] + (double)alone[1][k][0]) / 2;
            Assert.True(Math.Abs(mean[k][0] - expected) <= 1e-3 * Math.Abs(expected) + 0.01, $"step {k + 1}: ensemble {mean[k][0]}, mean of the networks alone {expected}");
        }
    }

    [Fact]
    public void ForecastQuantiles_TrainEvaluatePredict_IntervalsScoredAndWritten()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var train = cli.Run(["forecast", "train", Air, "--target", "passengers", "--horizon", "2", "--test", "24", "--transform", "diff", "--quantiles", "0.9,0.1", "--json", "--output", model,
            "--epochs", "3", "--lookback", "12", "--units", "8", "--plot", cli.File("air")]);
        Assert.True(train.Exit == 0, train.Error);
        Assert.True(File.Exists(cli.File("air-forecast.png")));
        var json = JsonNode.Parse(train.Out)!;
        var coverage = Assert.Single(json["intervals"]!["coverage"]!.AsArray())!;
        Assert.Equal((0.8, 0.1f), (Math.Round((double)coverage["nominal"]!, 6), (float)coverage["lower"]!));
        Assert.InRange((double)coverage["observed"]!, 0, 1);
        Assert.True((double)json["intervals"]!["wis"]! > 0);
        Assert.Contains("0.1, 0.5, 0.9", train.Error, StringComparison.Ordinal);   // the settings name the levels, the median added

        var evaluate = cli.Run("forecast", "evaluate", Air, "--model", model, "--test", "24", "--plot", "", "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        Assert.Equal((double)json["intervals"]!["wis"]!, (double)JsonNode.Parse(evaluate.Out)!["intervals"]!["wis"]!, 6);

        var output = cli.File("next.csv");
        var predict = cli.Run("forecast", "predict", Air, "--model", model, "--output", output, "--json");
        Assert.True(predict.Exit == 0, predict.Error);
        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(["q0.1", "q0.5", "q0.9"], header[^3..]);
        var steps = JsonNode.Parse(predict.Out)!["forecast"]!.AsArray();
        for (var k = 0; k < 2; k++)
        {
            var v = lines[k + 1].Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray()[^4..];   // point, q0.1, q0.5, q0.9
            Assert.Equal(v[0], v[2]);
            Assert.True(v[1] <= v[2] && v[2] <= v[3], $"step {k + 1}: {string.Join(", ", v)}");
            Assert.Equal(v[3], (float)steps[k]!["quantiles"]!["q0.9"]!, 3);
        }

        // The ONNX export gives the medians and every quantile.
        var export = cli.Run("export", model, "--onnx", cli.File("air.onnx"), "--json");
        Assert.True(export.Exit == 0, export.Error);
        Assert.Equal(["forecast", "quantiles"], JsonNode.Parse(export.Out)!["onnx"]!["outputs"]!.AsArray().Select(o => (string?)o!["name"]));
    }

    [Fact]
    public void ForecastTrain_AFeatureThatLeadsTheTarget_BeatsTheTargetAlone()
    {
        // y_t = x_{t−1}: with --features x the next value is known exactly; from y alone it is noise.
        using var cli = new CliRunner();
        var rng = new Random(7);
        var x = Enumerable.Range(0, 300).Select(_ => (float)rng.NextDouble()).ToArray();
        var csv = new StringBuilder("t,x,y\n");
        for (var t = 0; t < 300; t++) csv.Append(CultureInfo.InvariantCulture, $"{t},{x[t]},{(t == 0 ? 0.5f : x[t - 1])}\n");
        var data = cli.Write("lead.csv", csv.ToString());
        string[] Args(params string[] extra) => ["forecast", "train", data, "--target", "y", "--transform", "none", "--lookback", "4", "--test", "40", "--season", "1",
            "--epochs", "60", "--units", "8", "--learning-rate", "0.01", "--json", "--output", cli.File("m"), .. extra];
        var plots = cli.File("lead");
        var with = cli.Run(Args("--features", "x", "--backtest", "2", "--plot", plots));
        var without = cli.Run(Args("--plot", ""));
        Assert.True(with.Exit == 0, with.Error);
        Assert.True(without.Exit == 0, without.Error);
        double Mae(string json) => (double)JsonNode.Parse(json)!["test"]!["LSTM"]!["mae"]!;
        Assert.True(Mae(with.Out) < 0.05, with.Out);                  // uniform noise has MAE ≈ 0.33 around its mean
        Assert.True(Mae(without.Out) > 0.2, without.Out);
        Assert.Equal(2, JsonNode.Parse(with.Out)!["backtest"]!.AsArray().Count);
        foreach (var png in new[] { plots + "-forecast.png", plots + "-loss.png" })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void ForecastEvaluate_DefaultsToTheTrainingRunsTestPartAndPolicy()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        // Trailing blank lines are skipped.
        var data = cli.Write("air.csv", File.ReadAllText(Air) + "\n\n");
        Assert.Equal(0, cli.Run(["forecast", "train", data, "--target", "passengers", "--test", "12", "--missing", "ffill", "--output", model, .. Quick()]).Exit);
        var evaluate = cli.Run("forecast", "evaluate", data, "--model", model, "--plot", "", "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        Assert.Equal(12, (int)JsonNode.Parse(evaluate.Out)!["test_rows"]!);
        Assert.Contains("ffill", evaluate.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastEvaluate_AFileWithTheEntriesTheToolWroteItself_SameDefaults()
    {
        // A model file as `lstm forecast train` wrote it before the library owned these entries: set in the metadata directly.
        using var cli = new CliRunner();
        var model = cli.File("old.safetensors");
        var y = AirPassengers();
        Forecaster.Train([y], ["passengers"], y.Length - 12, new ForecastOptions { Lookback = 12, Units = 4, Epochs = 1 }).Save(model);
        var old = Sequential.Load(model);
        old.Metadata["lstmsharp.forecast.time_column"] = "year";
        old.Metadata["lstmsharp.forecast.season"] = "12";
        old.Metadata["lstmsharp.forecast.test_rows"] = "12";
        old.Metadata["lstmsharp.forecast.missing"] = "ffill";
        old.Save(model);
        var evaluate = cli.Run("forecast", "evaluate", Air, "--model", model, "--plot", "", "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        var json = JsonNode.Parse(evaluate.Out)!;
        Assert.Equal(12, (int)json["test_rows"]!);
        Assert.Equal(12, (int)json["season"]!);
        Assert.Contains("ffill", evaluate.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void SeriesCsv_EmptyCells_FilledInTheTrainingAndTestPartsApart()
    {
        using var cli = new CliRunner();
        var data = cli.Write("gaps.csv", "t,y\n1,1\n2,2\n3,\n4,\n5,10\n6,11\n");
        var series = LstmSharp.Cli.Commands.SeriesCsv.Read(data, "y", [], null, LstmSharp.Data.MissingPolicy.Interpolate);
        LstmSharp.Cli.Commands.SeriesCsv.Fill(data, series, 3);
        // Row 3 is the training part's last: carried forward from 2, not interpolated towards the test part's 10.
        Assert.Equal([1f, 2f, 2f, 10f, 10f, 11f], series.Columns[0]);
        Assert.Equal(2, series.Repaired);
    }

    [Fact]
    public void ForecastTrain_MissingDropLeavesNoRow_NamesTheFileAndTheFlag()
    {
        using var cli = new CliRunner();
        var data = cli.Write("holes.csv", "t,y,x\n1,1,\n2,,2\n3,,\n");
        var (exit, _, error) = cli.Run(["forecast", "train", data, "--target", "y", "--features", "x", "--missing", "drop", "--output", cli.File("m"), .. Quick()]);
        Assert.Equal(1, exit);
        Assert.Contains("holes.csv: Every one of the 3 rows has a missing value in y, x; nothing is left after dropping them (--missing drop).", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastTrain_ZerosInTheTestPart_JsonHasNullMape()
    {
        using var cli = new CliRunner();
        var csv = new StringBuilder("t,y\n");
        for (var t = 0; t < 120; t++) csv.Append(CultureInfo.InvariantCulture, $"{t},{(t % 6 == 0 ? 0 : t % 6)}\n");
        var (exit, stdout, stderr) = cli.Run(["forecast", "train", cli.Write("zeros.csv", csv.ToString()), "--test", "24", "--json", "--output", cli.File("m"), .. Quick()]);
        Assert.True(exit == 0, stderr);
        var mape = JsonNode.Parse(stdout)!["test"]!["naive"]!["mape"];
        Assert.Null(mape);
        // --transform auto does not choose the seasonal difference for a training part that repeats each season exactly.
        Assert.Contains("Difference (auto: season 6 repeats exactly)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastTrain_BacktestTooLong_ExitsOneWithTheModelSaved()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var (exit, _, error) = cli.Run(["forecast", "train", Air, "--target", "passengers", "--backtest", "140", "--output", model, .. Quick()]);
        Assert.Equal(1, exit);
        Assert.Contains("--backtest 140 (the model is saved)", error, StringComparison.Ordinal);
        Assert.Equal(["passengers"], Forecaster.Load(model).Columns);
    }

    [Fact]
    public void ForecastTrain_WeeklyCo2WithGaps_ErrorNamesTheLineUnlessAPolicyIsChosen()
    {
        using var cli = new CliRunner();
        var co2 = CliRunner.Data("co2_weekly.csv");
        var refused = cli.Run(["forecast", "train", co2, "--output", cli.File("m"), .. Quick()]);
        Assert.Equal(1, refused.Exit);
        var firstGap = Array.FindIndex(File.ReadAllLines(co2), l => l.EndsWith(',')) + 1;
        Assert.Contains($"co2_weekly.csv:{firstGap}: column 'co2'", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--missing", refused.Error, StringComparison.Ordinal);

        var filled = cli.Run(["forecast", "train", co2, "--missing", "interpolate", "--season", "52", "--test", "52", "--json", "--output", cli.File("m"), .. Quick()]);
        Assert.True(filled.Exit == 0, filled.Error);
        Assert.Contains("interpolate (59 values filled)", filled.Error, StringComparison.Ordinal);
        var dropped = cli.Run(["forecast", "train", co2, "--missing", "drop", "--season", "52", "--test", "52", "--json", "--output", cli.File("m"), .. Quick()]);
        Assert.Equal(2284 - 59, (int)JsonNode.Parse(dropped.Out)!["rows"]!);
        // The file ends on 2001-12-29 (weekly, dates written as yyyyMMdd): forecasts continue the calendar.
        var predict = cli.Run("forecast", "predict", co2, "--missing", "interpolate", "--model", cli.File("m"), "--output", cli.File("next.csv"));
        Assert.True(predict.Exit == 0, predict.Error);
        Assert.Equal("1,20020105,", File.ReadAllLines(cli.File("next.csv"))[1][..11]);
    }

    public static TheoryData<string, string, string[]> BadForecastInputs => new()
    {
        { "missing.csv", null!, ["does-not-exist.csv: file not found"] },
        { "empty.csv", "", ["empty.csv: the file is empty"] },
        { "header.csv", "month,passengers\n", ["header.csv: no data rows"] },
        { "unknown.csv", "month,sales\n1,2\n2,3\n", ["--target: ", "unknown.csv: no column 'passengers'; the columns are: month, sales."] },
        { "text.csv", "month,passengers\n1,112\n2,118\n3,abc\n", ["text.csv:4: column 'passengers' (column 2) holds 'abc'"] },
        { "short.csv", "month,passengers\n" + string.Concat(Enumerable.Range(1, 12).Select(i => $"{i},{100 + i * i % 7}\n")), ["too few rows"] },
        { "ragged.csv", "month,passengers\n1,112\n2,118,7\n", ["ragged.csv:3: expected 2 fields (month, passengers), found 3: '2,118,7'"] },
        { "constant.csv", "month,passengers\n" + string.Concat(Enumerable.Range(1, 80).Select(i => $"{i},5\n")), ["constant"] },
    };

    [Theory]
    [MemberData(nameof(BadForecastInputs))]
    public void ForecastTrain_BadInput_ExitsWithOneAndSaysWhatIsWrong(string name, string content, string[] expected)
    {
        using var cli = new CliRunner();
        var path = content is null ? cli.File("does-not-exist.csv") : cli.Write(name, content);
        var model = cli.File("model.safetensors");
        var (exit, _, error) = cli.Run(["forecast", "train", path, "--target", "passengers", "--output", model, .. Quick()]);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        foreach (var part in expected) Assert.Contains(part, error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void ForecastTrain_SeasonalDiff_SavedWithItsSeasonAndScoredTheSameFromTheFile()
    {
        using var cli = new CliRunner();
        var model = cli.File("sd.safetensors");
        var train = cli.Run(["forecast", "train", Air, "--target", "passengers", "--transform", "seasonal-diff", "--season", "12", "--test", "24", "--json", "--output", model, .. Quick()]);
        Assert.True(train.Exit == 0, train.Error);
        var forecaster = Forecaster.Load(model);
        Assert.Equal((SeriesTransform.SeasonalDifference, 12, 24), (forecaster.Options.Transform, forecaster.Options.Season, forecaster.HistoryNeeded));
        var evaluate = cli.Run("forecast", "evaluate", Air, "--model", model, "--plot", "", "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        Assert.Equal((double)JsonNode.Parse(train.Out)!["test"]!["LSTM"]!["mase"]!, (double)JsonNode.Parse(evaluate.Out)!["test"]!["LSTM"]!["mase"]!);
        // The export undoes the seasonal difference in the graph: the last 24 months in, the next month out, as the library forecasts it.
        var export = cli.Run("export", model, "--onnx", cli.File("sd.onnx"));
        Assert.True(export.Exit == 0, export.Error);
        var y = AirPassengers();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(cli.File("sd.onnx"));
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("history", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(y.AsMemory(y.Length - 24), [1, 24, 1]))]);
        var expected = forecaster.ForecastNext([y])[0];
        Assert.Equal(expected, results.Single(r => r.Name == "forecast").AsTensor<float>()[0, 0], 1e-5f * expected);
    }

    [Fact]
    public void ForecastTrain_SeasonalDiffWithoutASeason_ExitsOneNamingTheFlags()
    {
        using var cli = new CliRunner();
        var (exit, _, error) = cli.Run(["forecast", "train", Air, "--target", "passengers", "--transform", "seasonal-diff", "--season", "1", "--output", cli.File("m"), .. Quick()]);
        Assert.Equal(1, exit);
        Assert.Contains("--transform seasonal-diff needs a season", error, StringComparison.Ordinal);
        Assert.Contains("--season", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("24", "12", "--horizon 24 is longer than --lookback 12", "Give --lookback 24 or more (0 chooses it from the seasons and horizon).")]
    [InlineData("1", "6", "--lookback 6 is shorter than the season (12)", "Give --lookback 12 (0 chooses it) or --transform seasonal-diff.")]
    public void ForecastTrain_LookbackShorterThanTheForecastReaches_WarnsWithTheFix(string horizon, string lookback, string problem, string fix)
    {
        using var cli = new CliRunner();
        var (exit, _, error) = cli.Run(["forecast", "train", Air, "--target", "passengers", "--season", "12", "--test", "24", "--output", cli.File("m"), "--epochs", "2", "--units", "4", "--plot", "", "--transform", "diff", "--horizon", horizon, "--lookback", lookback]);
        Assert.True(exit == 0, error);
        Assert.Contains($"warning: {problem}", error, StringComparison.Ordinal);
        Assert.Contains(fix, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastTrain_DefaultLookback_TheDetectedSeasonPrintedAndInTheJson()
    {
        using var cli = new CliRunner();
        var (exit, stdout, stderr) = cli.Run("forecast", "train", Air, "--target", "passengers", "--test", "24", "--epochs", "2", "--units", "4", "--plot", "", "--json", "--output", cli.File("m"));
        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal((12, 12), ((int)json["season"]!, (int)json["lookback"]!));
        Assert.Equal("seasonal-diff", (string?)json["transform"]);
        Assert.Equal([12], json["seasons"]!.AsArray().Select(v => (int)v!));
        Assert.Contains("12 (from the seasons and horizon)", stderr, StringComparison.Ordinal);
        Assert.Contains("12 (detected)", stderr, StringComparison.Ordinal);
        Assert.Contains("SeasonalDifference (auto: season 12: its changes vary 0.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastTrain_TransformAuto_NoSeasonalDifferenceWhenTheSeasonAddsMoreNoiseThanItRemoves()
    {
        // A random walk with a faint 12-step sine: a change over 12 rows varies about 12 times as much as one step.
        using var cli = new CliRunner();
        var rng = new Random(8);
        var csv = new StringBuilder("t,y\n");
        var level = 0.0;
        for (var t = 0; t < 240; t++)
        {
            level += Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            csv.Append(CultureInfo.InvariantCulture, $"{t},{level + 0.3 * Math.Sin(2 * Math.PI * t / 12):F4}\n");
        }
        var (exit, stdout, stderr) = cli.Run(["forecast", "train", cli.Write("walk.csv", csv.ToString()), "--season", "12", "--test", "24", "--json", "--output", cli.File("m"), .. Quick()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("diff", (string?)JsonNode.Parse(stdout)!["transform"]);
        Assert.Matches(@"Difference \(auto: season 12 not differenced: its changes vary (\d+\.\d+)× as much as the steps, strength 0\.\d\d\)", stderr);
        var ratio = double.Parse(System.Text.RegularExpressions.Regex.Match(stderr, @"vary (\d+\.\d+)×").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(ratio, 4, 30);
    }

    [Fact]
    public void ForecastTrain_DateColumns_DatesFromYearAndMonthRecordedAndContinuedByPredict()
    {
        // AirPassengers: year,month,passengers — 'year' alone repeats on each month's row and is no date.
        using var cli = new CliRunner();
        var model = cli.File("dates.safetensors");
        var train = cli.Run(["forecast", "train", Air, "--date-columns", "year,month", "--horizon", "2", "--test", "24", "--season", "12", "--output", model, .. Quick()]);
        Assert.True(train.Exit == 0, train.Error);
        Assert.Equal("year,month", Forecaster.Load(model).TrainingData!.TimeColumn);
        Assert.Equal("passengers", Forecaster.Load(model).Columns[0]);   // the last column that is not a date part
        var output = cli.File("next.csv");
        var predict = cli.Run("forecast", "predict", Air, "--model", model, "--output", output);
        Assert.True(predict.Exit == 0, predict.Error);
        var lines = File.ReadAllLines(output);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("1,1961-01,", lines[1], StringComparison.Ordinal);   // the file ends in December 1960
        Assert.StartsWith("2,1961-02,", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("year", "--date-columns takes 2 to 4 column names")]
    [InlineData("year,Month", "no column 'Month'")]
    [InlineData("year,passengers", "column 'passengers' (column 3) holds '112', which is not a month (1 to 12)")]
    public void ForecastTrain_BadDateColumns_ExitsOneSayingWhy(string dates, string expected)
    {
        using var cli = new CliRunner();
        var (exit, _, error) = cli.Run(["forecast", "train", Air, "--target", "month", "--date-columns", dates, "--output", cli.File("m"), .. Quick()]);
        Assert.Equal(1, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("--date-columns", error, StringComparison.Ordinal);
    }

    [Theory]
    // The longest season, at least 12 and the horizon, at most a quarter of the training rows.
    [InlineData(new[] { 48, 336 }, 48, 10_000, 336)]
    [InlineData(new int[0], 1, 100, 12)]
    [InlineData(new[] { 7 }, 30, 1_000, 30)]
    [InlineData(new[] { 336 }, 1, 800, 200)]
    [InlineData(new[] { 52 }, 1, 20, 5)]
    public void AutoLookback_SeasonsHorizonAndRows_HandValues(int[] seasons, int horizon, int trainRows, int expected)
        => Assert.Equal(expected, LstmSharp.Cli.Commands.ForecastCommand.AutoLookback(seasons, horizon, trainRows));

    [Fact]
    public void ForecastTrain_TooFewTrainingWindows_NamesTheFlagsNotTheOptions()
    {
        // 20 rows, the last 4 for testing: 16 − 1 − 12 − 1 + 1 = 3 windows, all 3 held out by --validation 0.9.
        using var cli = new CliRunner();
        var data = cli.Write("short.csv", "t,passengers\n" + string.Concat(Enumerable.Range(1, 20).Select(i => $"{i},{100 + i * i % 7}\n")));
        var (exit, _, error) = cli.Run(["forecast", "train", data, "--test", "4", "--validation", "0.9", "--output", cli.File("m"), .. Quick()]);
        Assert.Equal(1, exit);
        Assert.Contains("3 of them are held out for validation", error, StringComparison.Ordinal);
        Assert.Contains("Shorten the lookback (--lookback) or the horizon (--horizon), or give more data.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("ForecastOptions", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LstmSharp.IO.ModelTasks.Forecast, "`lstm forecast train`")]
    [InlineData(LstmSharp.IO.ModelTasks.Text, "`lstm text train`")]
    [InlineData(LstmSharp.IO.ModelTasks.Classify, "`lstm classify train`")]
    public void Message_WrongKind_NamesTheCommandThatMakesOne(string task, string command)
    {
        var library = LstmSharp.IO.ModelTasks.WrongKind("m.safetensors", null, task).Message;
        Assert.Equal(library[..library.IndexOf("train one with ", StringComparison.Ordinal)] + $"train one with {command}.",
            LstmSharp.Cli.CliErrors.Message(new InvalidDataException(library)));
    }

    [Fact]
    public void Commands_RefuseAModelFileOfTheWrongKind()
    {
        using var cli = new CliRunner();
        var plain = cli.File("plain.safetensors");
        var model = new Sequential(1, new Input(12, 1), new Lstm(4), new Dense(1));
        model.Save(plain);
        var forecast = cli.Run("forecast", "evaluate", Air, "--model", plain, "--plot", "");
        Assert.Equal(1, forecast.Exit);
        Assert.Contains("is not a forecaster", forecast.Error, StringComparison.Ordinal);
        var text = cli.Run("text", "generate", "--model", plain);
        Assert.Equal(1, text.Exit);
        Assert.Contains("is not a language model", text.Error, StringComparison.Ordinal);
        var classify = cli.Run("classify", "predict", "hello", "--model", plain);
        Assert.Equal(1, classify.Exit);
        Assert.Contains("is not a text classifier", classify.Error, StringComparison.Ordinal);
        // The library names its own call; the tool names its command.
        Assert.Contains("train one with `lstm forecast train`.", forecast.Error, StringComparison.Ordinal);
        Assert.Contains("train one with `lstm text train`.", text.Error, StringComparison.Ordinal);
        Assert.Contains("train one with `lstm classify train`.", classify.Error, StringComparison.Ordinal);
        foreach (var command in new[] { new[] { "info" }, ["forecast", "predict", Air, "-m"], ["text", "generate", "-m"], ["classify", "predict", "hi", "-m"] })
        {
            var missing = cli.Run([.. command, cli.File("nope.safetensors")]);
            Assert.Equal(1, missing.Exit);
            Assert.Contains("nope.safetensors: file not found", missing.Error, StringComparison.Ordinal);
        }
        var garbage = cli.Write("garbage.safetensors", "not a model");
        var info = cli.Run("info", garbage);
        Assert.Equal(1, info.Exit);
        Assert.Contains("garbage.safetensors", info.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CtrlC_StopsAfterTheBatch_AndLeavesAValidModelFile()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var first = cli.Run(["forecast", "train", Air, "--target", "passengers", "--output", model, .. Quick()]);
        Assert.Equal(0, first.Exit);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();   // as if Ctrl-C came during the first batch
        var (exit, _, _) = cli.Run(cancel.Token, ["forecast", "train", Air, "--target", "passengers", "--epochs", "500", "--json", "--output", model, .. Quick()[2..]]);
        Assert.Equal(LstmSharp.Cli.Cli.Interrupted, exit);
        var loaded = Forecaster.Load(model);   // the file is whole and loads
        Assert.Equal(["passengers"], loaded.Columns);
        Assert.Empty(Directory.GetFiles(cli.Folder, "*.tmp*"));
    }

    [Fact]
    public void TextTrainAndGenerate_SameSeedSameText()
    {
        using var cli = new CliRunner();
        var text = cli.Write("song.txt", string.Concat(Enumerable.Repeat("row, row, row your boat, gently down the stream.\n", 120)));
        var model = cli.File("song.safetensors");
        var train = cli.Run("text", "train", text, "--units", "32", "--layers", "1", "--embedding", "8", "--steps", "16", "--batch-size", "8",
            "--learning-rate", "0.01", "--epochs", "3", "--sample-length", "20", "--output", model, "--plot", "", "--json");
        Assert.True(train.Exit == 0, train.Error);
        var epochs = JsonNode.Parse(train.Out)!["epochs"]!.AsArray();
        Assert.Equal(3, epochs.Count);
        // The rhyme repeats: after three epochs the model must be far below a uniform guess over its ~20 characters.
        Assert.True((double)epochs[^1]!["validation_bits_per_token"]! < 2.0, train.Out);
        string Generate(string seed) => cli.Run("text", "generate", "--model", model, "--prompt", "row, row", "--length", "40", "--seed", seed, "--quiet").Out;
        Assert.Equal(Generate("5"), Generate("5"));
        var greedy = cli.Run("text", "generate", "--model", model, "--prompt", "row, row", "--length", "40", "--temperature", "0", "--quiet").Out;
        var topK1 = cli.Run("text", "generate", "--model", model, "--prompt", "row, row", "--length", "40", "--top-k", "1", "--seed", "9", "--quiet").Out;
        Assert.Equal(greedy, topK1);
        Assert.StartsWith("row, row", greedy, StringComparison.Ordinal);
        // Scoring the training text again gives the last epoch's figure's neighbourhood, far below a uniform guess.
        var evaluate = cli.Run("text", "evaluate", text, "--model", model, "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        var bits = (double)JsonNode.Parse(evaluate.Out)!["bits_per_token"]!;
        Assert.InRange(bits, 0.0, 2.0);
        Assert.Equal(Math.Pow(2, bits), (double)JsonNode.Parse(evaluate.Out)!["perplexity"]!, 6);
        Assert.Equal("row, row".Length + 40 + 1, greedy.Length);
    }

    internal static string Reviews(int count, int seed)
    {
        string[] good = ["great", "lovely", "excellent", "superb", "fine"], bad = ["awful", "boring", "terrible", "poor", "dull"], filler = ["the", "film", "was", "really", "quite", "plot"];
        var rng = new Random(seed);
        var csv = new StringBuilder("id,review,sentiment\n");
        for (var i = 0; i < count; i++)
        {
            var positive = i % 2 == 0;
            var words = Enumerable.Range(0, 8).Select(_ => rng.Next(3) == 0 ? (positive ? good : bad)[rng.Next(5)] : filler[rng.Next(filler.Length)]).ToList();
            words[rng.Next(8)] = (positive ? good : bad)[rng.Next(5)];
            csv.Append(CultureInfo.InvariantCulture, $"{i},\"{string.Join(' ', words)}\",{(positive ? "pos" : "neg")}\n");
        }
        return csv.ToString();
    }

    [Fact]
    public void Train_AbsurdLearningRate_Diverges_ExitsOneAndWritesNoModel()
    {
        using var cli = new CliRunner();
        var forecast = cli.File("forecast.safetensors");
        var f = cli.Run(["forecast", "train", Air, "--target", "passengers", "--test", "24", "--learning-rate", "1e30", "--output", forecast, .. Quick()]);
        Assert.Equal(1, f.Exit);
        Assert.Contains("of epoch 1; lower --learning-rate or clip gradients", f.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(forecast));
        var data = cli.Write("reviews.csv", Reviews(100, 3));
        var classifier = cli.File("classifier.safetensors");
        var c = cli.Run("classify", "train", data, "--text", "review", "--label", "sentiment", "--units", "8", "--embedding", "8", "--epochs", "2",
            "--learning-rate", "3e38", "--output", classifier, "--plot", "");
        Assert.Equal(1, c.Exit);
        Assert.Contains("of epoch 1; lower --learning-rate or clip gradients", c.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(classifier));
    }

    [Fact]
    public void ClassifyTrainEvaluatePredict()
    {
        using var cli = new CliRunner();
        var data = cli.Write("reviews.csv", Reviews(200, 1));
        var model = cli.File("reviews.safetensors");
        var train = cli.Run("classify", "train", data, "--text", "review", "--label", "sentiment", "--units", "16", "--embedding", "16", "--epochs", "8",
            "--learning-rate", "0.01", "--output", model, "--plot", "", "--json");
        Assert.True(train.Exit == 0, train.Error);
        var test = JsonNode.Parse(train.Out)!["test"]!;
        Assert.True((double)test["accuracy"]! >= 0.95, train.Out);
        var confusion = test["confusion"]!.AsArray();
        Assert.Equal(40, confusion.Sum(row => row!.AsArray().Sum(v => (int)v!)));   // stratified 20% of 200

        var other = cli.Write("more.csv", Reviews(60, 2));
        var evaluate = cli.Run("classify", "evaluate", other, "--model", model, "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        Assert.True((double)JsonNode.Parse(evaluate.Out)!["result"]!["accuracy"]! >= 0.9);

        var predict = cli.Run("classify", "predict", "an excellent superb film", "a dull boring plot", "--model", model, "--json");
        var labels = JsonNode.Parse(predict.Out)!["predictions"]!.AsArray().Select(p => (string)p!["label"]!).ToArray();
        Assert.Equal(["pos", "neg"], labels);

        var lines = cli.Write("lines.txt", "a dull boring plot\n\nan excellent superb film\n");
        var output = cli.File("labels.csv");
        var fromFile = cli.Run("classify", "predict", "--file", lines, "--model", model, "--output", output);
        Assert.True(fromFile.Exit == 0, fromFile.Error);
        var rows = File.ReadAllLines(output);
        Assert.Equal("row,label,p_neg,p_pos", rows[0]);
        Assert.Equal(["neg", "pos"], rows.Skip(1).Select(r => r.Split(',')[1]));
    }

    [Fact]
    public void ClassifyEvaluate_AFileWithTheEntriesTheToolWroteItself_ReadsItsColumns()
    {
        // A model file as `lstm classify train` wrote it before the library owned these entries: set in the metadata directly.
        using var cli = new CliRunner();
        var model = cli.File("old.safetensors");
        LstmSharp.Text.TextClassifier.Train(["good day", "bad day", "good food", "bad food"], ["pos", "neg", "pos", "neg"],
            new LstmSharp.Text.TextClassifierOptions { Units = 2, EmbeddingSize = 2, MaxLength = 4, Epochs = 1, ValidationFraction = 0f }).Save(model);
        var old = Model.Load(model);
        old.Metadata["lstmsharp.classify.text_columns"] = "title,body";
        old.Metadata["lstmsharp.classify.label_column"] = "topic";
        old.Save(model);
        var data = cli.Write("other.csv", "title,body,topic\ngood,day,pos\nbad,food,neg\n");
        var evaluate = cli.Run("classify", "evaluate", data, "--model", model, "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        Assert.Contains("title + body", evaluate.Error, StringComparison.Ordinal);
        Assert.Contains("topic", evaluate.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifyTrain_OneClassOrUnknownColumn_IsRefused()
    {
        using var cli = new CliRunner();
        var data = cli.Write("one.csv", "text,label\nhello there,ham\ngood morning,ham\n");
        var one = cli.Run("classify", "train", data, "--output", cli.File("m"), "--plot", "");
        Assert.Equal(1, one.Exit);
        Assert.Contains("single class ('ham')", one.Error, StringComparison.Ordinal);
        var column = cli.Run("classify", "train", data, "--text", "body", "--output", cli.File("m"), "--plot", "");
        Assert.Equal(1, column.Exit);
        Assert.Contains("--text: " + data + ": no column 'body'; the columns are: text, label.", column.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_ShowsTaskLayersAndParameterCount()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        Assert.Equal(0, cli.Run(["forecast", "train", Air, "--target", "passengers", "--output", model, .. Quick()]).Exit);
        var (exit, stdout, _) = cli.Run("info", model, "--json");
        Assert.Equal(0, exit);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal("forecast", (string)json["task"]!);
        // LSTM(8) on 1 input: 4·8·(1 + 8) + 2·4·8 = 352; Dense(8 → 1): 9.
        Assert.Equal(352 + 9, (long)json["parameters"]!);
        Assert.Equal(2, json["layers"]!.AsArray().Count);
        Assert.Contains("lstmsharp.forecast", json["metadata"]!.AsObject().Select(kv => kv.Key));
        // The forecaster's training data, under the keys the tool has always used.
        var metadata = json["metadata"]!.AsObject();
        Assert.Equal("year", (string)metadata["lstmsharp.forecast.time_column"]!);
        Assert.Equal("error", (string)metadata["lstmsharp.forecast.missing"]!);
        Assert.True(int.Parse((string)metadata["lstmsharp.forecast.test_rows"]!, CultureInfo.InvariantCulture) > 0);
        Assert.True(int.Parse((string)metadata["lstmsharp.forecast.season"]!, CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public void Help_OfEveryCommand_ShowsEveryOptionWithItsDefault()
    {
        using var output = new StringWriter();
        var host = new LstmSharp.Cli.CliHost(output, output, false, CancellationToken.None);
        var commands = new List<string[]>();
        void Walk(Command command, string[] path)
        {
            if (command.Subcommands.Count == 0) commands.Add(path);
            foreach (var sub in command.Subcommands) Walk(sub, [.. path, sub.Name]);
        }
        foreach (var top in new[] { "demo", "forecast", "text", "classify", "info" }) commands.Add([top]);
        Walk(LstmSharp.Cli.Commands.ForecastCommand.Create(host), ["forecast"]);
        Walk(LstmSharp.Cli.Commands.TextCommand.Create(host), ["text"]);
        Walk(LstmSharp.Cli.Commands.ClassifyCommand.Create(host), ["classify"]);
        using var cli = new CliRunner();
        foreach (var path in commands.Where(p => p.Length > 1 || p[0] is "demo" or "info"))
        {
            var (exit, stdout, _) = cli.Run([.. path, "--help"]);
            Assert.Equal(0, exit);
            foreach (var option in new[] { "--seed", "--threads", "--json", "--quiet" }) Assert.Contains(option, stdout, StringComparison.Ordinal);
            // Options that take a value (flags such as --json are off unless given).
            var lines = stdout.Split('\n').Where(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal) && l.Contains('<', StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(lines);
            // "[default: …]" from the parser, or "(default: …)" in the description where the default is computed.
            Assert.All(lines, l => Assert.Contains("default:", l, StringComparison.Ordinal));
        }
    }
}
