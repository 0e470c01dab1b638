// TimeSteps: the dates after the last of a series whose step is regular — whole months, weekdays, or a fixed span.
namespace LstmSharp.Forecasting;

/// <summary>Continues a series of dates past its last one, as <see cref="TimeSeries.NextTimes"/> and the calendar features need.</summary>
static class TimeSteps
{
    /// <summary>
    /// The <paramref name="count"/> dates after the last of <paramref name="dates"/>, stepping as its last ones do: by
    /// whole months (month ends stay month ends), by weekdays (a daily series with no weekend rows among the last ten,
    /// up to two missing holidays in a row allowed), or by the median span of the last ten steps (so one dropped row does not
    /// double the step). Null with fewer than two dates or when the last two do not step forward.
    /// </summary>
    public static DateTime[]? Next(IReadOnlyList<DateTime> dates, int count)
    {
        if (dates.Count < 2) return null;
        var recent = dates.Skip(Math.Max(0, dates.Count - 10)).ToArray();
        var (d0, d1) = (recent[^2], recent[^1]);
        if (d1 <= d0) return null;
        var months = (d1.Year - d0.Year) * 12 + d1.Month - d0.Month;
        if (months > 0 && d0.TimeOfDay == d1.TimeOfDay && (d0.Day == d1.Day || MonthEnd(d0) && MonthEnd(d1)))
        {
            return [.. Enumerable.Range(1, count).Select(k => d1.AddMonths(k * months))
                .Select(d => MonthEnd(d1) ? d.AddDays(DateTime.DaysInMonth(d.Year, d.Month) - d.Day) : d)];
        }
        if (recent.Length >= 5 && recent.All(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && d.TimeOfDay == d1.TimeOfDay)
            && recent.Zip(recent.Skip(1), (p, q) => (q - p).TotalDays).All(days => days is 1 or 2 or 3 or 4 or 5))
        {
            return [.. Weekdays(d1).Take(count)];
        }
        var step = MedianStep(recent);
        if (step <= TimeSpan.Zero) return null;
        return [.. Enumerable.Range(1, count).Select(k => d1 + k * step)];
    }

    /// <summary>The median span between consecutive <paramref name="dates"/> (at least two).</summary>
    public static TimeSpan MedianStep(IReadOnlyList<DateTime> dates)
    {
        var steps = dates.Zip(dates.Skip(1), (a, b) => b - a).Order().ToArray();
        return steps[steps.Length / 2];
    }

    static bool MonthEnd(DateTime d) => d.Day == DateTime.DaysInMonth(d.Year, d.Month);

    static IEnumerable<DateTime> Weekdays(DateTime after)
    {
        for (var d = after.AddDays(1); ; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) yield return d;
    }
}
