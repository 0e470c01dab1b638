// SeasonalityTests: season detection (one or several) on synthetic seasonal series, noise, a straight line and AirPassengers.
using System.Globalization;
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class SeasonalityTests
{
    // amplitude · sin(2πt/period) + slope · t + N(0, 1) noise.
    static float[] Seasonal(int length, int period, double amplitude, double slope, int seed)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (var t = 0; t < length; t++)
        {
            var noise = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            values[t] = (float)(amplitude * Math.Sin(2 * Math.PI * t / period) + slope * t + noise);
        }
        return values;
    }

    [Theory]
    [InlineData(12, 24)]
    [InlineData(12, 100)]
    [InlineData(7, 30)]
    [InlineData(4, 12)]
    public void Detect_SineWithTrendAndNoise_FindsThePeriod(int period, int maxLag)
    {
        for (var seed = 0; seed < 5; seed++) Assert.Equal(period, Seasonality.Detect(Seasonal(144, period, 10, 0.5, seed), maxLag));
    }

    [Fact]
    public void Detect_WhiteNoise_FindsNothing()
    {
        for (var seed = 0; seed < 10; seed++) Assert.Null(Seasonality.Detect(Seasonal(200, 12, 0, 0, seed), 24));
    }

    [Fact]
    public void Detect_StraightLineOrTooShort_FindsNothing()
    {
        Assert.Null(Seasonality.Detect(Enumerable.Range(0, 100).Select(t => 0.1f * t + 3f).ToArray(), 24));
        Assert.Null(Seasonality.Detect([1f, 2f, 1f, 2f], 12));
        Assert.Null(Seasonality.Detect([], 12));
    }

    [Fact]
    public void Detect_MaxLagBelowThePeriod_FindsNoPeakThere()
    {
        // Lags 2…6 of a period-12 sine fall on its descending half: the best of them is lag 2, not a peak.
        Assert.Null(Seasonality.Detect(Seasonal(144, 12, 10, 0, 1), 6));
    }

    [Fact]
    public void Detect_AirPassengers_Finds12()
    {
        var root = Repository.Root;
        var lines = File.ReadAllLines(Path.Combine(root, "data", "AirPassengers.csv"));
        var column = Array.IndexOf(lines[0].Split(','), "passengers");
        var passengers = lines.Skip(1).Select(l => float.Parse(l.Split(',')[column], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(144, passengers.Length);
        Assert.Equal(12, Seasonality.Detect(passengers, 24));
        Assert.Equal(12, Seasonality.Detect(passengers, 48));
    }

    [Fact]
    public void Detect_RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Seasonality.Detect(new float[50], 1));
        var e = Assert.Throws<ArgumentException>(() => Seasonality.Detect([1f, 2f, float.NaN, 3f], 12));
        Assert.Contains("Value 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Autocorrelation_MatchesHandComputedValues()
    {
        // [1, 2, 3, 4]: deviations −1.5, −0.5, 0.5, 1.5 (sum of squares 5); lag 1: 0.75 − 0.25 + 0.75 = 1.25; lag 2: −0.75 − 0.75 = −1.5.
        var acf = Seasonality.Autocorrelation([1f, 2f, 3f, 4f], 2);
        Assert.Equal([1.0, 0.25, -0.3], acf.Select(a => Math.Round(a, 12)));
        Assert.True(double.IsNaN(Seasonality.Autocorrelation([2f, 2f], 1)[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Seasonality.Autocorrelation([1f, 2f], 2));
    }

    [Fact]
    public void Detect_WeeklyCo2WithGaps_FindsTheYear()
    {
        // 2284 weeks: a yearly swing under a rising trend and week-to-week noise. On first differences lag 156
        // (0.33) and lag 3 (0.32) outweigh 52 (0.27); with the moving-average trend taken away, 52 stands out.
        var root = Repository.Root;
        var values = File.ReadAllLines(Path.Combine(root, "data", "co2_weekly.csv")).Skip(1)
            .Select(l => l.Split(',')[1]).Select(v => v.Length == 0 ? float.NaN : float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(59, MissingValues.Fill(values, MissingPolicy.Interpolate));
        var differences = values.Skip(1).Zip(values, (b, a) => b - a).ToArray();
        var acf = Seasonality.Autocorrelation(differences, 160);
        Assert.True(acf[156] > acf[52] && acf[3] > acf[52], "the differences no longer show the case this test is about");
        Assert.Equal(52, Seasonality.Detect(values, 400));
        Assert.Equal(52, Seasonality.Detect(values.AsSpan(0, 2232), 2232 / 3));
    }

    [Fact]
    public void Strength_MatchesRsDecompose()
    {
        // tools/forecast/seasonal_strength.R: R 4.2.2's decompose() of the same series.
        var root = Repository.Root;
        var air = File.ReadAllLines(Path.Combine(root, "data", "AirPassengers.csv")).Skip(1).Select(l => float.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        var co2 = File.ReadAllLines(Path.Combine(root, "data", "co2_weekly.csv")).Skip(1)
            .Select(l => l.Split(',')[1]).Select(v => v.Length == 0 ? float.NaN : float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        MissingValues.Fill(co2, MissingPolicy.Interpolate);
        Assert.Equal(0.778722, Seasonality.Strength(air, 12), 5);
        Assert.Equal(0.006612, Seasonality.Strength(air, 7), 5);
        Assert.Equal(0.837320, Seasonality.Strength(air.AsSpan(0, 100), 12), 5);
        Assert.Equal(0.906373, Seasonality.Strength(co2, 52), 5);
        Assert.Equal(0.008573, Seasonality.Strength(co2, 13), 5);
    }

    [Fact]
    public void Strength_EdgeCases()
    {
        // An exact season on a line leaves no remainder; a line alone leaves no season.
        Assert.Equal(1.0, Seasonality.Strength([.. Enumerable.Range(0, 40).Select(t => (float)(t % 4 * 3 + 0.5 * t))], 4), 6);
        Assert.Equal(0.0, Seasonality.Strength([.. Enumerable.Range(0, 40).Select(t => (float)t)], 4));
        Assert.Equal(0.0, Seasonality.Strength(new float[20], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Seasonality.Strength(new float[11], 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => Seasonality.Strength(new float[40], 1));
        Assert.Throws<ArgumentException>(() => Seasonality.Strength([1f, float.NaN, 2f, 3f, 4f, 5f], 2));
    }

    [Fact]
    public void SeasonalDifferenceRatio_ByHand()
    {
        // [1, 2, 4, 7, 11]: steps 1, 2, 3, 4 (variance 1.25); changes over 2 rows 3, 5, 7 (variance 8/3).
        Assert.Equal(8.0 / 3 / 1.25, Seasonality.SeasonalDifferenceRatio([1f, 2f, 4f, 7f, 11f], 2), 12);
        Assert.Equal(0.0, Seasonality.SeasonalDifferenceRatio([0f, 1f, 0f, 1f, 0f, 1f], 2));
        Assert.Equal(double.PositiveInfinity, Seasonality.SeasonalDifferenceRatio([0f, 1f, 2f, 3f, 4f, 5f], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Seasonality.SeasonalDifferenceRatio([1f, 2f, 3f], 2));
    }

    /// <summary>
    /// A "half-hourly load" in miniature: a day of 12 steps whose swing is 40% and whose level is 1 lower on the 2
    /// weekend days of a 7-day week (84 steps), plus noise.
    /// </summary>
    static float[] DailyAndWeekly(int weeks)
    {
        var random = new Random(3);
        return [.. Enumerable.Range(0, weeks * 84).Select(t => t % 84 >= 60
            ? (float)(0.4 * Math.Sin(2 * Math.PI * t / 12) - 1 + 0.1 * random.NextDouble())
            : (float)(Math.Sin(2 * Math.PI * t / 12) + 0.1 * random.NextDouble()))];
    }

    [Fact]
    public void DetectAll_DayAndWeek_FindsBothNotTheDaysBetween()
    {
        // Lags 24, 36, … 72 pair more weekdays with weekend days than lag 12 does: lower, so harmonics of it; lag 84
        // (the same time a week before) matches best of all, and 168 less well than 84.
        var values = DailyAndWeekly(12);
        var acf = Seasonality.Autocorrelation(values, 96);
        Assert.True(acf[84] > acf[12] && acf[12] > acf[24], "the series no longer shows the case this test is about");
        Assert.Equal([12, 84], Seasonality.DetectAll(values, 200));
        Assert.Equal(84, Seasonality.Detect(values, 200));
    }

    [Theory]
    [InlineData(12, 60)]
    [InlineData(7, 40)]
    public void DetectAll_OneSeason_OnlyIt(int period, int maxLag)
    {
        // The harmonics 2·period, 3·period, … are peaks too, each lower than the one before.
        for (var seed = 0; seed < 5; seed++) Assert.Equal([period], Seasonality.DetectAll(Seasonal(240, period, 10, 0.5, seed), maxLag));
    }

    [Fact]
    public void DetectAll_WhiteNoiseOrStraightLine_Nothing()
    {
        var random = new Random(9);
        Assert.Empty(Seasonality.DetectAll([.. Enumerable.Range(0, 300).Select(_ => (float)random.NextDouble())], 50));
        Assert.Empty(Seasonality.DetectAll([.. Enumerable.Range(0, 100).Select(t => 2f * t)], 20));
    }
}
