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
    /// date), or is named like a time, becomes the time column unless one is named. A time column of two to four names
    /// joined by commas that the file has not as one column (<c>--date-columns year,month</c>) builds each row's date from
    /// them: year, month, then day and hour, written <c>yyyy-MM</c>, <c>yyyy-MM-dd</c> or <c>yyyy-MM-ddTHH:00:00</c>.
    /// </summary>
    /// <remarks>
    /// Rows with a gap are dropped here under <see cref="MissingPolicy.Drop"/>; interpolate and ffill leave NaN for
    /// <see cref="Fill"/>, which fills the training and test parts apart. With <paramref name="optionalTime"/> a named
    /// time column that the file lacks is ignored (a saved model's, when predicting from another file).
    /// </remarks>
    public static TimeSeries Read(string path, string? target, IReadOnlyList<string> features, string? timeColumn, MissingPolicy missing, bool optionalTime = false)
    {
        var table = CliCsv.Read(path);
        var dateParts = DateParts(table, timeColumn);
        if (string.IsNullOrEmpty(timeColumn) || (optionalTime && !table.Columns.Contains(timeColumn) && (dateParts is null || !dateParts.All(table.Columns.Contains))))
        {
            timeColumn = null;
            dateParts = null;
        }
        if (timeColumn is null && table.Columns.Count > 1 && (!LooksNumeric(table, 0) || TimeNames.Contains(table.Columns[0].ToLowerInvariant())))
            timeColumn = table.Columns[0];
        if (timeColumn is not null && dateParts is null) CliCsv.Column(table, timeColumn, "--time-column");
        bool IsTime(string c) => c == timeColumn || (dateParts?.Contains(c) ?? false);
        if (string.IsNullOrEmpty(target))
        {
            target = table.Columns.LastOrDefault(c => !IsTime(c))
                ?? throw new CliException($"{path}: the only column is the time column '{timeColumn}'; there is nothing to forecast.");
        }
        if (IsTime(target))
        {
            throw new CliException($"{path}: the target '{CliFiles.Quote(target)}' is also the time column; forecast another column (--target), " +
                "or name another time column (--time-column).");
        }
        var names = new List<string> { target };
        foreach (var f in features)
        {
            if (f == target) continue;
            if (IsTime(f)) throw new CliException($"--features names the time column '{f}'; it cannot be an input.");
            if (!names.Contains(f)) names.Add(f);
        }
        var columns = names.Select((n, i) => Numbers(table, n, i == 0 ? "--target" : "--features", missing)).ToArray();
        var times = timeColumn is null ? null : dateParts is null ? CliCsv.Strings(table, timeColumn, "--time-column") : Dates(table, dateParts);
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

    /// <summary>The names of a time column built from several (<c>year,month</c>), null for one the file has as it is (or none).</summary>
    static string[]? DateParts(CsvTable table, string? timeColumn)
    {
        if (string.IsNullOrEmpty(timeColumn) || table.Columns.Contains(timeColumn) || !timeColumn.Contains(',', StringComparison.Ordinal)) return null;
        var parts = timeColumn.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 4 || parts.Any(p => p.Length == 0))
            throw new CliException($"--date-columns takes 2 to 4 column names (year, month, then day and hour); received '{CliFiles.Quote(timeColumn)}'.");
        return parts;
    }

    /// <summary>Each row's date from its year, month, day and hour columns, as an ISO 8601 label; a field that is no such number is an error naming its line.</summary>
    static string[] Dates(CsvTable table, string[] parts)
    {
        var columns = parts.Select(p => (Index: CliCsv.Column(table, p, "--date-columns"), Text: table.Strings(p))).ToArray();
        string[] what = ["a year (1 to 9999)", "a month (1 to 12)", "a day of the month", "an hour (0 to 23)"];
        var format = parts.Length switch { 2 => "yyyy-MM", 3 => "yyyy-MM-dd", _ => "yyyy-MM-ddTHH:00:00" };
        var dates = new string[table.RowCount];
        var field = new int[4];
        for (var row = 0; row < dates.Length; row++)
        {
            field[2] = 1;
            field[3] = 0;
            for (var k = 0; k < parts.Length; k++)
            {
                var text = columns[k].Text[row];
                var ok = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out field[k]) && k switch
                {
                    0 => field[0] is >= 1 and <= 9999,
                    1 => field[1] is >= 1 and <= 12,
                    2 => field[2] >= 1 && field[2] <= DateTime.DaysInMonth(field[0], field[1]),
                    _ => field[3] is >= 0 and <= 23,
                };
                if (!ok)
                {
                    throw new CliException($"{table.Source}:{table.Line(row)}: column '{CliFiles.Quote(parts[k])}' (column {columns[k].Index + 1}) holds '{CliFiles.Quote(text)}', " +
                        $"which is not {what[k]} (--date-columns {string.Join(',', parts)}).");
                }
            }
            dates[row] = new DateTime(field[0], field[1], field[2], field[3], 0, 0).ToString(format, CultureInfo.InvariantCulture);
        }
        return dates;
    }

    static bool LooksNumeric(CsvTable table, int column) =>
        float.TryParse(table.Strings(table.Columns[column])[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
