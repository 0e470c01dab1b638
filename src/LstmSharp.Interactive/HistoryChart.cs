// HistoryChart: a History's loss curves (loss, val_loss and each output's) as a small inline SVG — epochs across,
// values up, a colour and a legend entry per curve — with no script or stylesheet, and the per-epoch table as text.
using System.Globalization;
using System.Text;

namespace LstmSharp.Interactive;

/// <summary>The chart and table a notebook shows for a <see cref="History"/>.</summary>
public static class HistoryChart
{
    const int Width = 520, Height = 280;
    const int Left = 64, Right = 130, Top = 16, Bottom = 44;
    static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    /// <summary>The logged names that are losses (<c>loss</c>, <c>val_loss</c>, <c>{output}_loss</c>…), in log order.</summary>
    public static IReadOnlyList<string> LossKeys(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return [.. history.Keys.Where(k => k.EndsWith("loss", StringComparison.Ordinal))];
    }

    /// <summary>
    /// An SVG (<paramref name="history"/>'s loss curves against the epoch, 520 × 280): one polyline and one dot per
    /// finite value for each loss, the y axis from the smallest to the largest value, a legend on the right.
    /// </summary>
    public static string Svg(History history)
    {
        var keys = LossKeys(history);
        var values = keys.SelectMany(k => history[k]).Where(float.IsFinite).ToArray();
        double low = values.Length == 0 ? 0 : values.Min(), high = values.Length == 0 ? 1 : values.Max();
        if (high - low < 1e-12) (low, high) = (low - 0.5, high + 0.5);
        int plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        var epochs = Math.Max(history.Epochs, 1);
        double X(int epoch) => Left + (epochs == 1 ? plotWidth / 2.0 : (epoch - 1) * plotWidth / (double)(epochs - 1));
        double Y(double value) => Top + (high - value) * plotHeight / (high - low);
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">"));
        svg.Append(Invariant($"<title>{NotebookFormatters.Encode(string.Join(", ", keys))} per epoch</title>"));
        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#999\"/>"));
        foreach (var (value, anchor) in new[] { (high, "hanging"), ((low + high) / 2, "middle"), (low, "auto") })
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{Y(value):F1}\" text-anchor=\"end\" dominant-baseline=\"{anchor}\">{Number(value)}</text>"));
        svg.Append(Invariant($"<text x=\"{Left}\" y=\"{Top + plotHeight + 14}\" text-anchor=\"start\">1</text>"));
        if (epochs > 1) svg.Append(Invariant($"<text x=\"{Left + plotWidth}\" y=\"{Top + plotHeight + 14}\" text-anchor=\"end\">{epochs}</text>"));
        svg.Append(Invariant($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">epoch</text>"));
        for (var k = 0; k < keys.Count; k++)
        {
            var colour = Colours[k % Colours.Length];
            var points = history[keys[k]].Select((v, e) => (Epoch: e + 1, Value: (double)v)).Where(p => double.IsFinite(p.Value)).ToArray();
            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points.Select(p => Invariant($"{X(p.Epoch):F1},{Y(p.Value):F1}")))}\"/>"));
            foreach (var (epoch, value) in points)
                svg.Append(Invariant($"<circle cx=\"{X(epoch):F1}\" cy=\"{Y(value):F1}\" r=\"2.5\" fill=\"{colour}\"><title>epoch {epoch}: {Number(value)}</title></circle>"));
            var legendY = Top + 8 + k * 16;
            svg.Append(Invariant($"<line x1=\"{Width - Right + 12}\" y1=\"{legendY}\" x2=\"{Width - Right + 30}\" y2=\"{legendY}\" stroke=\"{colour}\" stroke-width=\"2\"/>"));
            svg.Append(Invariant($"<text x=\"{Width - Right + 36}\" y=\"{legendY}\" dominant-baseline=\"middle\">{NotebookFormatters.Encode(keys[k])}</text>"));
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The per-epoch table as text: an <c>epoch</c> column, then every logged value with 4 significant decimals.</summary>
    public static string Text(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var keys = history.Keys.ToArray();
        List<string[]> rows = [["epoch", .. keys]];
        for (var e = 0; e < history.Epochs; e++)
            rows.Add([(e + 1).ToString(CultureInfo.InvariantCulture), .. keys.Select(k => Number(history[k][e]))]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Join(Environment.NewLine, rows.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadLeft(widths[c]))).TrimEnd()));
    }

    static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
