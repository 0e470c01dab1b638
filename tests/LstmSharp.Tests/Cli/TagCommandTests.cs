// `lstm tag` end to end on the small synthetic name corpus (Fixtures/tagging/names_*.conll): train with a held-out test,
// evaluate on a test file, predict from stdin (token/tag columns) and as JSON spans with character offsets; and every bad
// input exits 1 naming the file and line (or the option).
using System.Text.Json;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class TagCommandTests
{
    static string Fixture(string name) => Path.Combine(CliRunner.Repo, "tests", "LstmSharp.Tests", "Fixtures", "tagging", name);

    static readonly string[] Small = ["--units", "16", "--embedding", "16", "--epochs", "6", "--learning-rate", "0.01", "--dropout", "0.1", "--batch-size", "16", "--plot", ""];

    [Fact]
    public void TrainEvaluatePredict_EndToEnd()
    {
        using var cli = new CliRunner();
        var model = cli.File("names.safetensors");
        var train = cli.Run(["tag", "train", Fixture("names_train.conll"), "--test", "0.1", "-o", model, "--json", .. Small]);
        Assert.True(train.Exit == 0, train.Error);
        using (var json = JsonDocument.Parse(train.Out))
        {
            var root = json.RootElement;
            Assert.Equal(6, root.GetProperty("history").GetProperty("val_f1").GetArrayLength());
            var test = root.GetProperty("test");
            Assert.True(test.GetProperty("entities").GetProperty("f1").GetDouble() > 0.9, train.Out);
            Assert.Equal(["LOC", "PER"], test.GetProperty("by_type").EnumerateObject().Select(p => p.Name));
            Assert.True(test.GetProperty("confusion").GetProperty("B-PER").GetProperty("B-PER").GetInt32() > 0);
        }
        Assert.Contains("test: 40 sentences", train.Error, StringComparison.Ordinal);

        var evaluate = cli.Run("tag", "evaluate", Fixture("names_test.conll"), "-m", model);
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        Assert.Contains("80 sentences", evaluate.Out + evaluate.Error, StringComparison.Ordinal);
        Assert.Contains("PER", evaluate.Out + evaluate.Error, StringComparison.Ordinal);

        using var input = new StringReader("Anna Berg visited Oslo .\n\nHugo met Clara\n");
        var (exit, output, error) = cli.RunWithInput(input, "tag", "predict", "-m", model);
        Assert.True(exit == 0, error);
        // A token<TAB>tag line per token and a blank line after each sentence (the empty one is just its blank line).
        Assert.StartsWith("Anna\tB-PER\nBerg\tI-PER\nvisited\tO\nOslo\tB-LOC\n.\tO\n\n\nHugo\tB-PER\nmet\tO\nClara\t", output, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", output, StringComparison.Ordinal);

        var spans = cli.Run("tag", "predict", "-m", model, "--json", "Hugo  met Clara in Porto");
        Assert.True(spans.Exit == 0, spans.Error);
        using var result = JsonDocument.Parse(spans.Out);
        var found = result.RootElement.GetProperty("results")[0].GetProperty("spans").EnumerateArray()
            .Select(s => (s.GetProperty("type").GetString(), s.GetProperty("start").GetInt32(), s.GetProperty("end").GetInt32(), s.GetProperty("text").GetString())).ToArray();
        Assert.Equal([("PER", 0, 4, "Hugo"), ("PER", 10, 15, "Clara"), ("LOC", 19, 24, "Porto")], found);

        // Raw text: the rules split the period off (the default); --tokenize whitespace keeps "Oslo." whole.
        var rules = cli.Run("tag", "predict", "-m", model, "Anna visited Oslo.");
        Assert.True(rules.Exit == 0, rules.Error);
        Assert.Equal(["Anna", "visited", "Oslo", "."], rules.Out.Trim().Split('\n').Select(l => l.Split('\t')[0]));
        var whitespace = cli.Run("tag", "predict", "-m", model, "--tokenize", "whitespace", "Anna visited Oslo.");
        Assert.Equal(["Anna", "visited", "Oslo."], whitespace.Out.Trim().Split('\n').Select(l => l.Split('\t')[0]));
    }

    [Fact]
    public void BadInput_ExitsOneNamingTheFileAndLine()
    {
        using var cli = new CliRunner();
        var missing = cli.Write("missing.conll", "Anna\tB-PER\nBerg\nvisited\tO\n");
        var run = cli.Run(["tag", "train", missing, "--test", "0", .. Small]);
        Assert.Equal(1, run.Exit);
        Assert.Contains($"{missing}:2", run.Error, StringComparison.Ordinal);
        Assert.Contains("--tag-column", run.Error, StringComparison.Ordinal);

        var scheme = cli.Write("scheme.conll", "Anna\tI-PER\nvisited\tO\n\nOslo\tB-LOC\n");
        run = cli.Run(["tag", "train", scheme, "--test", "0", .. Small]);
        Assert.Equal(1, run.Exit);
        Assert.Contains($"{scheme}:1", run.Error, StringComparison.Ordinal);
        Assert.Contains("I-PER", run.Error, StringComparison.Ordinal);

        var empty = cli.Write("empty.conll", "# nothing but a comment\n\n");
        run = cli.Run(["tag", "train", empty, .. Small]);
        Assert.Equal(1, run.Exit);
        Assert.Contains(empty, run.Error, StringComparison.Ordinal);

        var model = cli.File("names.safetensors");
        Assert.Equal(0, cli.Run(["tag", "train", Fixture("names_train.conll"), "--test", "0", "-o", model, .. Small.Select(a => a == "6" ? "1" : a)]).Exit);
        var unknown = cli.Write("unknown.conll", "Anna\tB-PER\nin\tO\nOslo\tB-ORG\n");
        run = cli.Run("tag", "evaluate", unknown, "-m", model);
        Assert.Equal(0, run.Exit);   // scored, the unknown tag counted as an error, with a warning naming it
        Assert.Contains($"{unknown}:3: 'B-ORG'", (run.Out + run.Error).Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var translator = Path.Combine(CliRunner.Repo, "tests", "LstmSharp.Tests", "Fixtures", "models", "translate.safetensors");
        run = cli.Run("tag", "predict", "-m", translator, "Anna");
        Assert.Equal(1, run.Exit);
        Assert.Contains("not a tagger", run.Error, StringComparison.Ordinal);
        run = cli.Run(["tag", "train", Fixture("names_train.conll"), "--crf", "--no-crf", .. Small]);
        Assert.Equal(1, run.Exit);
        Assert.Contains("--crf and --no-crf", run.Error, StringComparison.Ordinal);
        run = cli.Run(["tag", "train", Fixture("names_train.conll"), "--scheme", "bioes", .. Small]);
        Assert.Equal(1, run.Exit);

        var ragged = cli.Write("vectors.txt", "anna 0.1 0.2\nvisited 0.3\n");
        run = cli.Run(["tag", "train", Fixture("names_train.conll"), "--embeddings", ragged, .. Small]);
        Assert.Equal(1, run.Exit);
        Assert.Contains($"{ragged}:2", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_WithFrozenPretrainedEmbeddings()
    {
        using var cli = new CliRunner();
        var vectors = cli.Write("vectors.txt", "anna 0.1 0.2 0.3\nvisited 0.3 0.2 0.1\nunused 1 1 1\n");
        var model = cli.File("m.safetensors");
        var run = cli.Run(["tag", "train", Fixture("names_train.conll"), "--embeddings", vectors, "--freeze-embeddings", "--test", "0.1", "-o", model, .. Small.Select(a => a == "6" ? "2" : a)]);
        Assert.True(run.Exit == 0, run.Error);
        var embedding = LstmSharp.Tagging.Tagger.Load(model).Model.Layers.OfType<LstmSharp.Layers.Embedding>().Single();
        Assert.Equal(3, embedding.Dimension);   // the vectors' width, not --embedding 16
        Assert.False(embedding.Trainable);
    }

    [Fact]
    public void TagRule_BrownBase_TrainsOnTheBaseTags()
    {
        using var cli = new CliRunner();
        var data = cli.Write("brownish.conll", string.Concat(Enumerable.Repeat("The\tat\nCounty\tnn-tl\nisn't\tbez*\nhere\trb\n\n", 20)));
        var run = cli.Run(["tag", "train", data, "--scheme", "none", "--no-crf", "--tag-rule", "brown-base", "--test", "0.2", "--json", .. Small]);
        Assert.True(run.Exit == 0, run.Error);
        using var json = JsonDocument.Parse(run.Out);
        var tags = json.RootElement.GetProperty("test").GetProperty("confusion").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["at", "bez", "nn", "rb"], tags);
    }

    [Fact]
    public void Train_WithCharFeatures_SavesThemAndPredicts()
    {
        using var cli = new CliRunner();
        var model = cli.File("chars.safetensors");
        var run = cli.Run(["tag", "train", Fixture("names_train.conll"), "--char-features", "--char-units", "8", "--char-embedding", "8", "--max-word-length", "6",
            "--test", "0.1", "-o", model, .. Small.Select(a => a == "6" ? "2" : a)]);
        Assert.True(run.Exit == 0, run.Error);
        var tagger = LstmSharp.Tagging.Tagger.Load(model);
        Assert.True(tagger.HasCharFeatures);
        Assert.Equal(6, tagger.MaxWordLength);
        var predict = cli.Run("tag", "predict", "-m", model, "Anna visited Oslo .");
        Assert.True(predict.Exit == 0, predict.Error);
        Assert.Equal(4, predict.Out.Trim().Split('\n').Length);
    }
}
