// Plots: the PNG pictures the commands write — series against forecasts (dates on the x axis when the rows have
// them), loss curves with the kept epoch marked, attention heatmaps — built as ScottPlot models (which the tests
// read) and saved atomically.
using System.Globalization;
using ScottPlot;

namespace LstmSharp.Cli;

internal static class Plots
{
    /// <summary>Date formats a time column may use (others are tried with the invariant culture's rules).</summary>
    static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-MM", "yyyyMMdd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy/MM/dd", "yyyy"];

    /// <summary>
    /// A line for each named series (x positions, values; NaN breaks a line); markers when a series is short. With
    /// <paramref name="dates"/> the x values are OLE automation dates and the axis shows dates.
    /// </summary>
    public static Plot Lines(string title, string xLabel, string yLabel, IEnumerable<(string Name, double[] X, double[] Y)> series, bool dates = false)
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
        if (dates) plot.Axes.DateTimeTicksBottom();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>
    /// Each row's time as a date, when every label of the time column reads as one and they rise strictly; null
    /// otherwise (no time column, a year repeated on each month's row, labels that are not dates).
    /// </summary>
    public static DateTime[]? Dates(IReadOnlyList<string> times)
    {
        if (times.Count == 0) return null;
        var dates = new DateTime[times.Count];
        for (var i = 0; i < times.Count; i++)
        {
            var text = times[i].Trim();
            if (!DateTime.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out dates[i])
                && !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out dates[i]))
                return null;
            if (i > 0 && dates[i] <= dates[i - 1]) return null;
        }
        return dates;
    }

    /// <summary>
    /// Training and validation loss per epoch (and each batch's, when the run kept them) in the watch's units, a dashed
    /// line at the kept epoch, and an x axis from the first to the last epoch with a tick per epoch when there are few.
    /// </summary>
    public static Plot Loss(TrainingOutcome outcome)
    {
        var watch = outcome.Watch;
        var scale = watch.LossScale;
        var epochs = outcome.Epochs;
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        double[] Values(string key) => [.. epochs.Select(e => e.Logs.TryGetValue(key, out var v) ? v * scale : double.NaN)];
        var series = new List<(string, double[], double[])>();
        if (outcome.Batches.Count > 0)
        {
            // Batch k of an epoch's n sits at epoch − 1 + (k + 1)/n: the epoch's mean is drawn at its end.
            var bx = new double[outcome.Batches.Count];
            var by = new double[outcome.Batches.Count];
            var start = 0;
            while (start < bx.Length)
            {
                var epoch = outcome.Batches[start].Epoch;
                var end = start;
                while (end < bx.Length && outcome.Batches[end].Epoch == epoch) end++;
                for (var k = start; k < end; k++)
                {
                    bx[k] = epoch - 1 + (double)(k - start + 1) / (end - start);
                    by[k] = outcome.Batches[k].Loss * scale;
                }
                start = end;
            }
            series.Add(("training, each batch", bx, by));
        }
        series.Add(("training (epoch mean)", x, Values("loss")));
        if (epochs.Count > 0 && epochs[0].Logs.ContainsKey("val_loss")) series.Add(("validation", x, Values("val_loss")));
        var plot = Lines(watch.LossTitle, "epoch", watch.LossAxis, series);
        if (outcome.Batches.Count > 0)
        {
            var batches = (ScottPlot.Plottables.Scatter)plot.GetPlottables().First();
            batches.LineWidth = 1;
            batches.MarkerSize = 0;
        }
        var values = series.SelectMany(s => s.Item3).Where(double.IsFinite).ToArray();
        var first = epochs.Count > 0 ? epochs[0].Epoch : 1;
        var last = Math.Max(first, epochs.Count > 0 ? epochs[^1].Epoch : 1);
        if (epochs.Count > 0)
        {
            var kept = plot.Add.VerticalLine(epochs[outcome.KeptEpoch - 1].Epoch);
            kept.LegendText = $"kept: epoch {epochs[outcome.KeptEpoch - 1].Epoch}";
            kept.LinePattern = LinePattern.Dashed;
            kept.LineWidth = 1;
            kept.Color = Colors.Gray;
        }
        // A short run gets a tick per epoch and half an epoch of room either side, not a fractional axis around two dots.
        var left = outcome.Batches.Count > 0 ? first - 1 : first - 0.5;
        plot.Axes.SetLimitsX(left, last + 0.5);
        if (last - first < 10)
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (var e = (int)Math.Ceiling(left); e <= last; e++) ticks.AddMajor(e, e.ToString(CultureInfo.InvariantCulture));
            plot.Axes.Bottom.TickGenerator = ticks;
        }
        if (values.Length > 0)
        {
            double low = values.Min(), high = values.Max();
            var room = high > low ? 0.08 * (high - low) : Math.Max(Math.Abs(high) * 0.1, 1e-3);
            plot.Axes.SetLimitsY(low - room, high + room);
        }
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
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
        Save(plot, path, Math.Clamp(200 + 28 * columns, 400, 2400), Math.Clamp(160 + 28 * rows, 300, 2400));
    }

    /// <summary>
    /// Writes <paramref name="plot"/> as a PNG: to a temporary file in the same folder, then renamed over
    /// <paramref name="path"/>, so a viewer (or a refresh each epoch) never sees half a picture.
    /// </summary>
    public static void Save(Plot plot, string path, int width = 1000, int height = 560)
    {
        var full = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new CliException($"{path}: the folder {folder} does not exist.");
        var temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileNameWithoutExtension(full)}-{Guid.NewGuid():N}.tmp.png");
        try
        {
            plot.SavePng(temporary, width, height);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
