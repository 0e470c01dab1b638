// Search spaces: the grid is exactly the Cartesian product, random draws are seeded and in range, candidates read back typed.
using LstmSharp.Tuning;
using Xunit;

namespace LstmSharp.Tests.Tuning;

public sealed class SearchSpaceTests
{
    static SearchSpace Space() => new(
        new Choice<int>("units", 8, 16, 32),
        new IntRange("layers", 1, 2),
        new FloatRange("lr", 1e-3, 1e-1, log: true, steps: 3),
        new Choice<string>("optimizer", "adam", "sgd"));

    [Fact]
    public void Grid_IsExactlyTheCartesianProduct()
    {
        var grid = Space().Grid().ToArray();
        Assert.Equal(36, Space().GridSize);
        var expected =
            from units in new[] { 8, 16, 32 }
            from layers in new[] { 1, 2 }
            from lr in new[] { 1e-3, 1e-2, 1e-1 }
            from optimizer in new[] { "adam", "sgd" }
            select $"units={units}, layers={layers}, lr={lr:G4}, optimizer={optimizer}";
        Assert.Equal(expected, grid.Select(c => c.ToString()));
        Assert.Equal(36, grid.Distinct().Count());
        Assert.Equal(new[] { 1e-3, 1e-2, 1e-1 }, grid.Select(c => c.Get<double>("lr")).Distinct().Order().ToArray(), (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal(new object[] { 2, 5, 8 }, new IntRange("lookback", 2, 9, step: 3).GridValues());
        Assert.Equal(new object[] { 0.0, 0.25, 0.5 }, new FloatRange("dropout", 0, 0.5, steps: 3).GridValues());
    }

    [Fact]
    public void Grid_FloatRangeWithoutSteps_SaysHowToFixIt()
    {
        var space = new SearchSpace(new Choice<int>("units", 8), new FloatRange("lr", 1e-4, 1e-1, log: true));
        var e = Assert.Throws<InvalidOperationException>(() => space.Grid());
        Assert.Contains("FloatRange 'lr' has no grid values", e.Message, StringComparison.Ordinal);
        Assert.Contains("steps", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new Tuner(space));
        Assert.Equal(5, new Tuner(space, new() { Strategy = SearchStrategy.Random, MaxTrials = 5 }).Candidates().Count);
    }

    [Fact]
    public void Sample_SameSeedSameCandidates_DifferentSeedDifferent()
    {
        var space = new SearchSpace(new IntRange("units", 4, 64, step: 4), new FloatRange("lr", 1e-4, 1e-1, log: true), new FloatRange("dropout", 0, 0.5));
        var a = space.Sample(20, seed: 7);
        var b = space.Sample(20, seed: 7);
        var c = space.Sample(20, seed: 8);
        Assert.Equal(a, b);
        Assert.Equal(a.Select(h => h.Get<double>("lr")), b.Select(h => h.Get<double>("lr")));
        Assert.NotEqual(a, c);
        Assert.Equal(20, a.Distinct().Count());
        Assert.All(a, h =>
        {
            Assert.InRange(h.Get<int>("units"), 4, 64);
            Assert.Equal(0, h.Get<int>("units") % 4);
            Assert.InRange(h.Get<double>("dropout"), 0, 0.5);
        });
    }

    [Fact]
    public void Sample_LogRange_IsLogUniformWithinBounds()
    {
        var space = new SearchSpace(new FloatRange("lr", 1e-5, 1e-1, log: true));
        var values = space.Sample(4000, seed: 1).Select(h => h.GetDouble("lr")).ToArray();
        Assert.All(values, v => Assert.InRange(v, 1e-5, 1e-1));
        // Each decade holds about a quarter of the draws (a uniform draw would put 90 % in the top decade).
        for (var decade = -5; decade < -1; decade++)
        {
            var share = values.Count(v => v >= Math.Pow(10, decade) && v < Math.Pow(10, decade + 1)) / (double)values.Length;
            Assert.InRange(share, 0.21, 0.29);
        }
    }

    [Fact]
    public void Sample_SmallDiscreteSpace_GivesEveryCombinationOnce()
    {
        var space = new SearchSpace(new Choice<int>("units", 8, 16, 32), new Choice<bool>("peepholes", false, true));
        var drawn = space.Sample(10, seed: 3);
        Assert.Equal(6, drawn.Count);
        Assert.Equal(space.Grid().ToHashSet(), drawn.ToHashSet());
    }

    [Fact]
    public void HyperParameters_TypedGettersAndReadableText()
    {
        var h = new HyperParameters([new("units", 32), new("lr", 0.01), new("optimizer", "adam"), new("rate", 0.25f)]);
        Assert.Equal("units=32, lr=0.01, optimizer=adam, rate=0.25", h.ToString());
        Assert.Equal(32, h.Get<int>("units"));
        Assert.Equal(32, h.GetInt("units"));
        Assert.Equal(32f, h.GetFloat("units"));
        Assert.Equal(0.01f, h.GetFloat("lr"));
        Assert.Equal("adam", h.Get<string>("optimizer"));
        Assert.Equal(["units", "lr", "optimizer", "rate"], h.Names);
        var wrongType = Assert.Throws<InvalidCastException>(() => h.Get<string>("units"));
        Assert.Contains("'units' is Int32 32; requested String", wrongType.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidCastException>(() => h.GetInt("lr"));
        var missing = Assert.Throws<KeyNotFoundException>(() => h.GetInt("layers"));
        Assert.Contains("No hyper-parameter 'layers'; the candidate has: units, lr, optimizer, rate", missing.Message, StringComparison.Ordinal);
        Assert.Equal(h, new HyperParameters([new("units", 32), new("lr", 0.01), new("optimizer", "adam"), new("rate", 0.25f)]));
    }

    [Fact]
    public void BadDefinitions_SayWhatIsWrong()
    {
        Assert.Contains("lists 8 twice", Assert.Throws<ArgumentException>(() => new Choice<int>("units", 8, 16, 8)).Message, StringComparison.Ordinal);
        Assert.Contains("at least one value", Assert.Throws<ArgumentException>(() => new Choice<int>("units")).Message, StringComparison.Ordinal);
        Assert.Contains("min 5, max 2", Assert.Throws<ArgumentException>(() => new IntRange("layers", 5, 2)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntRange("layers", 1, 2, step: 0));
        Assert.Contains("log sampling needs min > 0", Assert.Throws<ArgumentOutOfRangeException>(() => new FloatRange("lr", 0, 1, log: true)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new FloatRange("lr", 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloatRange("lr", 0, 1, steps: 1));
        Assert.Contains("named 'units'", Assert.Throws<ArgumentException>(() => new SearchSpace(new IntRange("units", 1, 2), new Choice<int>("units", 3))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new SearchSpace());
    }
}
