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

    static void Save(Plot plot, string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new CliException($"{path}: the folder {folder} does not exist.");
        plot.SavePng(path, 1000, 560);
    }
}
