// `lstm forecast detect`: anomalies as the rows a saved forecaster's one-step forecast missed by far more than usual,
// to CSV and a plot, scored against a label column when the file has one; and the in-sample CSV `predict --in-sample` writes.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Data;
using LstmSharp.Forecasting;
using LstmSharp.IO;
using nietras.SeparatedValues;

namespace LstmSharp.Cli.Commands;

internal static partial class ForecastCommand
{
    static Command Detect(CliHost host)
    {
        var data = new Argument<string>("data") { Description = "CSV file with the model's columns: every row after the history the model needs is checked." };
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm forecast train`.", DefaultValueFactory = _ => "forecast.safetensors" };
        var missing = new Option<string>("--missing") { Description = "Missing values: interpolate, ffill, drop or error (default: as the model was trained).", DefaultValueFactory = _ => "" };
        var method = new Option<string>("--method")
        {
            Description = "mad: the modified z-score of the one-step residuals (median and MAD); quantile: the residuals' largest share; " +
                "interval: outside the model's widest prediction interval (a model trained with --quantiles).",
            DefaultValueFactory = _ => "mad",
        };
        method.AcceptOnlyFromAmong("mad", "quantile", "interval");
        var threshold = new Option<double>("--threshold")
        {
            Description = "Flag rows scoring above this: a modified z-score (mad; default 3.5), the quantile of the residuals' deviations (quantile; default 0.99), " +
                "times the interval's half-width (interval; default 1). 0 = the method's default.",
            DefaultValueFactory = _ => 0,
        };
        var labels = new Option<string>("--label-column") { Description = "Column of known anomalies (1/0, true/false, yes/no) to score the flags against: precision, recall, F1 (default: none).", DefaultValueFactory = _ => "" };
        var keep = new Option<bool>("--keep-anomalies")
        {
            Description = "Forecast every row from the values as they are. By default a flagged value is replaced by its forecast in the history of the rows after it " +
                "and the rows checked again, so one anomaly does not flag the rows after it.",
        };
        var output = new Option<string>("--output", "-o") { Description = "CSV file of every row checked, with its forecast, residual, score and flag ('-' = stdout).", DefaultValueFactory = _ => "anomalies.csv" };
        var plot = new Option<string>("--plot") { Description = "PNG of the series with the flagged rows marked; '' for none.", DefaultValueFactory = _ => "anomalies.png" };
        var top = new Option<int>("--top") { Description = "Flagged rows listed, highest score first.", DefaultValueFactory = _ => 10 };
        var command = new Command("detect", "Flag the rows of a CSV file that a saved forecaster's one-step forecast missed by far more than usual (anomalies).")
        {
            data, model, missing, method, threshold, keep, labels, output, plot, top,
        };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var dataPath = r.GetValue(data)!;
            var modelPath = r.GetValue(model)!;
            var options = new AnomalyOptions
            {
                Method = r.GetValue(method) switch { "quantile" => AnomalyMethod.Quantile, "interval" => AnomalyMethod.Interval, _ => AnomalyMethod.Mad },
                Threshold = r.GetValue(threshold) is var t && t == 0 ? null : t,
                ReplaceFlagged = !r.GetValue(keep),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliException($"--threshold {r.GetValue(threshold).ToString(CultureInfo.InvariantCulture)}: {CliErrors.Message(e)}");
            }
            if (r.GetValue(top) < 0) throw new CliException($"--top must be 0 or more; received {r.GetValue(top)}.");
            var path = r.GetValue(output)!;
            var plotPath = r.GetValue(plot)!;
            if (path != "-") CliFiles.CheckOutput(path, "--output", dataPath, modelPath);
            if (plotPath.Length > 0) CliFiles.CheckOutput(plotPath, "--plot", dataPath, modelPath);
            var (forecaster, series) = OpenOne(modelPath, dataPath, r.GetValue(missing)!, "detect");
            if (options.Method == AnomalyMethod.Interval && forecaster.Options.Quantiles.Count == 0)
                throw new CliException($"{modelPath}: --method interval needs a model trained with --quantiles; this one makes point forecasts. Use --method mad, or retrain with --quantiles.");
            var labelColumn = r.GetValue(labels)!;
            var known = labelColumn.Length == 0 ? null : Labels(dataPath, labelColumn, series);
            SeriesCsv.Fill(dataPath, series, series.Rows);
            if (series.Rows <= forecaster.HistoryNeeded)
                throw new CliException($"{dataPath}: too few rows: the model needs {forecaster.HistoryNeeded} rows of history before the first row it checks; the file has {series.Rows}.");
            terminal.Settings("forecast detect", [("model", CliFiles.Show(modelPath)), ("data", $"{CliFiles.Show(dataPath)} ({series.Rows} rows)"), ("target", series.Names[0]),
                ("missing", $"{SeriesCsv.PolicyName(series.Policy)} ({series.Repaired})"), ("method", r.GetValue(method)), ("threshold", options.EffectiveThreshold),
                ("labels", labelColumn.Length == 0 ? "none" : labelColumn), ("output", CliFiles.Show(path)), ("plot", plotPath.Length == 0 ? "none" : CliFiles.Show(plotPath))]);

            var detection = AnomalyDetection.Run(forecaster, series.Columns, options, CalendarDates(dataPath, series, forecaster.Options));
            var inSample = detection.Forecast;
            var flagged = detection.FlaggedRows.ToArray();
            var cutoff = options.Method == AnomalyMethod.Quantile ? $" (|residual − median| above {Terminal.F(detection.Cutoff)})" : "";
            terminal.Line($"Flagged {flagged.Length} of the {inSample.Count} rows checked ({100.0 * flagged.Length / inSample.Count:F2}%){cutoff}; rows 1–{inSample.FirstRow} are the model's history" +
                (detection.Passes > 1 ? $"; {detection.Passes} passes, the flagged values replaced by their forecasts in the history of the rows after them." : "."));
            if (flagged.Length > 0 && r.GetValue(top) > 0)
            {
                terminal.Results($"flagged rows (highest score first{(flagged.Length > r.GetValue(top) ? $", {r.GetValue(top)} of {flagged.Length}" : "")})",
                    ["row", .. series.TimeColumn is null ? Array.Empty<string>() : [series.TimeColumn!], series.Names[0], "forecast", "residual", "score"],
                    flagged.OrderByDescending(row => detection.Scores[row - inSample.FirstRow]).Take(r.GetValue(top)).Select(row =>
                    {
                        var i = row - inSample.FirstRow;
                        return (IReadOnlyList<string>)[(row + 1).ToString(CultureInfo.InvariantCulture), .. series.TimeColumn is null ? Array.Empty<string>() : [series.Times[row]],
                            Terminal.Format(inSample.Actual[i]), Terminal.Format(inSample.Forecast[i]), Terminal.Format(inSample.Residual[i]), Terminal.F(detection.Scores[i])];
                    }));
            }

            var result = new JsonObject
            {
                ["command"] = "forecast detect", ["target"] = series.Names[0], ["method"] = r.GetValue(method), ["threshold"] = options.EffectiveThreshold, ["cutoff"] = detection.Cutoff,
                ["rows_checked"] = inSample.Count, ["first_row"] = inSample.FirstRow + 1, ["flagged"] = flagged.Length, ["passes"] = detection.Passes,
                ["flagged_rows"] = new JsonArray([.. flagged.Select(row => (JsonNode?)(row + 1))]),
            };
            if (known is not null)
            {
                var scores = detection.Score(known);
                // The same rule on the values themselves, no forecaster: what the residuals have to beat.
                var baseline = BaselineFlags(series.Columns[0], inSample.FirstRow, options, flagged.Length);
                var level = AnomalyScores.Compute(baseline, known.AsSpan(inSample.FirstRow));
                terminal.Results($"against '{labelColumn}' ({known.Skip(inSample.FirstRow).Count(k => k)} labelled anomalies in the rows checked)",
                    ["flags", "precision", "recall", "F1", "TP", "FP", "FN"],
                    [Row("LSTM residuals", scores), Row(options.Method switch
                    {
                        AnomalyMethod.Interval => "values (modified z > 3.5, no model)", AnomalyMethod.Quantile => "values (as many, farthest from the median)", _ => "values (same rule, no model)",
                    }, level)]);
                result["labels"] = new JsonObject { ["column"] = labelColumn, ["lstm"] = ScoresJson(scores), ["values_baseline"] = ScoresJson(level) };
            }
            WriteRows(path, series, inSample, terminal, detection, known);
            if (plotPath.Length > 0)
            {
                Plots.Save(DetectPlot(series, detection, known), plotPath);
                terminal.Line($"Wrote {plotPath}.");
            }
            terminal.Json(result);
            return 0;
        }));
        return command;

        static IReadOnlyList<string> Row(string name, AnomalyScores s) =>
            [name, Terminal.F(s.Precision), Terminal.F(s.Recall), Terminal.F(s.F1), s.TruePositives.ToString(CultureInfo.InvariantCulture),
                s.FalsePositives.ToString(CultureInfo.InvariantCulture), s.FalseNegatives.ToString(CultureInfo.InvariantCulture)];

        static JsonObject ScoresJson(AnomalyScores s) => new()
        {
            ["precision"] = s.Precision, ["recall"] = s.Recall, ["f1"] = s.F1, ["tp"] = s.TruePositives, ["fp"] = s.FalsePositives, ["fn"] = s.FalseNegatives,
        };
    }

    /// <summary>
    /// The detection rule applied to the target's own values over the rows checked: their modified z-score above the
    /// threshold (the interval method: above 3.5), or for the quantile method as many rows as it flagged, those farthest from the median.
    /// </summary>
    static bool[] BaselineFlags(float[] y, int first, AnomalyOptions options, int flaggedCount)
    {
        var values = y.Skip(first).Select(v => (double)v).ToArray();
        var (scores, _, _) = AnomalyDetection.ModifiedZScores(values);
        if (options.Method == AnomalyMethod.Quantile)
        {
            var farthest = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(flaggedCount).ToHashSet();
            return [.. Enumerable.Range(0, scores.Length).Select(farthest.Contains)];
        }
        var threshold = options.Method == AnomalyMethod.Mad ? options.EffectiveThreshold : new AnomalyOptions().EffectiveThreshold;
        return [.. scores.Select(s => s > threshold)];
    }

    /// <summary>The label column as flags, one per row of the series; a value that is no flag is an error naming its line.</summary>
    static bool[] Labels(string path, string column, TimeSeries series)
    {
        var table = CliCsv.Read(path);
        var text = CliCsv.Strings(table, column, "--label-column");
        if (text.Length != series.Rows)
        {
            throw new CliException($"{path}: --label-column needs one label per row, and --missing drop dropped {text.Length - series.Rows} row(s) with gaps; " +
                "choose --missing interpolate or ffill.");
        }
        var labels = new bool[text.Length];
        for (var row = 0; row < text.Length; row++)
        {
            labels[row] = text[row].Trim().ToLowerInvariant() switch
            {
                "1" or "true" or "yes" => true,
                "0" or "false" or "no" => false,
                var other => throw new CliException($"{table.Source}:{table.Line(row)}: column '{CliFiles.Quote(column)}' (--label-column) holds '{CliFiles.Quote(other)}'; " +
                    "labels are 1/0, true/false or yes/no."),
            };
        }
        return labels;
    }

    /// <summary>
    /// The rows checked as CSV (atomically, or to stdout for '-'): row, time, target, forecast, residual, the quantiles
    /// of a quantile model, and for a detection its score, flag and the label.
    /// </summary>
    static void WriteRows(string path, TimeSeries series, InSampleForecast inSample, Terminal terminal, AnomalyDetection? detection = null, bool[]? labels = null)
    {
        var text = new StringWriter();
        using (var writer = Sep.New(',').Writer().To(text)) AppendRows(writer, null, series.Names[0], series, inSample, detection, labels);
        WriteText(path, text.ToString(), terminal, $"{inSample.Count} rows");
    }

    /// <summary>
    /// A row per in-sample forecast: row number, time, actual value (under <paramref name="target"/>), forecast, residual,
    /// quantiles, and with a detection its score and flag (and the label); first the series id under its column when given.
    /// </summary>
    static void AppendRows(SepWriter writer, (string Column, string Id)? series, string target, TimeSeries rows, InSampleForecast inSample,
        AnomalyDetection? detection = null, bool[]? labels = null)
    {
        for (var i = 0; i < inSample.Count; i++)
        {
            var r = inSample.FirstRow + i;
            using var row = writer.NewRow();
            if (series is var (column, id)) row[column].Set(id);
            row["row"].Format(r + 1);
            if (rows.TimeColumn is not null) row[rows.TimeColumn].Set(rows.Times[r]);
            row[target].Format(inSample.Actual[i]);
            row["forecast"].Format(inSample.Forecast[i]);
            row["residual"].Format(inSample.Residual[i]);
            for (var j = 0; j < inSample.QuantileLevels.Count; j++) row[QuantileColumn(inSample.QuantileLevels[j])].Format(inSample.Quantiles![i][j]);
            if (detection is null) continue;
            row["score"].Format(detection.Scores[i]);
            row["anomaly"].Format(detection.Flagged[i] ? 1 : 0);
            if (labels is not null) row["label"].Format(labels[r] ? 1 : 0);
        }
    }

    /// <summary>CSV text to <paramref name="path"/> atomically (an existing file is replaced only once the new one is complete), or to stdout for '-'.</summary>
    static void WriteText(string path, string text, Terminal terminal, string what)
    {
        if (path == "-")
        {
            terminal.Human.Write(new Spectre.Console.Text(text));
            return;
        }
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });
        terminal.Line($"Wrote {what} to {path}.");
    }

    /// <summary>The series and its one-step forecasts, flagged rows marked in red and labelled ones ringed.</summary>
    internal static ScottPlot.Plot DetectPlot(TimeSeries series, AnomalyDetection detection, bool[]? labels)
    {
        var inSample = detection.Forecast;
        var dates = series.TimeColumn is null ? null : Plots.Dates(series.Times);
        double X(int row) => dates is null ? row + 1 : dates[row].ToOADate();
        var rows = Enumerable.Range(inSample.FirstRow, inSample.Count).ToArray();
        var plot = Plots.Lines($"{series.Names[0]}: rows the one-step forecast missed", dates is not null ? series.TimeColumn! : "row", series.Names[0],
            [(series.Names[0], [.. rows.Select(X)], [.. inSample.Actual.Select(v => (double)v)]), ("one-step forecast", [.. rows.Select(X)], [.. inSample.Forecast.Select(v => (double)v)])],
            dates: dates is not null);
        foreach (var line in plot.GetPlottables<ScottPlot.Plottables.Scatter>())
        {
            line.LineWidth = 1;
            line.MarkerSize = 0;
        }
        var flagged = detection.FlaggedRows.ToArray();
        if (flagged.Length > 0)
        {
            var marks = plot.Add.ScatterPoints(flagged.Select(X).ToArray(), flagged.Select(r => (double)series.Columns[0][r]).ToArray(), ScottPlot.Colors.Red);
            marks.MarkerSize = 7;
            marks.LegendText = $"flagged ({flagged.Length})";
        }
        var labelled = labels is null ? [] : rows.Where(r => labels[r]).ToArray();
        if (labelled.Length > 0)
        {
            var rings = plot.Add.ScatterPoints(labelled.Select(X).ToArray(), labelled.Select(r => (double)series.Columns[0][r]).ToArray(), ScottPlot.Colors.Black);
            rings.MarkerShape = ScottPlot.MarkerShape.OpenCircle;
            rings.MarkerSize = 12;
            rings.LegendText = $"labelled ({labelled.Length})";
        }
        return plot;
    }
}
