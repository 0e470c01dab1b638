// ForecastBaselinesTests: naive and seasonal-naive forecasts, including horizons beyond one season, and errors.
using LstmSharp.Metrics;
using Xunit;

namespace LstmSharp.Tests.Metrics;

public sealed class ForecastBaselinesTests
{
    static readonly float[] History = [1f, 2f, 3f, 4f, 5f, 6f, 7f];

    [Fact]
    public void Naive_RepeatsTheLastValue()
    {
        Assert.Equal([7f, 7f, 7f], ForecastBaselines.Naive(History, 3));
        Assert.Equal([4f], ForecastBaselines.Naive([4f], 1));
    }

    [Fact]
    public void SeasonalNaive_RepeatsTheLastSeason()
    {
        // n = 7, season 3: forecast[k] = history[4 + k mod 3] = 5, 6, 7, 5, 6.
        Assert.Equal([5f, 6f, 7f, 5f, 6f], ForecastBaselines.SeasonalNaive(History, 5, 3));
        // Season equal to the history length repeats all of it.
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 1f], ForecastBaselines.SeasonalNaive(History, 8, 7));
        Assert.Equal(ForecastBaselines.Naive(History, 4), ForecastBaselines.SeasonalNaive(History, 4, 1));
    }

    [Fact]
    public void SeasonalNaive_HistoryShorterThanSeason_SaysHowMuchIsNeeded()
    {
        var e = Assert.Throws<ArgumentException>(() => ForecastBaselines.SeasonalNaive(History, 2, 12));
        Assert.Contains("season 12 needs at least 12 values of history; received 7", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ForecastBaselines.Naive([], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ForecastBaselines.Naive(History, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ForecastBaselines.SeasonalNaive(History, 1, 0));
    }

    [Fact]
    public void SeasonalNaive_MissingValueInLastSeason_NamesIt()
    {
        float[] history = [1f, float.NaN, 3f, 4f, float.NaN, 6f];
        var e = Assert.Throws<ArgumentException>(() => ForecastBaselines.SeasonalNaive(history, 3, 3));
        Assert.Contains("History value 4 is NaN", e.Message, StringComparison.Ordinal);
        // A gap older than the last season does not matter.
        Assert.Equal([6f], ForecastBaselines.Naive(history, 1));
    }
}
