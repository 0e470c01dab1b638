// TuneCommandTests: `forecast tune` and `classify tune` end to end — every candidate tried and written to the CSV,
// the clearly better candidate chosen, the same seed giving the same table, and bad search spaces refused.
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class TuneCommandTests
{
    static readonly string Air = CliRunner.Data("AirPassengers.csv");

    static string[] ForecastTune(CliRunner cli, params string[] extra) =>
    [
        "forecast", "tune", Air, "--target", "passengers", "--test", "24", "--season", "12", "--epochs", "30", "--patience", "5", "--folds", "2",
        "--plot", "", "--json", "--results", cli.File("trials.csv"), "--output", cli.File("best.safetensors"), .. extra,
    ];

    [Fact]
    public void ForecastTune_PicksTheClearlyBetterLearningRate_AndWritesEveryTrial()
    {
        using var cli = new CliRunner();
        // A learning rate of 1e-7 cannot move the weights in 30 epochs; 0.01 can.
        var (exit, stdout, stderr) = cli.Run(ForecastTune(cli, "--learning-rate", "0.0000001,0.01", "--lookback", "6,12", "--units", "8"));
        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Contains("learning_rate=0.01", (string)json["search"]!["best"]!, StringComparison.Ordinal);
        Assert.Equal(4, (int)json["search"]!["trials"]!);
        var rows = File.ReadAllLines(cli.File("trials.csv"));
        Assert.Equal(1 + 4, rows.Length);
        Assert.Contains("lookback", rows[0], StringComparison.Ordinal);
        // The best candidate was retrained and saved with its look-back.
        var best = Forecaster.Load(cli.File("best.safetensors"));
        Assert.Equal(0.01f, best.Options.LearningRate, 6);
        Assert.Contains($"lookback={best.Options.Lookback.ToString(CultureInfo.InvariantCulture)}", (string)json["search"]!["best"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastTune_SameSeed_SameTable()
    {
        using var cli = new CliRunner();
        string[] Table()
        {
            var (exit, _, error) = cli.Run(ForecastTune(cli, "--learning-rate", "0.001,0.003,0.01", "--search", "random", "--trials", "2", "--seed", "3", "--units", "8"));
            Assert.True(exit == 0, error);
            var lines = File.ReadAllLines(cli.File("trials.csv"));
            var seconds = Array.IndexOf(lines[0].Split(','), "seconds");
            Assert.True(seconds >= 0, lines[0]);
            // Every column but the time taken.
            return [.. lines.Select(l => string.Join(',', l.Split(',').Where((_, i) => i != seconds)))];
        }
        var first = Table();
        Assert.Equal(3, first.Length);
        Assert.Equal(first, Table());
    }

    [Fact]
    public void ForecastTune_SearchesTransforms_AndRecordsACandidateThatCannotRun()
    {
        using var cli = new CliRunner();
        // A series that crosses zero: log-diff cannot take its logarithm, so that candidate fails and diff wins.
        var csv = new System.Text.StringBuilder("t,y\n");
        for (var t = 0; t < 120; t++) csv.Append(CultureInfo.InvariantCulture, $"{t},{Math.Sin(t * Math.PI / 6) * 10 + t * 0.05 - 2}\n");
        var data = cli.Write("wave.csv", csv.ToString());
        var (exit, stdout, stderr) = cli.Run("forecast", "tune", data, "--transform", "diff,log-diff", "--test", "12", "--season", "12", "--epochs", "20",
            "--folds", "2", "--units", "8", "--learning-rate", "0.01", "--plot", "", "--json", "--results", cli.File("trials.csv"), "--output", cli.File("best.safetensors"));
        Assert.True(exit == 0, stderr);
        var search = JsonNode.Parse(stdout)!["search"]!;
        Assert.Contains("transform=diff", (string)search["best"]!, StringComparison.Ordinal);
        Assert.Equal(1, (int)search["failed"]!);
        Assert.Contains(File.ReadAllLines(cli.File("trials.csv")), l => l.Contains("log-diff", StringComparison.Ordinal) && l.Contains("positive", StringComparison.Ordinal));
    }

    [Fact]
    public void Tune_BadSearchSpace_IsRefusedWithTheReason()
    {
        using var cli = new CliRunner();
        var list = cli.Run(ForecastTune(cli, "--units", "8,abc"));
        Assert.Equal(1, list.Exit);
        Assert.Contains("--units: 'abc' is not a whole number", list.Error, StringComparison.Ordinal);
        var space = cli.Write("space.json", "{\"unit\": [8, 16]}");
        var unknown = cli.Run(ForecastTune(cli, "--space", space, "--units", "8"));
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("unknown hyper-parameter 'unit'", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("units", unknown.Error, StringComparison.Ordinal);
        var broken = cli.Write("broken.json", "{\"units\": [8, ");
        Assert.Contains("not valid JSON", cli.Run(ForecastTune(cli, "--space", broken, "--units", "8")).Error, StringComparison.Ordinal);
        var failing = cli.Run(ForecastTune(cli, "--lookback", "80", "--units", "8"));
        Assert.Equal(1, failing.Exit);
        Assert.Contains("Every candidate failed; the first: [lookback=80", failing.Error, StringComparison.Ordinal);
        var range = cli.Write("range.json", "{\"learning_rate\": {\"min\": 0.001, \"max\": 0.1, \"log\": true}}");
        var grid = cli.Run(ForecastTune(cli, "--space", range, "--units", "8"));
        Assert.Equal(1, grid.Exit);
        Assert.Contains("steps", grid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifyTune_FromAJsonSpace()
    {
        using var cli = new CliRunner();
        var csv = new System.Text.StringBuilder("text,label\n");
        var rng = new Random(4);
        for (var i = 0; i < 90; i++)
        {
            var label = (i % 3) switch { 0 => "red", 1 => "green", _ => "blue" };
            csv.Append(CultureInfo.InvariantCulture, $"\"the {label} one {(rng.Next(2) == 0 ? "is here" : "came")}\",{label}\n");
        }
        var data = cli.Write("colours.csv", csv.ToString());
        var space = cli.Write("space.json", "{\"units\": [4, 8], \"learning_rate\": [0.02]}");
        var (exit, stdout, stderr) = cli.Run("classify", "tune", data, "--space", space, "--embedding", "8", "--max-length", "8", "--epochs", "12", "--folds", "2",
            "--plot", "", "--json", "--results", cli.File("trials.csv"), "--output", cli.File("best.safetensors"));
        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(2, (int)json["search"]!["trials"]!);
        Assert.True((double)json["test"]!["accuracy"]! >= 0.9, stdout);
        Assert.Equal(3, File.ReadAllLines(cli.File("trials.csv")).Length);
    }

    [Fact]
    public void ClassifyTune_SearchesPoolingAndClassWeightsByName_AndRefusesAnUnknownOne()
    {
        using var cli = new CliRunner();
        var data = cli.Write("reviews.csv", CliTests.Reviews(90, 8));
        string[] common = ["--text", "review", "--label", "sentiment", "--embedding", "8", "--units", "8", "--max-length", "12", "--epochs", "4", "--folds", "2",
            "--plot", "", "--json", "--results", cli.File("trials.csv"), "--output", cli.File("best.safetensors")];
        var (exit, stdout, stderr) = cli.Run(["classify", "tune", data, "--pooling", "last,concat", "--class-weight", "balanced", "--head-dropout", "0.3", .. common]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(2, (int)JsonNode.Parse(stdout)!["search"]!["trials"]!);
        var trials = File.ReadAllLines(cli.File("trials.csv"));
        var header = trials[0].Split(',');
        var pooling = Array.IndexOf(header, "pooling");
        Assert.True(pooling >= 0, trials[0]);
        Assert.Equal(["concat", "last"], trials.Skip(1).Select(l => l.Split(',')[pooling]).Order());
        Assert.All(trials.Skip(1), l => Assert.Equal("balanced", l.Split(',')[Array.IndexOf(header, "class_weight")]));

        var bad = cli.Run(["classify", "tune", data, "--pooling", "last,attention", .. common]);
        Assert.Equal(1, bad.Exit);
        Assert.Contains("--pooling: 'attention' is not one of last, concat", bad.Error, StringComparison.Ordinal);
        var space = cli.Write("space.json", "{\"pooling\": [\"max\"]}");
        var badJson = cli.Run(["classify", "tune", data, "--space", space, .. common]);
        Assert.Equal(1, badJson.Exit);
        Assert.Contains("'max' is not one of last, concat", badJson.Error, StringComparison.Ordinal);
    }
}
