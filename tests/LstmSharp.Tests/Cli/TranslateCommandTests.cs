// `lstm translate` end to end on a small committed corpus (Fixtures/translate/reverse.tsv: 600 word sequences and their
// reversals, punctuation on both sides): train with a test split, evaluate, predict from stdin and from a file with
// n-best lists and an attention heatmap; and every bad input exits 1 naming the file and line (or the option).
using System.Text.Json;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class TranslateCommandTests
{
    static string Corpus => Path.Combine(CliRunner.Repo, "tests", "LstmSharp.Tests", "Fixtures", "translate", "reverse.tsv");

    static readonly string[] Small = ["--units", "16", "--embedding", "8", "--epochs", "5", "--learning-rate", "0.01", "--dropout", "0", "--bleu-samples", "10", "--plot", ""];

    [Fact]
    public void TrainEvaluatePredict_EndToEnd()
    {
        using var cli = new CliRunner();
        var model = cli.File("reverse.safetensors");
        var train = cli.Run(["translate", "train", Corpus, "--test", "0.1", "--beam", "3", "-o", model, "--json", .. Small]);
        Assert.True(train.Exit == 0, train.Error);
        using (var json = JsonDocument.Parse(train.Out))
        {
            var root = json.RootElement;
            var loss = root.GetProperty("history").GetProperty("loss").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(5, loss.Length);
            Assert.True(loss[^1] < loss[0] * 0.8, $"loss {loss[0]} → {loss[^1]}");
            Assert.Equal(5, root.GetProperty("history").GetProperty("val_bleu").GetArrayLength());
            var test = root.GetProperty("test");
            Assert.Equal(60, test.GetProperty("pairs").GetInt32());
            Assert.InRange(test.GetProperty("sentences").GetInt32(), 40, 60);   // a repeated source is one sentence with several references
            Assert.Equal(3, test.GetProperty("beam_size").GetInt32());
            foreach (var part in new[] { "greedy", "beam" })
                Assert.InRange(test.GetProperty(part).GetProperty("bleu").GetDouble(), 0, 100);
        }
        Assert.Contains("test: 60 pairs, ", train.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(model));

        var evaluate = cli.Run("translate", "evaluate", Corpus, "-m", model, "--test", "0.1", "--beam", "2");
        Assert.True(evaluate.Exit == 0, evaluate.Error);
        Assert.Contains("60 pairs", evaluate.Out + evaluate.Error, StringComparison.Ordinal);
        Assert.Contains("copy the source", evaluate.Out + evaluate.Error, StringComparison.Ordinal);

        // stdin: one output line per input line, in order; an empty line gives an empty line.
        using var input = new StringReader("red cat.\n\nblue sea sun.\n");
        var (exit, output, error) = cli.RunWithInput(input, "translate", "predict", "-m", model, "--beam", "1");
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.None);
        Assert.Equal(4, lines.Length);   // three lines and the final newline
        Assert.Equal("", lines[1]);
        Assert.EndsWith("!", lines[0], StringComparison.Ordinal);

        var file = cli.Write("in.txt", "green tree moon.\n");
        var plot = cli.File("attention.png");
        var nBest = cli.Run("translate", "predict", "-m", model, "--file", file, "--beam", "3", "--n-best", "2", "--attention-plot", plot);
        Assert.True(nBest.Exit == 0, nBest.Error);
        var best = nBest.Out.Trim().Split('\n');
        Assert.Equal(2, best.Length);
        var scores = best.Select(l => double.Parse(l.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(scores[0] >= scores[1]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(plot)[..4]);
    }

    [Fact]
    public void BadInput_ExitsOne_NamingTheFileAndLine()
    {
        using var cli = new CliRunner();
        void Fails(string expected, params string[] args)
        {
            var (exit, _, error) = cli.Run(args);
            Assert.True(exit == 1, $"exit {exit} for {string.Join(' ', args)}: {error}");
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
        var emptyTarget = cli.Write("empty.tsv", "source\ttarget\na b\tb a\nc d\t \n");
        Fails("empty.tsv:3: the target is empty", "translate", "train", emptyTarget);
        var emptySource = cli.Write("nosource.tsv", "source\ttarget\n\tb a\n");
        Fails("nosource.tsv:2: the source is empty", "translate", "train", emptySource);
        var columns = cli.Write("columns.tsv", "source\ttarget\na b\tb a\tc\n");
        Fails("columns.tsv:2: expected 2 fields", "translate", "train", columns);
        Fails("no column 'en'", "translate", "train", Corpus, "--source-column", "en");
        Fails("--test must be in [0, 1)", "translate", "train", Corpus, "--test", "1");
        Fails("--beam must be at least 1", "translate", "train", Corpus, "--beam", "0");
        Fails("even and at least 2", "translate", "train", Corpus, "--units", "7");
        Fails("the folder", "translate", "train", Corpus, "-o", cli.File("missing/model.safetensors"));
        var source = cli.Write("src.txt", "a b\nc d\n");
        var target = cli.Write("tgt.txt", "b a\n");
        Fails("must pair line by line", "translate", "train", source, "--target-file", target);
        Fails("more than fit", "translate", "train", Corpus, "--max-target-tokens", "16000000", "--units", "4096");

        var classifier = cli.File("classify.safetensors");
        LstmSharp.Text.TextClassifier.Train(["good day", "bad day"], ["pos", "neg"],
            new LstmSharp.Text.TextClassifierOptions { Units = 2, EmbeddingSize = 2, MaxLength = 4, Epochs = 1, ValidationFraction = 0f }).Save(classifier);
        Fails("train one with `lstm translate train`", "translate", "predict", "hello", "-m", classifier);
        Fails("nope.safetensors: file not found", "translate", "predict", "hello", "-m", cli.File("nope.safetensors"));
        Fails("--n-best must be in [1, --beam = 2]", "translate", "predict", "hello", "-m", classifier, "--beam", "2", "--n-best", "3");
    }
}
