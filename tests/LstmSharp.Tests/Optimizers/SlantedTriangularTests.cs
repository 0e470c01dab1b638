// SlantedTriangular against ULMFiT's eq. (3) worked by hand at the steps where its pieces meet.
using LstmSharp.Optimizers;
using Xunit;

namespace LstmSharp.Tests.Optimizers;

public sealed class SlantedTriangularTests
{
    // T = 1000, cut_frac 0.1, ratio 32, η_max 0.01: cut = 100, and the fall lasts cut·(1/0.1 − 1) = 900 steps.
    [Theory]
    [InlineData(0, 0.01 / 32)]                              // p = 0
    [InlineData(99, 0.01 * (1 + 0.99 * 31) / 32)]           // p = 99/100
    [InlineData(100, 0.01)]                                 // p = 1: the peak
    [InlineData(101, 0.01 * (1 + (899.0 / 900) * 31) / 32)] // p = 1 − 1/900
    [InlineData(550, 0.01 * (1 + 0.5 * 31) / 32)]           // p = 1 − 450/900
    [InlineData(999, 0.01 * (1 + (1.0 / 900) * 31) / 32)]   // p = 1 − 899/900: the last step
    public void Rate_UlmfitDefaults_MatchesEquation3(long step, double expected)
        => Assert.Equal(expected, new SlantedTriangular(0.01f, 1000).Rate(step), expected * 1e-6);

    [Fact]
    public void Rate_CutFractionAndRatio_MatchesEquation3()
    {
        // T = 10, cut_frac 0.7, ratio 4: cut = ⌊7.0⌋ = 7 (a float 0.7 would give ⌊6.99999⌋ = 6); the fall lasts 7·(1/0.7 − 1) = 3 steps.
        var s = new SlantedTriangular(2f, 10, cutFraction: 0.7, ratio: 4f);
        Assert.Equal(2.0 * (1 + 0.0 * 3) / 4, s.Rate(0), 1e-6);
        Assert.Equal(2.0 * (1 + 6.0 / 7 * 3) / 4, s.Rate(6), 1e-6);
        Assert.Equal(2.0, s.Rate(7), 1e-6);
        Assert.Equal(2.0 * (1 + (1 - 1.0 / 3) * 3) / 4, s.Rate(8), 1e-6);
        Assert.Equal(2.0 * (1 + (1 - 2.0 / 3) * 3) / 4, s.Rate(9), 1e-6);
    }

    [Fact]
    public void Rate_PastTheFall_HoldsTheLowestRate()
    {
        // T = 10, cut_frac 0.15: cut = 1 and the fall lasts 1·(1/0.15 − 1) = 5.67 steps, so p reaches 0 at step 6.67,
        // before T; from there on (and after T) the rate is η_max/ratio, never below.
        var s = new SlantedTriangular(1f, 10, cutFraction: 0.15);
        Assert.Equal(1.0 * (1 + (1 - 5 / (1 / 0.15 - 1)) * 31) / 32, s.Rate(6), 1e-6);
        foreach (var step in new long[] { 7, 9, 10, 1000 }) Assert.Equal(1f / 32, s.Rate(step), 1e-7f);
    }

    [Theory]
    [InlineData(0f, 100L, 0.1, 32f, "maxRate")]
    [InlineData(float.PositiveInfinity, 100L, 0.1, 32f, "maxRate")]
    [InlineData(0.01f, 0L, 0.1, 32f, "totalSteps")]
    [InlineData(0.01f, 100L, 0.0, 32f, "cutFraction")]
    [InlineData(0.01f, 100L, 1.0, 32f, "cutFraction")]
    [InlineData(0.01f, 9L, 0.1, 32f, "cutFraction")] // ⌊0.9⌋ = 0 steps of rise
    [InlineData(0.01f, 100L, 0.1, 0.5f, "ratio")]
    public void Constructor_BadArgument_NamesIt(float maxRate, long totalSteps, double cutFraction, float ratio, string name)
        => Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => new SlantedTriangular(maxRate, totalSteps, cutFraction, ratio)).ParamName);

    [Fact]
    public void Optimizer_WithSlantedTriangular_StepsAtEachRate()
    {
        // SGD on a parameter with gradient 1: each step moves it by exactly that step's rate.
        var s = new SlantedTriangular(0.5f, 20, cutFraction: 0.25, ratio: 8f);
        var sgd = new Sgd(1f) { Schedule = s };
        var p = new Parameter("w", Tensor.Zeros(1));
        var expected = 0.0;
        for (var t = 0; t < 20; t++)
        {
            p.Gradient.Span[0] = 1f;
            sgd.Step([p]);
            expected -= s.Rate(t);
            Assert.Equal(s.Rate(t), sgd.LearningRate);
        }
        Assert.Equal(expected, p.Value.Span[0], 1e-5);
    }
}
