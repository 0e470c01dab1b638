// ScalerTests: StandardScaler and MinMaxScaler — fitted values, inversion, rebuilding from stored numbers, errors.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class ScalerTests
{
    [Fact]
    public void StandardScaler_Fit_UsesMeanAndPopulationStd()
    {
        // The textbook example: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, population variance 32/8 = 4.
        var scaler = StandardScaler.Fit([2f, 4f, 4f, 4f, 5f, 5f, 7f, 9f]);
        Assert.Equal(5f, scaler.Mean);
        Assert.Equal(2f, scaler.Std);
        float[] values = [5f, 7f, 1f];
        scaler.Transform(values);
        Assert.Equal([0f, 1f, -2f], values);
        scaler.Inverse(values);
        Assert.Equal([5f, 7f, 1f], values);
    }

    [Fact]
    public void StandardScaler_Fit_StaysAccurateFarFromZero()
    {
        // A one-pass Σx² − n·mean² would lose every digit here in float; two passes in double keep them.
        var scaler = StandardScaler.Fit([1_000_000f, 1_000_001f, 1_000_002f]);
        Assert.Equal(1_000_001f, scaler.Mean);
        Assert.Equal(MathF.Sqrt(2f / 3f), scaler.Std, 5);
    }

    [Fact]
    public void StandardScaler_Fit_RejectsConstantAndNonFinite()
    {
        var e = Assert.Throws<ArgumentException>(() => StandardScaler.Fit([3.5f, 3.5f, 3.5f]));
        Assert.Contains("Every value is 3.5", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => StandardScaler.Fit([1f, float.NaN, 2f]));
        Assert.Contains("value 1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => StandardScaler.Fit([1f, float.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => StandardScaler.Fit([]));
    }

    [Fact]
    public void Scalers_CreateFromStoredNumbers_BehaveAsFitted()
    {
        float[] data = [3f, -1f, 8f, 2.5f];
        IScaler[] fitted = [StandardScaler.Fit(data), MinMaxScaler.Fit(data)];
        var standard = (StandardScaler)fitted[0];
        var minMax = (MinMaxScaler)fitted[1];
        IScaler[] rebuilt = [StandardScaler.Create(standard.Mean, standard.Std), new MinMaxScaler(minMax.Min, minMax.Max)];
        Assert.Equal(-1f, minMax.Min);
        Assert.Equal(8f, minMax.Max);
        for (var s = 0; s < fitted.Length; s++)
        {
            float[] a = [.. data], b = [.. data];
            fitted[s].Transform(a);
            rebuilt[s].Transform(b);
            Assert.Equal(a, b);
            rebuilt[s].Inverse(b);
            for (var i = 0; i < data.Length; i++) Assert.Equal(data[i], b[i], 5);
        }
    }

    [Fact]
    public void Scalers_Create_RejectsUnusableNumbers()
    {
        var e = Assert.Throws<ArgumentException>(() => StandardScaler.Create(1f, 0f));
        Assert.Contains("received 0", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new StandardScaler(float.NaN, 1f));
        Assert.Throws<ArgumentException>(() => new StandardScaler(0f, -2f));
        e = Assert.Throws<ArgumentException>(() => MinMaxScaler.Create(3f, 3f));
        Assert.Contains("min 3 and max 3", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new MinMaxScaler(0f, float.PositiveInfinity));
    }
}
