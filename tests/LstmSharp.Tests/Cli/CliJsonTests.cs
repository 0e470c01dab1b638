// CliJsonTests: the schema of --json for every training and evaluate command — the keys every result carries (command,
// version, elapsed time, the settings shown) and, for training, the per-epoch history and how training went, with
// their types and lengths — and the settings in words rather than enum names.
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class CliJsonTests
{
    static readonly string Air = CliRunner.Data("AirPassengers.csv");

    static string Fixture(string folder, string name) => Path.Combine(CliRunner.Repo, "tests", "LstmSharp.Tests", "Fixtures", folder, name);

    static JsonNode Json(CliRunner cli, params string[] args)
    {
        var r = cli.Run([.. args, "--json"]);
        Assert.True(r.Exit == 0, r.Error);
        return JsonNode.Parse(r.Out)!;
    }

    static void AssertKind(JsonNode? node, JsonValueKind kind, string key)
    {
        Assert.True(node is not null, $"'{key}' is missing");
        Assert.True(node.GetValueKind() == kind, $"'{key}' is {node.GetValueKind()}, expected {kind}");
    }

    /// <summary>What every result carries: the command, the tool's version, the time taken and the settings table as text.</summary>
    static void AssertCommon(JsonNode json, string command)
    {
        Assert.Equal(command, (string)json["command"]!);
        AssertKind(json["version"], JsonValueKind.String, "version");
        Assert.NotEmpty((string)json["version"]!);
        AssertKind(json["elapsed_seconds"], JsonValueKind.Number, "elapsed_seconds");
        Assert.True((double)json["elapsed_seconds"]! >= 0);
        AssertKind(json["settings"], JsonValueKind.Object, "settings");
        var settings = json["settings"]!.AsObject();
        Assert.NotEmpty(settings);
        foreach (var (name, value) in settings) AssertKind(value, JsonValueKind.String, $"settings.{name}");
    }

    /// <summary>A training result: how it went (epochs run, kept, best, monitor, why it stopped, seconds) and a series per logged name.</summary>
    static void AssertTraining(JsonNode json, string command, params string[] logged)
    {
        AssertCommon(json, command);
        AssertOneTraining(json["training"], json["history"], logged);
    }

    /// <summary>
    /// An ensemble's training result: the number of networks, lists of their epochs run, kept epochs and stops, the total
    /// seconds, and each network's training (as <see cref="AssertTraining"/>) and history.
    /// </summary>
    static void AssertEnsembleTraining(JsonNode json, string command, int networks, params string[] logged)
    {
        AssertCommon(json, command);
        var training = json["training"]!;
        Assert.Equal(networks, (int)training["networks"]!);
        foreach (var key in new[] { "epochs_run", "kept_epoch", "stopped" })
        {
            AssertKind(training[key], JsonValueKind.Array, $"training.{key}");
            Assert.Equal(networks, training[key]!.AsArray().Count);
        }
        AssertKind(training["seconds"], JsonValueKind.Number, "training.seconds");
        AssertKind(training["members"], JsonValueKind.Array, "training.members");
        AssertKind(json["history"], JsonValueKind.Array, "history");
        var (members, histories) = (training["members"]!.AsArray(), json["history"]!.AsArray());
        Assert.Equal(networks, members.Count);
        Assert.Equal(networks, histories.Count);
        for (var m = 0; m < networks; m++)
        {
            AssertOneTraining(members[m], histories[m], logged);
            Assert.Equal((int)training["kept_epoch"]![m]!, (int)members[m]!["kept_epoch"]!);
        }
    }

    static void AssertOneTraining(JsonNode? node, JsonNode? history, string[] logged)
    {
        AssertKind(node, JsonValueKind.Object, "training");
        var training = node!;
        foreach (var key in new[] { "epochs_run", "kept_epoch", "best_epoch", "seconds" }) AssertKind(training[key], JsonValueKind.Number, $"training.{key}");
        foreach (var key in new[] { "monitor", "stopped" }) AssertKind(training[key], JsonValueKind.String, $"training.{key}");
        var run = (int)training["epochs_run"]!;
        Assert.True(run >= 1);
        Assert.InRange((int)training["kept_epoch"]!, 1, run);
        Assert.Contains((string)training["stopped"]!, new[] { "all epochs", "early stopping", "time budget" });
        AssertKind(history, JsonValueKind.Object, "history");
        foreach (var key in (string[])["loss", "lr", "seconds", .. logged])
        {
            AssertKind(history![key], JsonValueKind.Array, $"history.{key}");
            var values = history[key]!.AsArray();
            Assert.Equal(run, values.Count);
            Assert.All(values, v => AssertKind(v, JsonValueKind.Number, $"history.{key}[]"));
        }
    }

    [Fact]
    public void Forecast_TrainEvaluatePredictAndDemo_Schema()
    {
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var train = Json(cli, "forecast", "train", Air, "--target", "passengers", "--test", "24", "--epochs", "2", "--units", "4", "--plot", "", "--output", model);
        AssertTraining(train, "forecast train", "val_loss");
        Assert.Equal("val_loss", (string)train["training"]!["monitor"]!);
        var ensemble = Json(cli, "forecast", "train", Air, "--target", "passengers", "--test", "24", "--epochs", "2", "--units", "4", "--plot", "", "--ensemble", "3",
            "--output", cli.File("three.safetensors"));
        AssertEnsembleTraining(ensemble, "forecast train", 3, "val_loss");
        AssertKind(ensemble["best_epoch"], JsonValueKind.Array, "best_epoch");
        AssertCommon(Json(cli, "forecast", "evaluate", Air, "--model", model, "--plot", ""), "forecast evaluate");
        AssertCommon(Json(cli, "forecast", "predict", Air, "--model", model, "--output", cli.File("next.csv")), "forecast predict");
        var demo = Json(cli, "demo", "--epochs", "2", "--plot", "", "--output", cli.File("demo.safetensors"));
        AssertTraining(demo, "forecast train", "val_loss");
        Assert.StartsWith("AirPassengers.csv, bundled with the tool", (string)demo["settings"]!["data"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_TrainAndEvaluate_Schema()
    {
        using var cli = new CliRunner();
        var text = cli.Write("song.txt", string.Concat(Enumerable.Repeat("row, row, row your boat, gently down the stream.\n", 60)));
        var model = cli.File("song.safetensors");
        var train = Json(cli, "text", "train", text, "--units", "8", "--layers", "1", "--embedding", "4", "--steps", "8", "--batch-size", "4", "--epochs", "2",
            "--sample-length", "5", "--output", model, "--plot", "");
        AssertTraining(train, "text train", "val_loss");
        AssertKind(train["epochs"], JsonValueKind.Array, "epochs");
        Assert.EndsWith("lowercase no", (string)train["settings"]!["tokens"]!, StringComparison.Ordinal);
        AssertCommon(Json(cli, "text", "evaluate", text, "--model", model), "text evaluate");
    }

    [Fact]
    public void Classify_TrainAndEvaluate_Schema()
    {
        using var cli = new CliRunner();
        var data = cli.Write("reviews.csv", CliTests.Reviews(60, 5));
        var model = cli.File("c.safetensors");
        var train = Json(cli, "classify", "train", data, "--text", "review", "--label", "sentiment", "--units", "4", "--embedding", "4", "--epochs", "2", "--ensemble", "1",
            "--output", model, "--plot", "");
        AssertTraining(train, "classify train", "val_loss", "accuracy", "val_accuracy");
        AssertCommon(Json(cli, "classify", "evaluate", data, "--text", "review", "--label", "sentiment", "--model", model), "classify evaluate");
    }

    [Fact]
    public void Tag_TrainAndEvaluate_Schema()
    {
        using var cli = new CliRunner();
        var model = cli.File("tag.safetensors");
        var train = Json(cli, "tag", "train", Fixture("tagging", "names_train.conll"), "--test", "0.1", "--units", "8", "--embedding", "8", "--epochs", "2",
            "--plot", "", "-o", model);
        AssertTraining(train, "tag train", "val_loss", "val_f1", "val_token_accuracy");
        Assert.Equal("val_f1", (string)train["training"]!["monitor"]!);
        Assert.StartsWith("scheme BIO, lowercase no", (string)train["settings"]!["tags"]!, StringComparison.Ordinal);
        AssertCommon(Json(cli, "tag", "evaluate", Fixture("tagging", "names_test.conll"), "--model", model), "tag evaluate");
    }

    [Fact]
    public void Translate_TrainAndEvaluate_Schema()
    {
        using var cli = new CliRunner();
        var model = cli.File("t.safetensors");
        var train = Json(cli, "translate", "train", Fixture("translate", "reverse.tsv"), "--test", "0.1", "--units", "8", "--embedding", "4", "--epochs", "2",
            "--bleu-samples", "5", "--beam", "1", "--plot", "", "-o", model);
        AssertTraining(train, "translate train", "val_loss", "val_bleu", "val_exact_match");
        Assert.Contains("concat (Bahdanau)", (string)train["settings"]!["model"]!, StringComparison.Ordinal);
        AssertCommon(Json(cli, "translate", "evaluate", Fixture("translate", "reverse.tsv"), "--model", model, "--beam", "1"), "translate evaluate");
    }

    [Fact]
    public void ForecastTrain_Settings_InWordsNotEnumNames()
    {
        using var cli = new CliRunner();
        var json = Json(cli, "forecast", "train", Air, "--target", "passengers", "--test", "24", "--epochs", "1", "--units", "4", "--plot", "",
            "--strategy", "recursive", "--horizon", "2", "--scaling", "minmax", "--transform", "log-diff", "--output", cli.File("m"));
        var settings = json["settings"]!;
        Assert.Equal("recursive (a one-step model fed its own forecasts)", (string)settings["strategy"]!);
        Assert.Equal("min–max to [0, 1]", (string)settings["scaling"]!);
        Assert.Equal("log differences (relative change)", (string)settings["transform"]!);
    }

    [Fact]
    public void Demo_SaysWhatMaseAndTheBaselinesAre()
    {
        using var cli = new CliRunner();
        var r = cli.Run("demo", "--epochs", "1", "--plot", "", "--output", cli.File("demo.safetensors"));
        Assert.True(r.Exit == 0, r.Error);
        Assert.Contains("Lower is better for every score.", r.Out, StringComparison.Ordinal);
        Assert.Contains("seasonal naive: as the value one season (12 rows) before it", r.Out, StringComparison.Ordinal);
        Assert.Contains("MASE (mean absolute scaled error) = MAE ÷ the seasonal-naive forecast's mean absolute error on the training part", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("bin/", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_APathInsideTheCurrentFolder_IsRelative_OneOutsideIsAsGiven()
    {
        var inside = Path.Combine(Environment.CurrentDirectory, "data", "x.csv");
        Assert.Equal(Path.Combine("data", "x.csv"), LstmSharp.Cli.CliFiles.Show(inside));
        var outside = Path.GetFullPath(Path.Combine(Environment.CurrentDirectory, "..", "elsewhere.csv"));
        Assert.Equal(outside, LstmSharp.Cli.CliFiles.Show(outside));
        Assert.Equal("-", LstmSharp.Cli.CliFiles.Show("-"));
    }
}
