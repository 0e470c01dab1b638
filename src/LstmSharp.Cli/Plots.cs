// Plots: the PNG pictures the commands write — series against forecasts, and loss curves — with ScottPlot.
using ScottPlot;

namespace LstmSharp.Cli;

internal static class Plots
{
    /// <summary>A line for each named series (x positions, values); markers when a series is short.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IEnumerable<(string Name, double[] X, double[] Y)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var i = 0;
        foreach (var (name, x, y) in series)
        {
            if (x.Length == 0) continue;
            var line = plot.Add.Scatter(x, y, palette.GetColor(i++));
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = x.Length <= 60 ? 4 : 0;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, path);
    }

    /// <summary>Training and validation loss per epoch.</summary>
    public static void Loss(string path, string title, History history)
    {
        var epochs = Enumerable.Range(1, history.Epochs).Select(e => (double)e).ToArray();
        var series = new List<(string, double[], double[])> { ("training loss", epochs, [.. history.Loss.Select(v => (double)v)]) };
        if (history.ValidationLoss.Count > 0) series.Add(("validation loss", epochs, [.. history.ValidationLoss.Select(v => (double)v)]));
        Lines(path, title, "epoch", "loss", series);
    }

    /// <summary>
    /// Attention weights <c>[output, source]</c> as a heatmap: one cell per output token (rows, top to bottom) and
    /// source token (columns, left to right), darker for less weight, each axis labelled with its tokens.
    /// </summary>
    public static void Heatmap(string path, string title, IReadOnlyList<string> sourceTokens, IReadOnlyList<string> outputTokens, float[,] weights)
    {
        var plot = new Plot();
        var colormap = new ScottPlot.Colormaps.Viridis();
        int rows = outputTokens.Count, columns = sourceTokens.Count;
        for (var t = 0; t < rows; t++)
            for (var s = 0; s < columns; s++)
            {
                // Row t is drawn at y = rows − 1 − t, so the first output token is at the top.
                var cell = plot.Add.Rectangle(s - 0.5, s + 0.5, rows - 1.5 - t, rows - 0.5 - t);
                cell.FillColor = colormap.GetColor(Math.Clamp(weights[t, s], 0f, 1f));
                cell.LineWidth = 0;
            }
        var x = new ScottPlot.TickGenerators.NumericManual();
        for (var s = 0; s < columns; s++) x.AddMajor(s, sourceTokens[s]);
        var y = new ScottPlot.TickGenerators.NumericManual();
        for (var t = 0; t < rows; t++) y.AddMajor(rows - 1 - t, outputTokens[t]);
        plot.Axes.Bottom.TickGenerator = x;
        plot.Axes.Left.TickGenerator = y;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Title(title);
        plot.XLabel("source");
        plot.YLabel("output");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new CliException($"{path}: the folder {folder} does not exist.");
        plot.SavePng(path, Math.Clamp(200 + 28 * columns, 400, 2400), Math.Clamp(160 + 28 * rows, 300, 2400));
    }

    static void Save(Plot plot, string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new CliException($"{path}: the folder {folder} does not exist.");
        plot.SavePng(path, 1000, 560);
    }
}
