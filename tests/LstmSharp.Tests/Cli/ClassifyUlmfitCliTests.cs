// `lstm classify train` with a test file, concat pooling, subword tokens and a pre-trained language model from
// `lstm text train`, end to end; and the bad inputs of those options, each exit 1 with the file and what is wrong.
using System.Text.Json.Nodes;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class ClassifyUlmfitCliTests
{
    static string[] Small(string model) => ["--text", "review", "--label", "sentiment", "--units", "8", "--embedding", "8", "--epochs", "6", "--learning-rate", "0.01",
        "--output", model, "--plot", "", "--json"];

    [Fact]
    public void TestFile_TrainsOnEveryRow_AndScoresTheFile()
    {
        using var cli = new CliRunner();
        var data = cli.Write("reviews.csv", CliTests.Reviews(150, 1));
        var tests = cli.Write("tests.csv", CliTests.Reviews(30, 2));
        var r = cli.Run(["classify", "train", data, "--test-file", tests, "--pooling", "concat", "--level", "subword", "--max-tokens", "60", .. Small(cli.File("m.safetensors"))]);
        Assert.True(r.Exit == 0, r.Error);
        var test = JsonNode.Parse(r.Out)!["test"]!;
        Assert.Equal(30, test["confusion"]!.AsArray().Sum(row => row!.AsArray().Sum(v => (int)v!)));
        Assert.True((double)test["accuracy"]! >= 0.9, r.Out);
        Assert.Contains("test 30 from", r.Error, StringComparison.Ordinal);
        Assert.Contains("concat pooling", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pretrained_ALanguageModelFromTextTrain_StartsTheClassifier()
    {
        using var cli = new CliRunner();
        var csv = CliTests.Reviews(150, 3);
        var corpus = cli.Write("corpus.txt", string.Join('\n', csv.Split('\n').Skip(1).Select(l => l.Split(',').ElementAtOrDefault(1)?.Trim('"'))));
        var lm = cli.File("lm.safetensors");
        var text = cli.Run("text", "train", corpus, "--level", "word", "--units", "8", "--embedding", "8", "--layers", "1", "--steps", "8", "--batch-size", "8",
            "--epochs", "2", "--sample-length", "5", "--output", lm, "--plot", "");
        Assert.True(text.Exit == 0, text.Error);
        var data = cli.Write("reviews.csv", csv);
        var r = cli.Run(["classify", "train", data, "--pretrained", lm, "--lm-epochs", "1", "--pooling", "concat", .. Small(cli.File("c.safetensors"))]);
        Assert.True(r.Exit == 0, r.Error);
        Assert.True((double)JsonNode.Parse(r.Out)!["test"]!["accuracy"]! >= 0.9, r.Out);
        Assert.Contains("the encoder of", r.Error, StringComparison.Ordinal);
        var predict = cli.Run("classify", "predict", "an excellent superb film", "a dull boring plot", "--model", cli.File("c.safetensors"), "--json");
        Assert.True(predict.Exit == 0, predict.Error);
        Assert.Equal(["pos", "neg"], JsonNode.Parse(predict.Out)!["predictions"]!.AsArray().Select(p => (string)p!["label"]!));
    }

    [Fact]
    public void Ensemble_TrainsEachNetworkInTurn_AndExplainsTheJoinedOne()
    {
        using var cli = new CliRunner();
        var data = cli.Write("reviews.csv", CliTests.Reviews(150, 5));
        var model = cli.File("e.safetensors");
        var args = Small(model).ToList();
        args[args.IndexOf("--plot") + 1] = cli.File("run");
        var r = cli.Run(["classify", "train", data, "--ensemble", "2", "--class-weight", "balanced", "--schedule", "slanted", "--log-dir", cli.File("logs"), .. args]);
        Assert.True(r.Exit == 0, r.Error);
        var json = JsonNode.Parse(r.Out)!;
        Assert.True((double)json["test"]!["accuracy"]! >= 0.9, r.Out);
        Assert.Equal(2, (int)json["training"]!["networks"]!);
        Assert.Equal(2, json["training"]!["kept_epoch"]!.AsArray().Count);
        Assert.Equal(2, json["history"]!.AsArray().Count);
        Assert.Contains("classify 2/2", r.Error, StringComparison.Ordinal);
        Assert.Contains("2 networks, logits averaged", r.Error, StringComparison.Ordinal);
        Assert.Contains("classes balanced", r.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(cli.File("run-loss-1.png")) && File.Exists(cli.File("run-loss-2.png")));
        Assert.True(new FileInfo(Path.Combine(cli.File("logs"), "network-2", "history.jsonl")).Length > 0);
        var explain = cli.Run("classify", "explain", "an excellent superb film", "--model", model, "--json");
        Assert.True(explain.Exit == 0, explain.Error);
        var evaluate = cli.Run("classify", "evaluate", data, "--model", model, "--json");
        Assert.True(evaluate.Exit == 0, evaluate.Error);

        var bad = cli.Run(["classify", "train", data, "--ensemble", "0", .. Small(model)]);
        Assert.Equal(1, bad.Exit);
        Assert.Contains("Ensemble", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadInput_ExitsOne_NamingTheFileOrOption()
    {
        using var cli = new CliRunner();
        var data = cli.Write("reviews.csv", CliTests.Reviews(40, 4));
        var model = cli.File("m.safetensors");

        var zero = cli.Run(["classify", "train", data, "--test", "0", .. Small(model)]);
        Assert.Equal(1, zero.Exit);
        Assert.Contains("--test-file", zero.Error, StringComparison.Ordinal);

        var tests = cli.Write("tests.csv", "id,review,sentiment\n1,\"a fine film\",pos\n2,\"a dull plot\",meh\n");
        var unknown = cli.Run(["classify", "train", data, "--test-file", tests, .. Small(model)]);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("tests.csv: row 2 has the label 'meh'", unknown.Error, StringComparison.Ordinal);

        var both = cli.Run(["classify", "train", data, "--test-file", tests, "--test", "0.2", .. Small(model)]);
        Assert.Equal(1, both.Exit);
        Assert.Contains("--test must be 0 with --test-file", both.Error, StringComparison.Ordinal);

        var notLm = cli.Run(["classify", "train", data, "--pretrained", data, .. Small(model)]);
        Assert.Equal(1, notLm.Exit);
        Assert.Contains("reviews.csv", notLm.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }
}
