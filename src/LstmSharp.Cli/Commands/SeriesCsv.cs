// SeriesCsv: a CSV file read into the library's TimeSeries for the forecasting commands — the target first, then the
// features, the time column named or guessed, missing values as --missing says — with errors naming file, line and flag.
using System.Globalization;
using LstmSharp.Data;
using LstmSharp.Forecasting;

namespace LstmSharp.Cli.Commands;

internal static class SeriesCsv
{
    static readonly string[] TimeNames = ["date", "time", "timestamp", "datetime", "day", "week", "month", "year", "period", "ds"];

    public static MissingPolicy ParsePolicy(string text) => text switch
    {
        "interpolate" => MissingPolicy.Interpolate,
        "ffill" => MissingPolicy.ForwardFill,
        "drop" => MissingPolicy.Drop,
        "error" => MissingPolicy.Error,
        _ => throw new CliException($"--missing must be interpolate, ffill, drop or error; received '{text}'."),
    };

    public static string PolicyName(MissingPolicy policy) => policy switch
    {
        MissingPolicy.Interpolate => "interpolate",
        MissingPolicy.ForwardFill => "ffill",
        MissingPolicy.Drop => "drop",
        _ => "error",
    };

    /// <summary>
    /// Reads <paramref name="path"/>. The target defaults to the last column but the time column; a first column that is not numeric (a
    /// date), or is named like a time, becomes the time column unless one is named.
    /// </summary>
    /// <remarks>
    /// Rows with a gap are dropped here under <see cref="MissingPolicy.Drop"/>; interpolate and ffill leave NaN for
    /// <see cref="Fill"/>, which fills the training and test parts apart. With <paramref name="optionalTime"/> a named
    /// time column that the file lacks is ignored (a saved model's, when predicting from another file).
    /// </remarks>
    public static TimeSeries Read(string path, string? target, IReadOnlyList<string> features, string? timeColumn, MissingPolicy missing, bool optionalTime = false)
    {
        var table = CliCsv.Read(path);
        if (string.IsNullOrEmpty(timeColumn) || (optionalTime && !table.Columns.Contains(timeColumn))) timeColumn = null;
        if (timeColumn is null && table.Columns.Count > 1 && (!LooksNumeric(table, 0) || TimeNames.Contains(table.Columns[0].ToLowerInvariant())))
            timeColumn = table.Columns[0];
        if (timeColumn is not null) CliCsv.Column(table, timeColumn, "--time-column");
        if (string.IsNullOrEmpty(target))
        {
            target = table.Columns.LastOrDefault(c => c != timeColumn)
                ?? throw new CliException($"{path}: the only column is the time column '{timeColumn}'; there is nothing to forecast.");
        }
        if (target == timeColumn)
        {
            throw new CliException($"{path}: the target '{CliFiles.Quote(target)}' is also the time column; forecast another column (--target), " +
                "or name another time column (--time-column).");
        }
        var names = new List<string> { target };
        foreach (var f in features)
        {
            if (f == target) continue;
            if (f == timeColumn) throw new CliException($"--features names the time column '{f}'; it cannot be an input.");
            if (!names.Contains(f)) names.Add(f);
        }
        var columns = names.Select((n, i) => Numbers(table, n, i == 0 ? "--target" : "--features", missing)).ToArray();
        var times = timeColumn is null ? null : CliCsv.Strings(table, timeColumn, "--time-column");
        try
        {
            return TimeSeries.Create(names, columns, missing, timeColumn, times);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{path}: {CliErrors.Message(e)}");
        }
    }

    /// <summary><see cref="TimeSeries.Fill"/>, its error naming the file.</summary>
    public static void Fill(string path, TimeSeries series, int testStart)
    {
        try
        {
            series.Fill(testStart);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{path}: {CliErrors.Message(e)}");
        }
    }

    /// <summary>
    /// Column <paramref name="name"/> (given by <paramref name="option"/>) as numbers, missing values NaN; under
    /// <see cref="MissingPolicy.Error"/> the first missing one is an error naming its line.
    /// </summary>
    static float[] Numbers(CsvTable table, string name, string option, MissingPolicy missing)
    {
        var c = CliCsv.Column(table, name, option);
        var values = table.Numbers(name);
        var gap = missing == MissingPolicy.Error ? Array.FindIndex(values, float.IsNaN) : -1;
        if (gap >= 0)
        {
            throw new CliException($"{table.Source}:{table.Line(gap)}: column '{CliFiles.Quote(name)}' (column {c + 1}) is missing ('{table.Strings(name)[gap]}'); " +
                "choose --missing interpolate, ffill or drop.");
        }
        return values;
    }

    static bool LooksNumeric(CsvTable table, int column) =>
        float.TryParse(table.Strings(table.Columns[column])[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
