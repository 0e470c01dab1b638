// SplitsTests: stratified class splits (sizes, determinism, errors) and chronological split sizes.
using LstmSharp.Data;
using Xunit;

namespace LstmSharp.Tests.Data;

public sealed class SplitsTests
{
    // 10 × class 0, 4 × class 1, 1 × class 2, 2 × class 5, interleaved.
    static readonly int[] Labels = [0, 1, 0, 5, 0, 0, 1, 2, 0, 0, 1, 0, 5, 0, 0, 1, 0];

    static int CountOf(int[] rows, int label) => rows.Count(r => Labels[r] == label);

    [Fact]
    public void Stratified_TakesRoundedShareOfEachClass()
    {
        var (train, test) = Splits.Stratified(Labels, 0.25, seed: 7);
        // Class 0: round(2.5) = 3 (half away from zero); class 1: 1; class 2 (one row): 0; class 5: round(0.5) = 1.
        Assert.Equal(3, CountOf(test, 0));
        Assert.Equal(1, CountOf(test, 1));
        Assert.Equal(0, CountOf(test, 2));
        Assert.Equal(1, CountOf(test, 5));
        Assert.Equal(12, train.Length);
        Assert.Equal(Enumerable.Range(0, Labels.Length), train.Concat(test).Order());
        Assert.Equal(train.Order(), train);
        Assert.Equal(test.Order(), test);
    }

    [Fact]
    public void Stratified_KeepsAtLeastOneRowPerSide()
    {
        var (train, test) = Splits.Stratified(Labels, 0.01, seed: 1);
        Assert.Equal([1, 1, 0, 1], new[] { 0, 1, 2, 5 }.Select(c => CountOf(test, c)));
        (train, test) = Splits.Stratified(Labels, 0.99, seed: 1);
        Assert.Equal([1, 1, 1, 1], new[] { 0, 1, 2, 5 }.Select(c => CountOf(train, c)));
    }

    [Fact]
    public void Stratified_SameSeedSameSplit_OtherSeedsShuffle()
    {
        var first = Splits.Stratified(Labels, 0.3, seed: 42);
        var again = Splits.Stratified(Labels, 0.3, seed: 42);
        Assert.Equal(first.Test, again.Test);
        Assert.Equal(first.Train, again.Train);
        var distinct = Enumerable.Range(0, 10).Select(s => string.Join(",", Splits.Stratified(Labels, 0.3, s).Test)).Distinct().Count();
        Assert.True(distinct >= 5, $"only {distinct} distinct test sets over 10 seeds");
    }

    [Fact]
    public void Stratified_RejectsOneClassNegativeLabelsAndBadFractions()
    {
        var e = Assert.Throws<ArgumentException>(() => Splits.Stratified([3, 3, 3], 0.2, 0));
        Assert.Contains("needs at least two classes; every label is class 3", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Splits.Stratified([0, 1, -1], 0.2, 0));
        Assert.Contains("Label 2 is -1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Splits.Stratified([], 0.2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.Stratified([0, 1], 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.Stratified([0, 1], 1, 0));
    }

    [Fact]
    public void Chronological_ValidationIsAShareOfRowsBeforeTheTest()
    {
        // 100 − 12 = 88 rows before the test; round(0.2 × 88 = 17.6) = 18 validation, 70 training.
        Assert.Equal((70, 18, 12), Splits.Chronological(100, 0.2, 12));
        Assert.Equal((7, 0, 3), Splits.Chronological(10, 0, 3));
        // round(0.01 × 10) = 0, raised to 1 because validation was asked for.
        Assert.Equal((9, 1, 0), Splits.Chronological(10, 0.01, 0));
    }

    [Fact]
    public void Chronological_TooFewRows_SaysHowManyAreNeeded()
    {
        var e = Assert.Throws<ArgumentException>(() => Splits.Chronological(5, 0.5, 4));
        Assert.Contains("at least 6 rows", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Splits.Chronological(3, 0, 5));
        Assert.Contains("leaving 0 for training", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.Chronological(10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.Chronological(10, 0.1, -1));
    }
}
