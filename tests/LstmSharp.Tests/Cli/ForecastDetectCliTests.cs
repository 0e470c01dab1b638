// `lstm forecast detect` and `forecast predict --in-sample`: spikes injected at known rows of a noisy sine found
// against the label column (and the values-only baseline missing them), the CSV and plot written, the in-sample
// rows against `forecast predict` on the truncated file, and bad labels or options refused with exit 1.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class ForecastDetectCliTests
{
    const int Rows = 800;

    /// <summary>y = sin(2πt/24) + N(0, 0.1²) with 12 spikes of ±1 (10σ, inside the sine's range) at rows 101 + 57k, labelled in 'anomaly'.</summary>
    static string Spikes(CliRunner cli, Func<int, string>? label = null)
    {
        var rng = new Random(3);
        var csv = new StringBuilder("t,y,anomaly\n");
        for (var t = 0; t < Rows; t++)
        {
            var noise = 0.1 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            var spike = t >= 101 && (t - 101) % 57 == 0 && (t - 101) / 57 < 12;
            var y = Math.Sin(2 * Math.PI * t / 24) + noise + (spike ? ((t - 101) / 57 % 2 == 0 ? 1 : -1) : 0);
            csv.Append(CultureInfo.InvariantCulture, $"{t},{y:F5},{label?.Invoke(t) ?? (spike ? "1" : "0")}\n");
        }
        return cli.Write("spikes.csv", csv.ToString());
    }

    static string Train(CliRunner cli, string data, int epochs = 30, int units = 16)
    {
        var model = cli.File("spikes.safetensors");
        var r = cli.Run("forecast", "train", data, "--target", "y", "--season", "24", "--lookback", "24", "--units", $"{units}", "--epochs", $"{epochs}", "--test", "40",
            "--plot", "", "--output", model);
        Assert.True(r.Exit == 0, r.Error);
        return model;
    }

    [Fact]
    public void Detect_SpikesInANoisySine_FoundAgainstTheLabelsWhereTheValuesAloneMissThem()
    {
        using var cli = new CliRunner();
        var data = Spikes(cli);
        var model = Train(cli, data);
        var output = cli.File("anomalies.csv");
        var plot = cli.File("anomalies.png");
        var r = cli.Run("forecast", "detect", data, "--model", model, "--label-column", "anomaly", "--output", output, "--plot", plot, "--json");
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        var lstm = json["labels"]!["lstm"]!;
        var baseline = json["labels"]!["values_baseline"]!;
        Assert.Equal(1.0, (double)lstm["recall"]!);
        Assert.True((double)lstm["precision"]! >= 0.9, lstm.ToJsonString());
        Assert.True((double)baseline["f1"]! < 0.5, baseline.ToJsonString());   // a 1-high spike on a 1-high sine is no outlier of the values
        Assert.Contains("LSTM residuals", r.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(plot));

        var lines = File.ReadAllLines(output);
        Assert.Equal("row,y,forecast,residual,score,anomaly,label", lines[0]);
        var first = (int)json["first_row"]!;
        Assert.Equal(Rows - first + 1, lines.Length - 1);
        Assert.Equal(Rows - first + 1, (int)json["rows_checked"]!);
        var cells = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(first, int.Parse(cells[0][0], CultureInfo.InvariantCulture));
        foreach (var c in cells)
        {
            var (y, forecast, residual) = (double.Parse(c[1], CultureInfo.InvariantCulture), double.Parse(c[2], CultureInfo.InvariantCulture), double.Parse(c[3], CultureInfo.InvariantCulture));
            Assert.Equal(y - forecast, residual, 1e-5);
            Assert.Equal(double.Parse(c[4], CultureInfo.InvariantCulture) > 3.5 ? "1" : "0", c[5]);
        }
        Assert.Equal(json["flagged_rows"]!.AsArray().Select(n => (int)n!), cells.Where(c => c[5] == "1").Select(c => int.Parse(c[0], CultureInfo.InvariantCulture)));
        Assert.Equal(12, cells.Count(c => c[6] == "1"));

        // Forecast from the spikes as they are, a spike in the window pulls the rows after it off too: never fewer false alarms.
        var kept = cli.Run("forecast", "detect", data, "--model", model, "--label-column", "anomaly", "--keep-anomalies", "--output", cli.File("kept.csv"), "--plot", "", "--json");
        Assert.True(kept.Exit == 0, kept.Error);
        var keptJson = JsonNode.Parse(kept.Out)!;
        Assert.Equal(1, (int)keptJson["passes"]!);
        Assert.True((int)keptJson["labels"]!["lstm"]!["fp"]! >= (int)lstm["fp"]!, keptJson.ToJsonString());
    }

    [Fact]
    public void PredictInSample_EveryRowsOneStepForecastAsPredictGivesItOnTheRowsBefore()
    {
        using var cli = new CliRunner();
        var data = Spikes(cli);
        var model = Train(cli, data, epochs: 3, units: 8);
        var output = cli.File("in-sample.csv");
        var r = cli.Run("forecast", "predict", data, "--model", model, "--in-sample", "--output", output, "--json");
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        var lines = File.ReadAllLines(output);
        Assert.Equal("row,y,forecast,residual", lines[0]);
        Assert.Equal(Rows - (int)json["first_row"]! + 1, lines.Length - 1);
        var cells = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal((double)json["mae"]!, cells.Average(c => Math.Abs(double.Parse(c[3], CultureInfo.InvariantCulture))), 5);

        // Row k's forecast is what `forecast predict` makes from the file cut before row k.
        var source = File.ReadAllLines(data);
        foreach (var c in new[] { cells[0], cells[cells.Length / 2], cells[^1] })
        {
            var row = int.Parse(c[0], CultureInfo.InvariantCulture);
            var cut = cli.Write("cut.csv", string.Join('\n', source.Take(row)) + "\n");
            var p = cli.Run("forecast", "predict", cut, "--model", model, "--output", "-", "--json", "--quiet");
            Assert.True(p.Exit == 0, p.Error);
            Assert.Equal(double.Parse(c[2], CultureInfo.InvariantCulture), (double)JsonNode.Parse(p.Out)!["forecast"]![0]!["value"]!, 4);
        }
    }

    [Fact]
    public void Detect_BadLabelsOrOptions_ExitOneNamingTheProblem()
    {
        using var cli = new CliRunner();
        var data = Spikes(cli, t => t == 300 ? "maybe" : "0");
        var model = Train(cli, data, epochs: 1, units: 4);
        (int Exit, string Out, string Error) Detect(params string[] extra) =>
            cli.Run(["forecast", "detect", data, "--model", model, "--output", cli.File("a.csv"), "--plot", "", .. extra]);

        var label = Detect("--label-column", "anomaly");
        Assert.Equal(1, label.Exit);
        Assert.Contains("spikes.csv:302: column 'anomaly' (--label-column) holds 'maybe'", label.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("a.csv")));

        var unknown = Detect("--label-column", "nope");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("nope", unknown.Error, StringComparison.Ordinal);

        var interval = Detect("--method", "interval");
        Assert.Equal(1, interval.Exit);
        Assert.Contains("--method interval needs a model trained with --quantiles", interval.Error, StringComparison.Ordinal);

        var threshold = Detect("--method", "quantile", "--threshold", "1.5");
        Assert.Equal(1, threshold.Exit);
        Assert.Contains("--threshold 1.5", threshold.Error, StringComparison.Ordinal);

        var top = Detect("--top", "-1");
        Assert.Equal(1, top.Exit);
        Assert.Contains("--top must be 0 or more", top.Error, StringComparison.Ordinal);
    }
}
