// SeriesData: the columns a forecasting command reads from a CSV — target first, then features — with missing
// values handled as --missing says, and the time column kept for plots and forecast output.
using System.Globalization;
using LstmSharp.Data;

namespace LstmSharp.Cli.Commands;

internal sealed class SeriesData
{
    static readonly string[] TimeNames = ["date", "time", "timestamp", "datetime", "day", "week", "month", "year", "period", "ds"];

    public required string Path { get; init; }

    /// <summary>Target first, then features.</summary>
    public required string[] Names { get; init; }

    public required float[][] Columns { get; init; }

    public string? TimeColumn { get; init; }

    /// <summary>The time column's text per kept row (row numbers from 1 without a time column).</summary>
    public required string[] Times { get; init; }

    /// <summary>Values filled in (interpolate, ffill; after <see cref="Fill"/>) or rows dropped (drop).</summary>
    public int Repaired { get; private set; }

    /// <summary>How missing values are handled; interpolate and ffill wait for <see cref="Fill"/>.</summary>
    public MissingPolicy Policy { get; init; }

    public int Rows => Columns[0].Length;

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
    /// Reads <paramref name="path"/>. The target defaults to the last numeric column; a first column that is not
    /// numeric (a date) becomes the time column unless one is named.
    /// </summary>
    /// <remarks>
    /// Rows with a gap are dropped here under <see cref="MissingPolicy.Drop"/>; interpolate and ffill leave NaN for
    /// <see cref="Fill"/>, which fills the training and test parts apart. With <paramref name="optionalTime"/> a named
    /// time column that the file lacks is ignored (a saved model's, when predicting from another file).
    /// </remarks>
    public static SeriesData Read(string path, string? target, IReadOnlyList<string> features, string? timeColumn, MissingPolicy missing, bool optionalTime = false)
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
        var names = new List<string> { target };
        foreach (var f in features)
        {
            if (f == target) continue;
            if (f == timeColumn) throw new CliException($"--features names the time column '{f}'; it cannot be an input.");
            if (!names.Contains(f)) names.Add(f);
        }
        var allowMissing = missing != MissingPolicy.Error;
        var columns = names.Select((n, i) => table.Numbers(n, i == 0 ? "--target" : "--features", allowMissing)).ToArray();
        var times = timeColumn is null
            ? Enumerable.Range(1, table.RowCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : table.Strings(timeColumn, "--time-column");
        var repaired = 0;
        if (missing == MissingPolicy.Drop)
        {
            var kept = MissingValues.RowsWithoutMissing(columns);
            if (kept.Length == 0) throw new CliException($"{path}: every row has a missing value in {string.Join(", ", names)}; nothing is left after --missing drop.");
            repaired = table.RowCount - kept.Length;
            columns = [.. columns.Select(c => kept.Select(r => c[r]).ToArray())];
            times = [.. kept.Select(r => times[r])];
        }
        return new SeriesData { Path = path, Names = [.. names], Columns = columns, TimeColumn = timeColumn, Times = times, Repaired = repaired, Policy = missing };
    }

    /// <summary>
    /// Fills gaps under interpolate or ffill, in rows <c>[0, testStart)</c> and <c>[testStart, rows)</c> apart, so
    /// that no value after the split shapes one before it (the training part never sees the test part).
    /// </summary>
    public void Fill(int testStart)
    {
        if (Policy is not (MissingPolicy.Interpolate or MissingPolicy.ForwardFill)) return;
        for (var c = 0; c < Columns.Length; c++)
        {
            foreach (var (start, end) in new[] { (0, testStart), (testStart, Rows) })
            {
                var part = Columns[c].AsSpan(start, end - start);
                if (part.IsEmpty) continue;
                try
                {
                    Repaired += MissingValues.Fill(part, Policy);
                }
                catch (ArgumentException e)
                {
                    throw new CliException($"{Path}: column '{Names[c]}', rows {start + 1}–{end}: {CliErrors.Message(e)}");
                }
            }
        }
    }

    static bool LooksNumeric(CsvTable table, int column)
    {
        var values = table.Strings(table.Columns[column], "");
        return float.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>
    /// The time labels of the <paramref name="count"/> rows after the data, when the time column has a regular step:
    /// numbers, or dates stepping by whole months (month ends stay month ends), by weekdays (a daily series with
    /// no weekend rows), or by a fixed span.
    /// </summary>
    public string[]? NextTimes(int count)
    {
        if (TimeColumn is null || Times.Length < 2) return null;
        string a = Times[^2], b = Times[^1];
        var compact = b.Length == 8 && a.Length == 8 && b.All(char.IsAsciiDigit) && a.All(char.IsAsciiDigit);
        if (!compact && double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x0) && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var x1))
            return x1 > x0 ? [.. Enumerable.Range(1, count).Select(k => (x1 + k * (x1 - x0)).ToString(CultureInfo.InvariantCulture))] : null;
        var format = compact ? "yyyyMMdd" : b.Length == 7 ? "yyyy-MM" : b.Length == 10 ? "yyyy-MM-dd" : "s";
        var recent = Times[Math.Max(0, Times.Length - 10)..].Select(t => Date(t, compact)).ToArray();
        if (recent.Any(d => d is null)) return null;
        var (d0, d1) = (recent[^2]!.Value, recent[^1]!.Value);
        if (d1 <= d0) return null;
        var months = (d1.Year - d0.Year) * 12 + d1.Month - d0.Month;
        static bool MonthEnd(DateTime d) => d.Day == DateTime.DaysInMonth(d.Year, d.Month);
        IEnumerable<DateTime> next;
        if (months > 0 && d0.TimeOfDay == d1.TimeOfDay && (d0.Day == d1.Day || MonthEnd(d0) && MonthEnd(d1)))
        {
            next = Enumerable.Range(1, count).Select(k => d1.AddMonths(k * months)).Select(d => MonthEnd(d1) ? d.AddDays(DateTime.DaysInMonth(d.Year, d.Month) - d.Day) : d);
        }
        else if (recent.Length >= 5 && recent.All(d => d!.Value.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            && recent.Zip(recent.Skip(1), (p, q) => (q!.Value - p!.Value).TotalDays).All(days => days is 1 or 3))
        {
            next = Weekdays(d1).Take(count);
        }
        else
        {
            var step = d1 - d0;
            next = Enumerable.Range(1, count).Select(k => d1 + k * step);
        }
        return [.. next.Select(d => d.ToString(format, CultureInfo.InvariantCulture))];
    }

    static DateTime? Date(string text, bool compact) =>
        compact ? DateTime.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var c) ? c : null
        : DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    static IEnumerable<DateTime> Weekdays(DateTime after)
    {
        for (var d = after.AddDays(1); ; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) yield return d;
    }
}
