// TimeSeries: the columns a forecaster takes — target first, then input features — with a time label per row,
// missing values dropped, or filled on each side of the train/test split apart, and the labels of the rows after the data.
using System.Globalization;
using LstmSharp.Data;

namespace LstmSharp.Forecasting;

/// <summary>
/// The columns a <see cref="Forecaster"/> takes — the target first, then any input features — with a time label per
/// row and missing values (NaN) handled by a <see cref="MissingPolicy"/>. Build one with <see cref="Create"/> from the
/// numeric columns of a table (a CSV file read by any reader, gaps as NaN); <see cref="Fill"/> fills the gaps of the
/// training and test parts apart; <see cref="NextTimes"/> continues the time labels past the last row.
/// </summary>
/// <example>
/// <code>
/// var series = TimeSeries.Create(["passengers"], [passengers], MissingPolicy.Interpolate, "month", months);
/// var trainEnd = series.Rows - 24;
/// series.Fill(trainEnd);
/// var forecaster = Forecaster.Train(series.Columns, series.Names, trainEnd, new ForecastOptions { Lookback = 12 });
/// float[] next = forecaster.ForecastNext(series.Columns);
/// string[]? when = series.NextTimes(next.Length);   // "1961-01", … after a last row of "1960-12"
/// </code>
/// </example>
public sealed class TimeSeries
{
    readonly string[] _names;
    readonly float[][] _columns;   // [column][row]; NaN = missing until Fill
    readonly string[] _times;
    (DateTime[]? Dates, string? NonDate)? _dates;   // the labels read as dates, once asked for

    TimeSeries(string[] names, float[][] columns, string? timeColumn, string[] times, MissingPolicy policy, int repaired)
    {
        _names = names;
        _columns = columns;
        TimeColumn = timeColumn;
        _times = times;
        Policy = policy;
        Repaired = repaired;
    }

    /// <summary>Column names: the target first, then the input features.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>One array of <see cref="Rows"/> values per column, in <see cref="Names"/> order; NaN where a value is missing until <see cref="Fill"/>.</summary>
    public IReadOnlyList<float[]> Columns => _columns;

    /// <summary>The column the <see cref="Times"/> came from; null when the rows have no time labels.</summary>
    public string? TimeColumn { get; }

    /// <summary>Each row's time label; without a <see cref="TimeColumn"/>, the row's number (from 1, before any row was dropped).</summary>
    public IReadOnlyList<string> Times => _times;

    /// <summary>
    /// The <see cref="Times"/> as dates, when every label reads as one (<c>yyyy-MM-dd</c>, <c>yyyy-MM</c>, <c>yyyyMMdd</c>,
    /// ISO 8601 with a time, …) — what calendar features (<see cref="ForecastOptions.Calendar"/>) are made from; null
    /// without a time column or when a label is not a date (a number, a year).
    /// </summary>
    public IReadOnlyList<DateTime>? Dates => ParsedDates.Dates;

    /// <summary>The first time label that is not a date (see <see cref="Dates"/>), for the message that refuses it; null when every one is, or without a time column.</summary>
    public string? NonDate => ParsedDates.NonDate;

    (DateTime[]? Dates, string? NonDate) ParsedDates => _dates ??= ParseDates();

    (DateTime[]? Dates, string? NonDate) ParseDates()
    {
        if (TimeColumn is null) return (null, null);
        var compact = _times.All(t => t.Length == 8 && t.All(char.IsAsciiDigit));
        var dates = new DateTime[_times.Length];
        for (var r = 0; r < dates.Length; r++)
        {
            if (!compact && double.TryParse(_times[r], NumberStyles.Float, CultureInfo.InvariantCulture, out _) || Date(_times[r], compact) is not { } date)
                return (null, _times[r]);
            dates[r] = date;
        }
        return (dates, null);
    }

    /// <summary>How missing values are handled: dropped by <see cref="Create"/>, filled by <see cref="Fill"/>, or refused.</summary>
    public MissingPolicy Policy { get; }

    /// <summary>Rows dropped (<see cref="MissingPolicy.Drop"/>) or values filled so far (<see cref="MissingPolicy.Interpolate"/>, <see cref="MissingPolicy.ForwardFill"/>).</summary>
    public int Repaired { get; private set; }

    /// <summary>Rows, after any were dropped.</summary>
    public int Rows => _columns[0].Length;

    /// <summary>
    /// A series from <paramref name="columns"/> (copied; the target first) named <paramref name="names"/>, with a
    /// label per row from <paramref name="times"/> when <paramref name="timeColumn"/> names where they came from.
    /// Under <see cref="MissingPolicy.Drop"/> the rows with a gap in any column are dropped here; under
    /// <see cref="MissingPolicy.Interpolate"/> and <see cref="MissingPolicy.ForwardFill"/> the gaps wait for
    /// <see cref="Fill"/>; under <see cref="MissingPolicy.Error"/> a gap is an error.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// No columns, names and columns that disagree, columns of different lengths or none long, times without a time
    /// column (or the other way round) or of another length, a time column among the names, a gap under
    /// <see cref="MissingPolicy.Error"/>, or a gap in every row under <see cref="MissingPolicy.Drop"/>.
    /// </exception>
    public static TimeSeries Create(IReadOnlyList<string> names, IReadOnlyList<float[]> columns, MissingPolicy missing = MissingPolicy.Error,
        string? timeColumn = null, IReadOnlyList<string>? times = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(columns);
        if (!Enum.IsDefined(missing)) throw new ArgumentOutOfRangeException(nameof(missing), missing, $"Expected a MissingPolicy; received {(int)missing}.");
        if (columns.Count == 0 || columns.Count != names.Count)
            throw new ArgumentException($"Expected one name per column and at least one column; received {names.Count} name(s) and {columns.Count} column(s).", nameof(columns));
        var rows = columns[0]?.Length ?? throw new ArgumentException($"Column '{names[0]}' is null.", nameof(columns));
        if (rows == 0) throw new ArgumentException($"Column '{names[0]}' has no rows.", nameof(columns));
        for (var c = 0; c < columns.Count; c++)
        {
            if (string.IsNullOrEmpty(names[c])) throw new ArgumentException($"Column {c + 1} has no name.", nameof(names));
            if (columns[c] is not { } column) throw new ArgumentException($"Column '{names[c]}' is null.", nameof(columns));
            if (column.Length != rows) throw new ArgumentException($"Column '{names[c]}' has {column.Length} rows; '{names[0]}' has {rows}.", nameof(columns));
        }
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"The column '{duplicate.Key}' is named twice.", nameof(names));
        if ((timeColumn is null) != (times is null))
            throw new ArgumentException("Give the time labels and the name of the column they came from together, or neither.", timeColumn is null ? nameof(timeColumn) : nameof(times));
        if (timeColumn is not null && names.Contains(timeColumn))
            throw new ArgumentException($"The time column '{timeColumn}' is also among the columns; it labels the rows and cannot be an input.", nameof(timeColumn));
        if (times is not null && times.Count != rows)
            throw new ArgumentException($"Expected a time label per row; received {times.Count} for {rows} rows.", nameof(times));

        var copies = columns.Select(c => (float[])c.Clone()).ToArray();
        var labels = times?.ToArray() ?? [.. Enumerable.Range(1, rows).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        if (missing == MissingPolicy.Error)
        {
            for (var c = 0; c < copies.Length; c++)
            {
                var gap = Array.FindIndex(copies[c], float.IsNaN);
                if (gap >= 0)
                    throw new ArgumentException($"Column '{names[c]}' row {gap + 1} is missing (NaN) and the missing-value policy is MissingPolicy.Error; choose Interpolate, ForwardFill or Drop, or fill it first.", nameof(columns));
            }
        }
        var repaired = 0;
        if (missing == MissingPolicy.Drop)
        {
            var kept = MissingValues.RowsWithoutMissing(copies);
            if (kept.Length == 0)
                throw new ArgumentException($"Every one of the {rows} rows has a missing value in {string.Join(", ", names)}; nothing is left after dropping them (MissingPolicy.Drop).", nameof(columns));
            repaired = rows - kept.Length;
            copies = [.. copies.Select(c => kept.Select(r => c[r]).ToArray())];
            labels = [.. kept.Select(r => labels[r])];
        }
        return new TimeSeries([.. names], copies, timeColumn, labels, missing, repaired);
    }

    /// <summary>
    /// Fills the gaps under <see cref="MissingPolicy.Interpolate"/> or <see cref="MissingPolicy.ForwardFill"/> (see
    /// <see cref="MissingValues.Fill"/>), in rows <c>[0, testStart)</c> and <c>[testStart, Rows)</c> apart, so that no
    /// value after the split shapes one before it: the training part never sees the test part. Does nothing under the
    /// other policies; <see cref="Rows"/> as <paramref name="testStart"/> fills the whole series as one part.
    /// </summary>
    /// <exception cref="ArgumentException">Every value of a column is missing in one of the parts, so there is nothing to fill it from.</exception>
    public void Fill(int testStart)
    {
        if (testStart < 0 || testStart > Rows)
            throw new ArgumentOutOfRangeException(nameof(testStart), testStart, $"The test part must start within the {Rows} rows (0 to {Rows}); received {testStart}.");
        if (Policy is not (MissingPolicy.Interpolate or MissingPolicy.ForwardFill)) return;
        for (var c = 0; c < _columns.Length; c++)
        {
            foreach (var (start, end) in new[] { (0, testStart), (testStart, Rows) })
            {
                var part = _columns[c].AsSpan(start, end - start);
                if (part.IsEmpty) continue;
                if (!HasValue(part))
                    throw new ArgumentException($"Column '{_names[c]}', rows {start + 1}–{end}: every value is missing, so there is nothing to fill them from.");
                Repaired += MissingValues.Fill(part, Policy);
            }
        }
    }

    static bool HasValue(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            if (!float.IsNaN(v)) return true;
        }
        return false;
    }

    /// <summary>
    /// The time labels of the <paramref name="count"/> rows after the last, when the time column has a regular step:
    /// numbers, or dates stepping by whole months (month ends stay month ends), by weekdays (a daily series with no
    /// weekend rows), or by a fixed span; dates are written as <c>yyyy-MM</c>, <c>yyyy-MM-dd</c> or <c>yyyyMMdd</c>
    /// when the last label has that length, else as an ISO 8601 date and time. Null without a time column, with fewer
    /// than two rows, or when the last labels do not step forward as numbers or as dates.
    /// </summary>
    public string[]? NextTimes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (TimeColumn is null || _times.Length < 2) return null;
        string a = _times[^2], b = _times[^1];
        var compact = b.Length == 8 && a.Length == 8 && b.All(char.IsAsciiDigit) && a.All(char.IsAsciiDigit);
        if (!compact && double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x0) && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var x1))
            return x1 > x0 ? [.. Enumerable.Range(1, count).Select(k => (x1 + k * (x1 - x0)).ToString(CultureInfo.InvariantCulture))] : null;
        var format = compact ? "yyyyMMdd" : b.Length == 7 ? "yyyy-MM" : b.Length == 10 ? "yyyy-MM-dd" : "s";
        var recent = _times[Math.Max(0, _times.Length - 10)..].Select(t => Date(t, compact)).ToArray();
        if (recent.Any(d => d is null)) return null;
        return TimeSteps.Next([.. recent.Select(d => d!.Value)], count)?.Select(d => d.ToString(format, CultureInfo.InvariantCulture)).ToArray();
    }

    static DateTime? Date(string text, bool compact) =>
        compact ? DateTime.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var c) ? c : null
        // The clock time as written: an offset or a Z is not converted to this machine's time zone.
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d.DateTime : null;
}
