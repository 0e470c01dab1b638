// NotebookFormattersTests: what a notebook shows, through .NET Interactive's own Formatter — the summary table, a
// tensor's numpy text (the fixture's numpy output), and a History's SVG curves at hand-computed coordinates.
using LstmSharp.Interactive;
using LstmSharp.Layers;
using Microsoft.DotNet.Interactive.Formatting;
using Xunit;

namespace LstmSharp.Tests.Interactive;

public sealed class NotebookFormattersTests
{
    static NotebookFormattersTests() => NotebookFormatters.Register();

    [Fact]
    public void Model_Html_IsTheSummaryTable()
    {
        var lstm = new Lstm(4);
        var model = new Sequential(seed: 1, new Input(7, 3), lstm, new Dense(2)) { Name = "tagger" };
        lstm.Trainable = false;
        var html = model.ToDisplayString(HtmlFormatter.MimeType);
        Assert.StartsWith("<div class=\"lstmsharp-summary\"><table><caption>Model: \"tagger\"</caption>", html, StringComparison.Ordinal);
        Assert.Contains("<thead><tr><th>Layer (type)</th><th>Output shape</th><th>Param #</th></tr></thead>", html, StringComparison.Ordinal);
        // Lstm(4) on 3 features: 4·4·(3 + 4 + 2) = 144, frozen; Dense(2) on 4: 10.
        Assert.Contains("<tr><td>lstm (Lstm)</td><td>(None, 4)</td><td style=\"text-align:right\">144</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<div>Total params: 154 (616.00 B)</div><div>Trainable params: 10 (40.00 B)</div><div>Non-trainable params: 144 (576.00 B)</div>", html, StringComparison.Ordinal);
        Assert.Contains("counts 16 fewer.</small>", html, StringComparison.Ordinal);
        Assert.Equal(model.Summary(), model.ToDisplayString(PlainTextFormatter.MimeType));
    }

    [Fact]
    public void Tensor_Html_ShowsShapeAndNumpyValues()
    {
        var tensor = new Tensor([0f, 0.5f, 1f, 1.5f, 2f, 2.5f], 2, 3);
        // numpy: str(np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5), as in the tensor_format fixture.
        Assert.Equal("<div class=\"lstmsharp-tensor\"><b>Tensor[2, 3]</b><pre>[[0.  0.5 1. ]\n [1.5 2.  2.5]]</pre></div>", tensor.ToDisplayString(HtmlFormatter.MimeType));
        Assert.Equal(tensor.ToString(), tensor.ToDisplayString(PlainTextFormatter.MimeType));
    }

    [Fact]
    public void History_Html_IsAnSvgOfTheLossCurves()
    {
        var history = new History();
        history.Add(new Dictionary<string, float> { ["loss"] = 1f, ["mae"] = 0.9f, ["val_loss"] = 1.2f, ["lr"] = 0.01f });
        history.Add(new Dictionary<string, float> { ["loss"] = 0.5f, ["mae"] = 0.6f, ["val_loss"] = 0.6f, ["lr"] = 0.01f });
        history.Add(new Dictionary<string, float> { ["loss"] = 0.25f, ["mae"] = 0.4f, ["val_loss"] = 0.5f, ["lr"] = 0.01f });
        var svg = history.ToDisplayString(HtmlFormatter.MimeType);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"280\"", svg, StringComparison.Ordinal);
        Assert.Equal(["loss", "val_loss"], HistoryChart.LossKeys(history));
        Assert.Equal(2, svg.Split("<polyline").Length - 1);
        // Plot 326 × 220 px from (64, 16); y from 0.25 (bottom) to 1.2 (top): y(v) = 16 + (1.2 − v)·220/0.95.
        Assert.Contains("stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"64.0,62.3 227.0,178.1 390.0,236.0\"", svg, StringComparison.Ordinal);
        Assert.Contains("points=\"64.0,16.0 227.0,154.9 390.0,178.1\"", svg, StringComparison.Ordinal);
        Assert.Contains(">val_loss</text>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain(">lr</text>", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", svg, StringComparison.Ordinal);
        Assert.Equal(string.Join(Environment.NewLine, "epoch  loss  mae  val_loss    lr", "    1     1  0.9       1.2  0.01", "    2   0.5  0.6       0.6  0.01", "    3  0.25  0.4       0.5  0.01"),
            history.ToDisplayString(PlainTextFormatter.MimeType));
    }
}
