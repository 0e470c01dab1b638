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
        var table = CsvTable.Read(path);
        if (string.IsNullOrEmpty(timeColumn) || (optionalTime && !table.Columns.Contains(timeColumn))) timeColumn = null;
        if (timeColumn is null && table.Columns.Count > 1 && (!LooksNumeric(table, 0) || TimeNames.Contains(table.Columns[0].ToLowerInvariant())))
            timeColumn = table.Columns[0];
        if (timeColumn is not null) table.Column(timeColumn, "--time-column");
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
        var allowMissing = missing != MissingPolicy.Error;
        var columns = names.Select((n, i) => table.Numbers(n, i == 0 ? "--target" : "--features", allowMissing)).ToArray();
        var times = timeColumn is null ? null : table.Strings(timeColumn, "--time-column");
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

    static bool LooksNumeric(CsvTable table, int column)
    {
        var values = table.Strings(table.Columns[column], "");
        return float.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }
}
