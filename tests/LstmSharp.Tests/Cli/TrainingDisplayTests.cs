// TrainingDisplayTests: what the training commands show as they go — the time left against a hand computation, a line
// per epoch with '*' where the running best is (recomputed from the JSON history), the closing line naming the kept
// epoch (the library's own choice) and why training stopped, and the --log-dir files against the --json history.
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Cli;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class TrainingDisplayTests
{
    static readonly string Air = CliRunner.Data("AirPassengers.csv");

    [Fact]
    public void Estimate_AllEpochs_TimeLeftIsTheRestAtTheSamePace()
    {
        // 2 of 10 epochs in 20 s: 8 more at 10 s each.
        var (fraction, left, until) = TrainingDisplay.Estimate(2, TimeSpan.FromSeconds(20), 10, null, null);
        Assert.Equal(80, left.TotalSeconds, 6);
        Assert.Equal(0.2, fraction, 6);
        Assert.Equal("to epoch 10", until);
    }

    [Fact]
    public void Estimate_EarlyStopping_RunsToTheEpochItWouldStopAt()
    {
        // Best at epoch 1 with patience 3: without improvement the run ends after epoch 4, two epochs (20 s) away.
        var (fraction, left, until) = TrainingDisplay.Estimate(2, TimeSpan.FromSeconds(20), 10, 4, null);
        Assert.Equal(20, left.TotalSeconds, 6);
        Assert.Equal(0.5, fraction, 6);
        Assert.Equal("to an early stop at epoch 4", until);
    }

    [Fact]
    public void Estimate_TimeBudget_TheBarFollowsTheClockNotTheEpochs()
    {
        // The case: 38 % into the first of 20 epochs, 57 s of a 60 s budget gone. The epochs would need
        // 57 / 0.38 × 19.62 s more; the budget leaves 3 s, so the bar stands at 95 %, not at 1.9 % (nor jumps to 100 %).
        var (fraction, left, until) = TrainingDisplay.Estimate(0.38, TimeSpan.FromSeconds(57), 20, null, TimeSpan.FromSeconds(60));
        Assert.Equal(3, left.TotalSeconds, 6);
        Assert.Equal(0.95, fraction, 6);
        Assert.Equal("to the time budget", until);
        var (spent, none, _) = TrainingDisplay.Estimate(0.5, TimeSpan.FromSeconds(61), 20, null, TimeSpan.FromSeconds(60));
        Assert.Equal(TimeSpan.Zero, none);
        Assert.Equal(1, spent, 6);
    }

    [Fact]
    public void Estimate_NothingDoneYet_NoTimeLeftToShow()
    {
        var (fraction, left, _) = TrainingDisplay.Estimate(0, TimeSpan.FromSeconds(1), 10, null, null);
        Assert.Equal(0, fraction);
        Assert.Equal(TimeSpan.MaxValue, left);
    }

    static string[] EpochLines(string text, string label) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith($"{label} epoch ", StringComparison.Ordinal) && !l.Contains(" batch ", StringComparison.Ordinal))];

    [Fact]
    public void ForecastTrain_EarlyStopping_ALinePerEpochStarsAtEachBestAndTheKeptEpochNamed()
    {
        using var cli = new CliRunner();
        var r = cli.Run("forecast", "train", Air, "--target", "passengers", "--test", "24", "--epochs", "80", "--patience", "2", "--units", "8",
            "--learning-rate", "0.02", "--plot", "", "--output", cli.File("m.safetensors"), "--json");
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        var training = json["training"]!;
        var run = (int)training["epochs_run"]!;
        Assert.Equal("early stopping", (string)training["stopped"]!);
        Assert.InRange(run, 3, 79);
        var lines = EpochLines(r.Error, "forecast");
        Assert.Equal(run, lines.Length);
        Assert.StartsWith($"forecast epoch {run}/80  loss ", lines[^1], StringComparison.Ordinal);   // the epoch early stopping fired in is shown

        // The stars are where validation loss reached a new low; the last of them is the epoch the library's EarlyStopping kept.
        var val = json["history"]!["val_loss"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(run, val.Length);
        var best = double.PositiveInfinity;
        var bestEpoch = 0;
        for (var e = 0; e < run; e++)
        {
            var improved = val[e] < best;
            if (improved) (best, bestEpoch) = (val[e], e + 1);
            Assert.Equal(improved, lines[e].EndsWith(" *", StringComparison.Ordinal));
        }
        Assert.Equal(bestEpoch, (int)json["best_epoch"]!);
        Assert.Equal(bestEpoch, (int)training["kept_epoch"]!);
        Assert.Equal(run - 2, bestEpoch);   // patience 2
        Assert.Contains($"forecast: kept epoch {bestEpoch} of {run} (the best val_loss, ", r.Error, StringComparison.Ordinal);
        Assert.Contains($"stopped: early stopping at epoch {run}: val_loss had not improved for 2 epoch(s).", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ForecastTrain_NoEarlyStopping_KeepsTheLastEpochAndSaysAllEpochsRan()
    {
        using var cli = new CliRunner();
        var r = cli.Run("forecast", "train", Air, "--target", "passengers", "--test", "24", "--epochs", "3", "--patience", "0", "--units", "8",
            "--plot", "", "--output", cli.File("m.safetensors"));
        Assert.True(r.Exit == 0, r.Error);
        Assert.Equal(3, EpochLines(r.Out, "forecast").Length);
        Assert.Contains("forecast: kept epoch 3 of 3 (", r.Out, StringComparison.Ordinal);
        Assert.Contains("stopped: ran all 3 epochs.", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void TextTrain_TimeBudget_TheCutEpochIsShownAndTheBudgetNamed()
    {
        using var cli = new CliRunner();
        var text = cli.Write("song.txt", string.Concat(Enumerable.Repeat("row, row, row your boat, gently down the stream.\n", 400)));
        // 0.0005 minutes = 30 ms: the first epoch is cut short, validated and reported.
        var r = cli.Run("text", "train", text, "--units", "16", "--layers", "1", "--embedding", "4", "--steps", "8", "--batch-size", "4", "--epochs", "1000",
            "--max-minutes", "0.0005", "--sample-length", "0", "--output", cli.File("t.safetensors"), "--plot", "", "--json");
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        var run = (int)json["training"]!["epochs_run"]!;
        Assert.Equal("time budget", (string)json["training"]!["stopped"]!);
        Assert.InRange(run, 1, 999);
        var lines = EpochLines(r.Error, "text");
        Assert.Equal(run, lines.Length);
        Assert.Contains(" bits/char  validation ", lines[^1], StringComparison.Ordinal);
        Assert.Contains($"stopped: the 0.0005-minute budget ran out during epoch {run}.", r.Error, StringComparison.Ordinal);
        Assert.Equal(run, json["history"]!["val_loss"]!.AsArray().Count);
    }

    [Fact]
    public void ForecastTrain_CtrlCOrDivergence_TheClosingLineSaysSo()
    {
        using var cli = new CliRunner();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();   // as if Ctrl-C came during the first batch
        var stopped = cli.Run(cancel.Token, "forecast", "train", Air, "--target", "passengers", "--epochs", "50", "--units", "4", "--plot", "", "--output", cli.File("m"), "--json");
        Assert.Equal(LstmSharp.Cli.Cli.Interrupted, stopped.Exit);
        var json = JsonNode.Parse(stopped.Out)!;
        Assert.Equal("interrupted", (string)json["training"]!["stopped"]!);
        Assert.False((bool)json["completed"]!);
        Assert.Contains("stopped: interrupted (Ctrl-C) during epoch 1, after the batch in progress.", stopped.Error, StringComparison.Ordinal);

        var diverged = cli.Run("forecast", "train", Air, "--target", "passengers", "--epochs", "3", "--units", "4", "--learning-rate", "1e30", "--plot", "", "--output", cli.File("d"));
        Assert.Equal(1, diverged.Exit);
        Assert.Contains("stopped: training diverged during epoch 1.", diverged.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifyTrain_LogDir_TheFilesHoldEachEpochAsTheJsonHistoryDoes()
    {
        using var cli = new CliRunner();
        var data = cli.Write("reviews.csv", CliTests.Reviews(80, 4));
        var logs = cli.File(Path.Combine("logs", "run1"));   // created, with its parent
        var r = cli.Run("classify", "train", data, "--text", "review", "--label", "sentiment", "--units", "4", "--embedding", "4", "--epochs", "3", "--ensemble", "1",
            "--output", cli.File("c.safetensors"), "--plot", "", "--log-dir", logs, "--json");
        Assert.True(r.Exit == 0, r.Error);
        var history = JsonNode.Parse(r.Out)!["history"]!;
        var loss = history["loss"]!.AsArray().Select(v => (double)v!).ToArray();
        var valLoss = history["val_loss"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(3, loss.Length);

        var jsonl = File.ReadAllLines(Path.Combine(logs, "history.jsonl"));
        Assert.Equal(3, jsonl.Length);
        for (var e = 0; e < 3; e++)
        {
            var line = JsonNode.Parse(jsonl[e])!;
            Assert.Equal(e + 1, (int)line["epoch"]!);
            Assert.Equal(loss[e], (double)line["loss"]!, 1e-4);
            Assert.Equal(valLoss[e], (double)line["val_loss"]!, 1e-4);
            Assert.True((double)line["lr"]! > 0);
            Assert.True((double)line["seconds"]! >= 0);
        }
        var csv = File.ReadAllLines(Path.Combine(logs, "history.csv"));
        Assert.Equal(4, csv.Length);
        var header = csv[0].Split(',');
        Assert.Equal("epoch", header[0]);
        Assert.Contains("lr", header);
        Assert.Contains("seconds", header);
        var lossColumn = Array.IndexOf(header, "loss");
        for (var e = 0; e < 3; e++)
            Assert.Equal(loss[e], double.Parse(csv[e + 1].Split(',')[lossColumn], CultureInfo.InvariantCulture), 1e-4);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(logs, "loss.png"))[..4]);
        Assert.Empty(Directory.GetFiles(logs, "*.tmp*"));
    }

    [Fact]
    public void Train_LogDirIsAFile_ExitsOneBeforeTraining()
    {
        using var cli = new CliRunner();
        var file = cli.Write("taken", "x");
        var r = cli.Run("forecast", "train", Air, "--target", "passengers", "--epochs", "1", "--plot", "", "--output", cli.File("m"), "--log-dir", file);
        Assert.Equal(1, r.Exit);
        Assert.Contains($"--log-dir {file}: is a file", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("forecast epoch", r.Out, StringComparison.Ordinal);
    }
}
