// `lstm classify explain` and `lstm text explain` end to end on tiny models trained in the test: tokens with their
// numbers in redirected output, JSON whose attributions add up, HTML pages that are whole and escaped, and bad input
// (unknown class, empty text, a model of another task, units and layers out of range) exiting 1 with a message.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LstmSharp.Cli;
using Xunit;

namespace LstmSharp.Tests.Cli;

/// <summary>A classifier and a character language model, each trained once through the tool.</summary>
public sealed class ExplainModels : IDisposable
{
    public ExplainModels()
    {
        var data = Cli.Write("reviews.csv", CliTests.Reviews(120, 5));
        Classifier = Cli.File("classify.safetensors");
        var c = Cli.Run("classify", "train", data, "--text", "review", "--label", "sentiment", "--units", "8", "--embedding", "8", "--epochs", "6",
            "--max-length", "12", "--learning-rate", "0.02", "--output", Classifier, "--plot", "", "--quiet");
        Assert.True(c.Exit == 0, c.Error);
        var text = Cli.Write("song.txt", string.Concat(Enumerable.Repeat("row, row, row your boat.\n", 40)));
        Language = Cli.File("text.safetensors");
        var t = Cli.Run("text", "train", text, "--units", "6", "--layers", "2", "--embedding", "4", "--steps", "10", "--batch-size", "4",
            "--epochs", "1", "--sample-length", "0", "--output", Language, "--plot", "", "--quiet");
        Assert.True(t.Exit == 0, t.Error);
    }

    internal CliRunner Cli { get; } = new();

    public string Classifier { get; }

    public string Language { get; }

    public void Dispose() => Cli.Dispose();
}

public sealed class ExplainCommandTests(ExplainModels models) : IClassFixture<ExplainModels>
{
    readonly CliRunner _cli = models.Cli;

    [Fact]
    public void ClassifyExplain_RedirectedOutput_ShowsEachTokenWithItsNumberTheClassAndTheGap()
    {
        var run = _cli.Run("classify", "explain", "A superb film, really AWFUL plot", "--model", models.Classifier, "--quiet");
        Assert.True(run.Exit == 0, run.Error);
        Assert.Matches(@"text 1: (pos|neg) \(\d+\.\d %\)", run.Out);
        foreach (var token in new[] { "A", "superb", "film", "really", "AWFUL", "plot" }) Assert.Matches($@"\b{token}\([+-]?\d\.\d{{3}}\)", run.Out);
        Assert.Contains("completeness gap", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifyExplain_Json_AttributionsAddUpToTheLogitDifference()
    {
        var run = _cli.Run("classify", "explain", "superb film", "dull boring plot", "--class", "pos", "--steps", "40", "--model", models.Classifier, "--json");
        Assert.True(run.Exit == 0, run.Error);
        var explanations = JsonNode.Parse(run.Out)!["explanations"]!.AsArray();
        Assert.Equal(2, explanations.Count);
        foreach (var e in explanations)
        {
            Assert.Equal("pos", (string)e!["class"]!);
            var sum = e["tokens"]!.AsArray().Sum(t => (double)t!["attribution"]!);
            Assert.Equal((double)e["attribution_sum"]!, sum, 1e-6);
            var difference = (double)e["logit"]! - (double)e["baseline_logit"]!;
            Assert.True(Math.Abs(sum - difference) < 0.02 * Math.Abs(difference) + 1e-4, $"Σ {sum} vs {difference}");
        }
        var tokens = explanations[1]!["tokens"]!.AsArray();
        Assert.Equal(["dull", "boring", "plot"], tokens.Select(t => (string)t!["token"]!));
        Assert.Equal([0, 5, 12], tokens.Select(t => (int)t!["start"]!));
    }

    [Fact]
    public void ClassifyExplain_FileAndStandardInput_ExplainEveryLine()
    {
        var lines = _cli.Write("lines.txt", "superb film\n\nawful plot\n");
        var fromFile = _cli.Run("classify", "explain", "--file", lines, "--model", models.Classifier, "--json");
        Assert.True(fromFile.Exit == 0, fromFile.Error);
        Assert.Equal(2, JsonNode.Parse(fromFile.Out)!["explanations"]!.AsArray().Count);
        var fromInput = _cli.RunWithInput(new StringReader("superb film\nawful plot\nfine\n"), "classify", "explain", "--model", models.Classifier, "--json");
        Assert.True(fromInput.Exit == 0, fromInput.Error);
        Assert.Equal(["superb film", "awful plot", "fine"], JsonNode.Parse(fromInput.Out)!["explanations"]!.AsArray().Select(e => (string)e!["text"]!));
    }

    [Fact]
    public void ClassifyExplain_Html_WritesAWholePageWithTheTextEscaped()
    {
        var page = _cli.File("explain.html");
        var run = _cli.Run("classify", "explain", "<b>superb</b> & \"dull\"", "--model", models.Classifier, "--html", page, "--quiet");
        Assert.True(run.Exit == 0, run.Error);
        var html = File.ReadAllText(page);
        AssertWholePage(html);
        // "<b>" is cut into "<", the token "b" and ">": the pieces between tokens are escaped too.
        Assert.Contains("&lt;<span class=\"t\"", html, StringComparison.Ordinal);
        Assert.Contains("</span>&gt;", html, StringComparison.Ordinal);
        Assert.Contains(" &amp; &quot;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Matches(@"<span class=""t"" style=""background:#[0-9a-f]{6}"" title=""superb: [+-]\d\.\d{4}"">superb</span>", html);
        Assert.Contains("class=\"legend\"", html, StringComparison.Ordinal);
    }

    static void AssertWholePage(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", html, StringComparison.Ordinal);
        foreach (var tag in new[] { "html", "head", "body", "style", "section", "span", "div", "h2", "p" })
            Assert.Equal(Regex.Count(html, $"<{tag}[ >]"), Regex.Count(html, $"</{tag}>"));
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html, StringComparison.Ordinal);   // self-contained: nothing fetched
    }

    [Theory]
    [InlineData("--class", "great", "--class great: the classifier has no such class; it knows neg, pos.")]
    [InlineData("--steps", "0", "--steps must be in [1, 10000]; received 0.")]
    public void ClassifyExplain_BadOption_ExitsOneNamingIt(string option, string value, string message)
    {
        var run = _cli.Run("classify", "explain", "superb", option, value, "--model", models.Classifier);
        Assert.Equal(1, run.Exit);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifyExplain_EmptyTextOrAnotherTasksModel_ExitsOne()
    {
        var empty = _cli.Run("classify", "explain", "superb", "...", "--model", models.Classifier);
        Assert.Equal(1, empty.Exit);
        Assert.Contains("text 2: The text '...' has no tokens", empty.Error, StringComparison.Ordinal);
        var none = _cli.RunWithInput(new StringReader(""), "classify", "explain", "--model", models.Classifier);
        Assert.Equal(1, none.Exit);
        Assert.Contains("Give a text to explain", none.Error, StringComparison.Ordinal);
        var other = _cli.Run("classify", "explain", "superb", "--model", models.Language);
        Assert.Equal(1, other.Exit);
        Assert.Contains("is not a text classifier", other.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TextExplain_Unit_ShowsEveryCharacterWithItsValueAndTheJsonTrace()
    {
        const string text = "row your";
        var run = _cli.Run("text", "explain", text, "--unit", "2", "--layer", "1", "--gate", "hidden", "--model", models.Language, "--quiet");
        Assert.True(run.Exit == 0, run.Error);
        Assert.Contains("layer 1, unit 2: hidden", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"r\([+-]?\d\.\d{3}\) o\([+-]?\d\.\d{3}\) w\([+-]?\d\.\d{3}\) ␣\([+-]?\d\.\d{3}\) y", run.Out);
        var json = JsonNode.Parse(_cli.Run("text", "explain", text, "--unit", "2", "--layer", "1", "--gate", "forget", "--model", models.Language, "--json").Out)!;
        var values = json["traces"]![0]!["values"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(text.Length, values.Length);
        Assert.All(values, v => Assert.InRange(v, 0, 1));   // a gate
    }

    [Fact]
    public void TextExplain_Top_ListsTheUnitsAndShowsEachOnAnEscapedPage()
    {
        var page = _cli.File("cells.html");
        var run = _cli.Run("text", "explain", "row <your> & boat", "--top", "3", "--model", models.Language, "--html", page, "--json");
        Assert.True(run.Exit == 0, run.Error);
        var json = JsonNode.Parse(run.Out)!;
        var top = json["top"]!.AsArray().Select(t => (double)t!["std"]!).ToArray();
        Assert.Equal(3, top.Length);
        Assert.Equal(top.OrderByDescending(s => s), top);
        Assert.Equal(3, json["traces"]!.AsArray().Count);
        var html = File.ReadAllText(page);
        AssertWholePage(html);
        Assert.Equal(3, Regex.Count(html, "<section>"));
        Assert.Contains("&lt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<your>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--unit", "6" }, "--unit must be in [0, 5] (layer 0 has 6 units); received 6.")]
    [InlineData(new[] { "--unit", "0", "--layer", "2" }, "--layer must be in [0, 1] (the model has 2 LSTM layer(s)); received 2.")]
    [InlineData(new string[0], "Give --unit N to show one unit, or --top K")]
    public void TextExplain_BadUnitOrLayer_ExitsOneNamingTheOption(string[] options, string message)
    {
        var run = _cli.Run(["text", "explain", "row", "--model", models.Language, .. options]);
        Assert.Equal(1, run.Exit);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TextExplain_ClassifierModelOrEmptyText_ExitsOne()
    {
        var other = _cli.Run("text", "explain", "row", "--unit", "0", "--model", models.Classifier);
        Assert.Equal(1, other.Exit);
        Assert.Contains("is not a language model", other.Error, StringComparison.Ordinal);
        var empty = _cli.Run("text", "explain", "  ", "--unit", "0", "--model", models.Language);
        Assert.Equal(1, empty.Exit);
        Assert.Contains("The text is empty", empty.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenHeat_Markup_ColoursTokensGreenForRedAgainstAndEscapesTheRest()
    {
        const string text = "good [x] bad";
        TokenScore[] tokens = [new("good", 0..4, 0.8, 1), new("x", 6..7, 0, 0), new("bad", 9..12, -0.4, -0.5)];
        var markup = TokenHeat.Markup(text, tokens, HeatScale.ForAgainst);
        Assert.Equal("[black on #46b45a]good[/] [[[black on #ffffff]x[/]]] [black on #f2a8a8]bad[/]", markup);
        Assert.Equal("#ffffff", HeatScale.BlueRed.Hex(0));
        Assert.Equal("#466ee6", HeatScale.BlueRed.Hex(-1));
        Assert.Equal("good(+0.800) x(0.000) bad(-0.400)", TokenHeat.Plain(text, tokens));
        _ = new Spectre.Console.Markup(markup);   // well-formed markup: parsing it does not throw
    }
}
