// SeriesCsv: a CSV file read into the library's TimeSeries for the forecasting commands — the target first, then the
// features, the time column named or guessed, missing values as --missing says — with errors naming file, line and flag.
using System.Globalization;
using LstmSharp.Data;
using LstmSharp.Forecasting;

namespace LstmSharp.Cli.Commands;

/// <summary>
/// One series read from a file: its id (null for the only one), its rows, and for a forecaster with future inputs their
/// values in the rows after the series' last target value (one array per future input, empty without such rows).
/// </summary>
internal sealed record SeriesRead(string? Id, TimeSeries Series, float[][] Future)
{
    public void Deconstruct(out string? id, out TimeSeries series) => (id, series) = (Id, Series);
}

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
    /// Reads <paramref name="path"/> as one series. The target defaults to the last column but the time column; a first column that is not numeric (a
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
        => ReadAll(path, string.IsNullOrEmpty(target) ? [] : [target], features, timeColumn, missing, null, optionalTime: optionalTime)[0].Series;

    /// <summary>
    /// Reads <paramref name="path"/> as <see cref="Read"/> does, as one series or as several: in long format, one series
    /// per distinct value of <paramref name="seriesColumn"/> (its rows in file order, the series in order of first
    /// appearance); in wide format, one series per column of <paramref name="targets"/>, each with the same features.
    /// The id is null for one series (no series column, at most one target). With <paramref name="futureInputs"/>, the
    /// last that many <paramref name="features"/> are known in the future: a series' last rows may leave the target
    /// empty and give only their values (for the steps forecast after the data); those rows are cut off the series and
    /// returned as <see cref="SeriesRead.Future"/>.
    /// </summary>
    public static IReadOnlyList<SeriesRead> ReadAll(string path, IReadOnlyList<string> targets, IReadOnlyList<string> features, string? timeColumn,
        MissingPolicy missing, string? seriesColumn, int futureInputs = 0, bool optionalTime = false)
    {
        if (seriesColumn is { Length: 0 }) seriesColumn = null;
        if (seriesColumn is not null && targets.Count > 1)
        {
            throw new CliException($"Give --series-column (long format: one value column, a row per series and time) or several --target columns (wide format: a column per series), " +
                $"not both; received --series-column {seriesColumn} and --target {string.Join(',', targets)}.");
        }
        var table = CliCsv.Read(path);
        if (seriesColumn is not null) CliCsv.Column(table, seriesColumn, "--series-column");
        var dateParts = DateParts(table, timeColumn);
        if (string.IsNullOrEmpty(timeColumn) || (optionalTime && !table.Columns.Contains(timeColumn) && (dateParts is null || !dateParts.All(table.Columns.Contains))))
        {
            timeColumn = null;
            dateParts = null;
        }
        // The time column guessed from the first column that is not the series ids.
        var first = Enumerable.Range(0, table.Columns.Count).FirstOrDefault(c => table.Columns[c] != seriesColumn, -1);
        if (timeColumn is null && first >= 0 && table.Columns.Count > (seriesColumn is null ? 1 : 2)
            && (!LooksNumeric(table, first) || TimeNames.Contains(table.Columns[first].ToLowerInvariant())))
            timeColumn = table.Columns[first];
        if (timeColumn is not null && dateParts is null) CliCsv.Column(table, timeColumn, "--time-column");
        if (timeColumn is not null && timeColumn == seriesColumn)
            throw new CliException($"--series-column {seriesColumn} is also the time column; the series ids and the times must be two columns.");
        bool IsTime(string c) => c == timeColumn || (dateParts?.Contains(c) ?? false);
        if (targets.Count == 0)
        {
            targets = [table.Columns.LastOrDefault(c => !IsTime(c) && c != seriesColumn)
                ?? throw new CliException($"{path}: the only column is the time column '{timeColumn}'; there is nothing to forecast.")];
        }
        foreach (var target in targets)
        {
            if (IsTime(target))
            {
                throw new CliException($"{path}: the target '{CliFiles.Quote(target)}' is also the time column; forecast another column (--target), " +
                    "or name another time column (--time-column).");
            }
            if (target == seriesColumn) throw new CliException($"{path}: the target '{CliFiles.Quote(target)}' is also the --series-column; it holds the series ids.");
        }
        var inputs = new List<string>();
        foreach (var f in features)
        {
            if (targets.Contains(f)) continue;
            if (IsTime(f)) throw new CliException($"--features names the time column '{f}'; it cannot be an input.");
            if (f == seriesColumn) throw new CliException($"--features names the --series-column '{f}'; it holds the series ids, not an input.");
            if (!inputs.Contains(f)) inputs.Add(f);
        }
        string Option(string n) => targets.Contains(n) ? "--target" : inputs.IndexOf(n) >= inputs.Count - futureInputs ? "--future-features" : "--features";
        var values = targets.Concat(inputs).Distinct().ToDictionary(n => n, n =>
        {
            CliCsv.Column(table, n, Option(n));
            return table.Numbers(n);
        });
        var times = timeColumn is null ? null : dateParts is null ? CliCsv.Strings(table, timeColumn, "--time-column") : Dates(table, dateParts);
        var futures = inputs.Skip(inputs.Count - futureInputs).ToArray();
        SeriesRead Create(string? id, string target, int[] rows)
        {
            string[] names = [target, .. inputs];
            var end = rows.Length;
            if (futureInputs > 0)
            {
                while (end > 0 && float.IsNaN(values[target][rows[end - 1]])) end--;
                foreach (var f in futures)
                {
                    foreach (var r in rows[end..])
                    {
                        if (float.IsNaN(values[f][r]))
                        {
                            throw new CliException($"{table.Source}:{table.Line(r)}: column '{CliFiles.Quote(f)}' (column {CliCsv.Column(table, f, "--future-features") + 1}) is empty in a row after " +
                                $"the last '{CliFiles.Quote(target)}' value; such rows give the future inputs' values for the steps forecast after the data.");
                        }
                    }
                }
            }
            var kept = rows[..end];
            if (missing == MissingPolicy.Error) foreach (var n in names) CheckGaps(table, n, Option(n), values[n], kept);
            T[] Pick<T>(T[] all) => [.. kept.Select(r => all[r])];
            try
            {
                return new SeriesRead(id, TimeSeries.Create(names, [.. names.Select(n => Pick(values[n]))], missing, timeColumn, times is null ? null : Pick(times)),
                    [.. futures.Select(f => rows[end..].Select(r => values[f][r]).ToArray())]);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"{path}: {(id is null ? "" : $"series '{CliFiles.Quote(id)}': ")}{CliErrors.Message(e)}");
            }
        }
        if (seriesColumn is not null)
        {
            var ids = CliCsv.Strings(table, seriesColumn, "--series-column");
            var empty = Array.FindIndex(ids, id => id.Trim().Length == 0);
            if (empty >= 0)
            {
                throw new CliException($"{table.Source}:{table.Line(empty)}: column '{CliFiles.Quote(seriesColumn)}' (column {CliCsv.Column(table, seriesColumn, "--series-column") + 1}) is empty; " +
                    "every row needs the id of its series (--series-column).");
            }
            return [.. Enumerable.Range(0, ids.Length).GroupBy(r => ids[r], StringComparer.Ordinal).Select(g => Create(g.Key, targets[0], [.. g]))];
        }
        var all = Enumerable.Range(0, table.RowCount).ToArray();
        return targets.Count == 1 ? [Create(null, targets[0], all)] : [.. targets.Select(t => Create(t, t, all))];
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
    /// Under <see cref="MissingPolicy.Error"/>: the first of <paramref name="rows"/> where column <paramref name="name"/>
    /// (given by <paramref name="option"/>) is missing is an error naming its line.
    /// </summary>
    static void CheckGaps(CsvTable table, string name, string option, float[] values, int[] rows)
    {
        foreach (var r in rows)
        {
            if (!float.IsNaN(values[r])) continue;
            throw new CliException($"{table.Source}:{table.Line(r)}: column '{CliFiles.Quote(name)}' (column {CliCsv.Column(table, name, option) + 1}) is missing ('{table.Strings(name)[r]}'); " +
                "choose --missing interpolate, ffill or drop.");
        }
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
