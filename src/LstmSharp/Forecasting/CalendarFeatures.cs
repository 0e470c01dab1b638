// CalendarFeatures: what a forecaster may know of each step's date — hour of day, day of week, day of year, month,
// holidays — and the numbers it sees for them (Fourier terms for the cycles, one-hot days and months, a holiday flag).
using System.Globalization;

namespace LstmSharp.Forecasting;

/// <summary>
/// Calendar features of each row's date, known for the future steps too, so a forecaster sees the calendar of the
/// steps it forecasts (<see cref="ForecastOptions.Calendar"/>). The cycles are Fourier terms, as Prophet's seasonalities
/// are: the hour of day and the day of year as sin and cos of their first three harmonics (6 numbers each); the day of
/// week and the month are one-hot (7 and 12), since a weekend or a month is no smooth curve.
/// </summary>
[Flags]
public enum CalendarFeatures
{
    /// <summary>No calendar features.</summary>
    None = 0,

    /// <summary>The time of day (hours, minutes, seconds), as 3 harmonics of sin and cos: 6 numbers.</summary>
    HourOfDay = 1,

    /// <summary>The day of the week, one-hot from Monday: 7 numbers.</summary>
    DayOfWeek = 2,

    /// <summary>The day of the year (and its time of day) over the year's length, as 3 harmonics of sin and cos: 6 numbers.</summary>
    DayOfYear = 4,

    /// <summary>The month, one-hot from January: 12 numbers.</summary>
    Month = 8,
}

/// <summary>The numbers a forecaster sees for <see cref="CalendarFeatures"/> and <see cref="ForecastOptions.Holidays"/>.</summary>
public static class ForecastCalendar
{
    const int Harmonics = 3;

    /// <summary>Numbers per row for <paramref name="features"/>, plus one for the holiday flag when <paramref name="holidays"/> is true.</summary>
    public static int Width(CalendarFeatures features, bool holidays) =>
        (features.HasFlag(CalendarFeatures.HourOfDay) ? 2 * Harmonics : 0) + (features.HasFlag(CalendarFeatures.DayOfWeek) ? 7 : 0)
        + (features.HasFlag(CalendarFeatures.DayOfYear) ? 2 * Harmonics : 0) + (features.HasFlag(CalendarFeatures.Month) ? 12 : 0) + (holidays ? 1 : 0);

    /// <summary>
    /// Writes the <see cref="Width"/> numbers of <paramref name="time"/> into <paramref name="row"/>, in the order of the
    /// flags (hour of day, day of week, day of year, month), then 1 or 0 for a day among <paramref name="holidays"/>
    /// (when it is not null).
    /// </summary>
    public static void Write(DateTime time, CalendarFeatures features, IReadOnlySet<DateOnly>? holidays, Span<float> row)
    {
        var width = Width(features, holidays is not null);
        if (row.Length != width) throw new ArgumentException($"Expected a row of {width} calendar numbers; received {row.Length}.", nameof(row));
        var i = 0;
        if (features.HasFlag(CalendarFeatures.HourOfDay)) Fourier(time.TimeOfDay.TotalDays, row, ref i);
        if (features.HasFlag(CalendarFeatures.DayOfWeek)) OneHot(((int)time.DayOfWeek + 6) % 7, 7, row, ref i);
        if (features.HasFlag(CalendarFeatures.DayOfYear))
            Fourier((time.DayOfYear - 1 + time.TimeOfDay.TotalDays) / (DateTime.IsLeapYear(time.Year) ? 366 : 365), row, ref i);
        if (features.HasFlag(CalendarFeatures.Month)) OneHot(time.Month - 1, 12, row, ref i);
        if (holidays is not null) row[i] = holidays.Contains(DateOnly.FromDateTime(time)) ? 1f : 0f;
    }

    static void Fourier(double phase, Span<float> row, ref int i)
    {
        for (var k = 1; k <= Harmonics; k++)
        {
            var angle = 2 * Math.PI * k * phase;
            row[i++] = (float)Math.Sin(angle);
            row[i++] = (float)Math.Cos(angle);
        }
    }

    static void OneHot(int index, int count, Span<float> row, ref int i)
    {
        row.Slice(i, count).Clear();
        row[i + index] = 1f;
        i += count;
    }

    /// <summary>
    /// The features that suit a series with these row dates, from their median step: below a day, the hour of day and
    /// the day of week; a day (or weekdays), the day of week; up to a week, the day of year as well when the rows span
    /// at least two years; a month or a quarter, the month; longer steps, none.
    /// </summary>
    public static CalendarFeatures Auto(IReadOnlyList<DateTime> dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        if (dates.Count < 2) return CalendarFeatures.None;
        var step = TimeSteps.MedianStep(dates).TotalDays;
        var years = (dates[^1] - dates[0]).TotalDays / 365.25;
        var features = CalendarFeatures.None;
        if (step < 1) features |= CalendarFeatures.HourOfDay;
        if (step <= 1) features |= CalendarFeatures.DayOfWeek;
        if (step <= 7 && years >= 2) features |= CalendarFeatures.DayOfYear;
        if (step is >= 28 and <= 92) features |= CalendarFeatures.Month;
        return features;
    }

    /// <summary>The features by their names, comma-separated: <c>hour</c>, <c>weekday</c>, <c>yearday</c>, <c>month</c> (or the enum's names); <c>none</c> or "" for none.</summary>
    /// <exception cref="FormatException">A name that is none of these.</exception>
    public static CalendarFeatures Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var features = CalendarFeatures.None;
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            features |= name.ToLowerInvariant() switch
            {
                "none" => CalendarFeatures.None,
                "hour" or "hourofday" => CalendarFeatures.HourOfDay,
                "weekday" or "dayofweek" => CalendarFeatures.DayOfWeek,
                "yearday" or "dayofyear" => CalendarFeatures.DayOfYear,
                "month" => CalendarFeatures.Month,
                _ => throw new FormatException($"'{name}' is not a calendar feature; expected hour, weekday, yearday, month or none."),
            };
        }
        return features;
    }

    /// <summary>The short names of <paramref name="features"/>, comma-separated (<c>none</c> for none), as <see cref="Parse"/> reads them.</summary>
    public static string Name(CalendarFeatures features)
    {
        var names = new List<string>();
        if (features.HasFlag(CalendarFeatures.HourOfDay)) names.Add("hour");
        if (features.HasFlag(CalendarFeatures.DayOfWeek)) names.Add("weekday");
        if (features.HasFlag(CalendarFeatures.DayOfYear)) names.Add("yearday");
        if (features.HasFlag(CalendarFeatures.Month)) names.Add("month");
        return names.Count == 0 ? "none" : string.Join(",", names);
    }

    /// <summary>
    /// The calendar numbers <c>[rows + extra][Width]</c> of the rows' <paramref name="dates"/> and of the
    /// <paramref name="extra"/> steps after the last (continued by the rows' step: whole months, weekdays or the median
    /// recent span; see <see cref="TimeSteps.Next"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The dates do not increase, or the last ones do not step forward, so the future steps' dates are unknown.</exception>
    internal static float[][] Rows(IReadOnlyList<DateTime> dates, int extra, CalendarFeatures features, IReadOnlySet<DateOnly>? holidays)
    {
        for (var r = 1; r < dates.Count; r++)
        {
            if (dates[r] <= dates[r - 1])
            {
                throw new ArgumentException($"Calendar features need increasing times; row {r + 1} ({dates[r].ToString("s", CultureInfo.InvariantCulture)}) " +
                    $"is not after row {r} ({dates[r - 1].ToString("s", CultureInfo.InvariantCulture)}).", nameof(dates));
            }
        }
        if (holidays is not null && dates.Count >= 2 && TimeSteps.MedianStep(dates).TotalDays is var step && step > 1)
        {
            throw new ArgumentException($"Holidays flag days, and the rows step by {step.ToString("G4", CultureInfo.InvariantCulture)} days, " +
                "so a holiday inside a step would be missed; holidays need daily or shorter steps.", nameof(dates));
        }
        var next = extra == 0 ? [] : TimeSteps.Next(dates, extra)
            ?? throw new ArgumentException($"Calendar features need the dates of the {extra} step(s) after the last row, and {dates.Count} row(s) give no step to continue.", nameof(dates));
        var width = Width(features, holidays is not null);
        return [.. dates.Concat(next).Select(d =>
        {
            var row = new float[width];
            Write(d, features, holidays, row);
            return row;
        })];
    }
}
