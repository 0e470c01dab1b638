using LstmSharp.Data;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class DataTests
{
    [Fact]
    public void Windows_Create_TakesLookbackAndNextValues()
    {
        // Two columns: t and 10·t.
        var series = new Tensor(Enumerable.Range(0, 7).SelectMany(t => new[] { (float)t, 10f * t }).ToArray(), 7, 2);
        var (x, y) = Windows.Create(series, lookback: 3, horizon: 2, targetColumn: 1);
        Assert.True(x.HasShape(3, 3, 2));
        Assert.True(y.HasShape(3, 2));
        Assert.Equal([1f, 10f, 2f, 20f, 3f, 30f], x.Slice(1).ToArray());
        Assert.Equal([40f, 50f], y.Slice(1).ToArray());
        var e = Assert.Throws<ArgumentException>(() => Windows.Create(series, 6, 2));
        Assert.Contains("at least 8 steps", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinMaxScaler_FitsOnGivenPartAndInverts()
    {
        var scaler = MinMaxScaler.Fit([2f, 6f, 4f]);
        float[] values = [2f, 4f, 10f];
        scaler.Transform(values);
        Assert.Equal([0f, 0.5f, 2f], values);
        scaler.Inverse(values);
        Assert.Equal([2f, 4f, 10f], values);
        Assert.Throws<ArgumentException>(() => MinMaxScaler.Fit([3f, 3f]));
        Assert.Throws<ArgumentException>(() => MinMaxScaler.Fit([3f, float.NaN]));
    }

    [Fact]
    public void ForecastErrors_MatchHandComputedValues()
    {
        float[] actual = [10, 20, 30, 40], forecast = [12, 18, 33, 40];
        Assert.Equal(7.0 / 4, ForecastErrors.Mae(actual, forecast), 12);
        Assert.Equal(Math.Sqrt((4 + 4 + 9) / 4.0), ForecastErrors.Rmse(actual, forecast), 12);
        Assert.Equal(100 * (0.2 + 0.1 + 0.1) / 4, ForecastErrors.Mape(actual, forecast), 10);
        Assert.Equal(100 * (4.0 / 22 + 4.0 / 38 + 6.0 / 63) / 4, ForecastErrors.Smape(actual, forecast), 10);
        // In-sample seasonal-naive (season 2) error of [1, 2, 4, 8] is mean(|4−1|, |8−2|) = 4.5.
        Assert.Equal(1.75 / 4.5, ForecastErrors.Mase(actual, forecast, [1, 2, 4, 8], season: 2), 12);
        Assert.Throws<ArgumentException>(() => ForecastErrors.Mae(actual, [1f]));
    }

    [Fact]
    public void MeanSquaredError_ValueAndGradient()
    {
        var p = new Tensor([1f, 2f, 3f, 4f], 2, 2);
        var y = new Tensor([0f, 2f, 5f, 3f], 2, 2);
        var d = Tensor.Zeros(2, 2);
        var loss = new MeanSquaredError().Compute(p, y, d);
        Assert.Equal((1 + 0 + 4 + 1) / 4f, loss, 6);
        Assert.Equal([0.5f, 0f, -1f, 0.5f], d.ToArray());
        Assert.Throws<ArgumentException>(() => new MeanSquaredError().Compute(p, Tensor.Zeros(4), Tensor.Zeros(2, 2)));
    }
}
