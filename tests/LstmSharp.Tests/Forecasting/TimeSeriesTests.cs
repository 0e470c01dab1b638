// TimeSeries: columns to a forecaster's series — gaps refused, dropped, or filled on each side of the split apart —
// and time labels continued past the last row.
using LstmSharp.Data;
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Forecasting;

public sealed class TimeSeriesTests
{
    const float NaN = float.NaN;

    [Fact]
    public void Fill_TrainingAndTestPartsApart()
    {
        var series = TimeSeries.Create(["y"], [[1, 2, NaN, NaN, 10, 11]], MissingPolicy.Interpolate);
        series.Fill(3);
        // Row 3 is the training part's last: carried forward from 2, not interpolated towards the test part's 10.
        Assert.Equal([1f, 2f, 2f, 10f, 10f, 11f], series.Columns[0]);
        Assert.Equal(2, series.Repaired);
    }

    [Fact]
    public void Fill_APartWithNoValue_ArgumentNamesColumnAndRows()
    {
        var series = TimeSeries.Create(["y", "x"], [[1, 2, 3, 4], [1, 2, NaN, NaN]], MissingPolicy.ForwardFill);
        var e = Assert.Throws<ArgumentException>(() => series.Fill(2));
        Assert.Equal("Column 'x', rows 3–4: every value is missing, so there is nothing to fill them from.", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => series.Fill(5));
    }

    [Fact]
    public void Create_CopiesTheColumns()
    {
        float[] y = [1, NaN, 3];
        var series = TimeSeries.Create(["y"], [y], MissingPolicy.Interpolate);
        series.Fill(series.Rows);
        Assert.Equal([1f, 2f, 3f], series.Columns[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(["1", "2", "3"], series.Times);   // row numbers without a time column
        Assert.Null(series.NextTimes(2));
    }

    [Fact]
    public void Create_Drop_KeepsTheCompleteRowsAndTheirTimes()
    {
        var series = TimeSeries.Create(["y", "x"], [[1, 2, NaN, 4], [5, NaN, 7, 8]], MissingPolicy.Drop, "day", ["d1", "d2", "d3", "d4"]);
        Assert.Equal(2, series.Rows);
        Assert.Equal([1f, 4f], series.Columns[0]);
        Assert.Equal([5f, 8f], series.Columns[1]);
        Assert.Equal(["d1", "d4"], series.Times);
        Assert.Equal(2, series.Repaired);
        var none = Assert.Throws<ArgumentException>(() => TimeSeries.Create(["y"], [[NaN, NaN]], MissingPolicy.Drop));
        Assert.StartsWith("Every one of the 2 rows has a missing value in y; nothing is left after dropping them (MissingPolicy.Drop).", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ErrorPolicyWithAGap_ArgumentNamesColumnAndRow()
    {
        var e = Assert.Throws<ArgumentException>(() => TimeSeries.Create(["y", "x"], [[1, 2, 3], [1, 2, NaN]]));
        Assert.StartsWith("Column 'x' row 3 is missing (NaN)", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string[], float[][], string?, string[]?, string> BadInputs => new()
    {
        { [], [], null, null, "at least one column" },
        { ["y", "x"], [[1, 2]], null, null, "2 name(s) and 1 column(s)" },
        { ["y", "x"], [[1, 2], [1]], null, null, "Column 'x' has 1 rows; 'y' has 2" },
        { ["y"], [[]], null, null, "no rows" },
        { ["y", "y"], [[1], [2]], null, null, "'y' is named twice" },
        { ["y"], [[1, 2]], "t", null, "together, or neither" },
        { ["y"], [[1, 2]], null, ["a", "b"], "together, or neither" },
        { ["y"], [[1, 2]], "t", ["a"], "1 for 2 rows" },
        { ["y", "t"], [[1, 2], [1, 2]], "t", ["a", "b"], "'t' is also among the columns" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Create_BadInput_ArgumentSaysWhatIsWrong(string[] names, float[][] columns, string? timeColumn, string[]? times, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TimeSeries.Create(names, columns, MissingPolicy.Error, timeColumn, times));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Example_FromColumnsToALabelledForecast()
    {
        // The class documentation's example, with a short training run.
        var months = Enumerable.Range(0, 60).Select(m => $"{1956 + m / 12}-{m % 12 + 1:00}").ToArray();
        var passengers = Enumerable.Range(0, 60).Select(m => m == 17 ? NaN : 200 + 2f * m + 30 * MathF.Sin(m * MathF.PI / 6)).ToArray();
        var series = TimeSeries.Create(["passengers"], [passengers], MissingPolicy.Interpolate, "month", months);
        var trainEnd = series.Rows - 24;
        series.Fill(trainEnd);
        var forecaster = Forecaster.Train(series.Columns, series.Names, trainEnd, new ForecastOptions { Lookback = 12, Units = 4, Epochs = 2 });
        float[] next = forecaster.ForecastNext(series.Columns);
        string[]? when = series.NextTimes(next.Length);
        Assert.Equal(["1961-01"], when!);
        Assert.True(float.IsFinite(next[0]));
    }

    [Theory]
    [InlineData("1960-11,1960-12", "1961-01,1961-02,1961-03")]
    [InlineData("2020-01-31,2020-02-29", "2020-03-31,2020-04-30,2020-05-31")]
    [InlineData("20011222,20011229", "20020105,20020112,20020119")]
    [InlineData("2000-04-10,2000-04-11,2000-04-12,2000-04-13,2000-04-14", "2000-04-17,2000-04-18,2000-04-19")]
    [InlineData("2000-04-13,2000-04-14,2000-04-15,2000-04-16,2000-04-17", "2000-04-18,2000-04-19,2000-04-20")]
    [InlineData("1958,1959", "1960,1961,1962")]
    // Business days with the holidays of 23 and 26 December missing stay business days.
    [InlineData("2022-12-15,2022-12-16,2022-12-19,2022-12-20,2022-12-21,2022-12-22,2022-12-27,2022-12-28,2022-12-29,2022-12-30", "2023-01-02,2023-01-03,2023-01-04")]
    // One dropped row does not double a daily step: the median of the recent steps.
    [InlineData("2022-01-01,2022-01-02,2022-01-03,2022-01-05", "2022-01-06,2022-01-07,2022-01-08")]
    public void NextTimes_ContinueTheTimeColumn(string times, string expected)
    {
        var rows = times.Split(',');
        var series = TimeSeries.Create(["y"], [[.. rows.Select((_, i) => (float)i)]], MissingPolicy.Error, "time", rows);
        Assert.Equal(expected.Split(','), series.NextTimes(3));
    }

    [Fact]
    public void Dates_TheClockTimeAsWritten_NotThisMachinesTimeZone()
    {
        string[] rows = ["2022-11-06T01:00:00Z", "2022-11-06T02:00:00+09:00", "2022-11-06T03:00:00"];
        var series = TimeSeries.Create(["y"], [[0, 1, 2]], MissingPolicy.Error, "time", rows);
        Assert.Equal([1, 2, 3], series.Dates!.Select(d => d.Hour));
        var years = TimeSeries.Create(["y"], [[0, 1]], MissingPolicy.Error, "time", ["1958", "1959"]);
        Assert.Null(years.Dates);
        Assert.Equal("1958", years.NonDate);
        Assert.Null(series.NonDate);
        Assert.Equal("June", TimeSeries.Create(["y"], [[0, 1]], MissingPolicy.Error, "time", ["2022-05-01", "June"]).NonDate);
    }

    [Theory]
    [InlineData("1960-12,1960-11")]
    [InlineData("5,5")]
    [InlineData("a,b")]
    public void NextTimes_NoForwardStep_Null(string times)
    {
        var rows = times.Split(',');
        Assert.Null(TimeSeries.Create(["y"], [[0, 1]], MissingPolicy.Error, "time", rows).NextTimes(3));
    }
}
