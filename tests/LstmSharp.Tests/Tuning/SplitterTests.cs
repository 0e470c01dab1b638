// Splitters: properties over many sizes (no leaks, partitions, balanced folds, no future data) and argument errors.
using LstmSharp.Tuning;
using Xunit;

namespace LstmSharp.Tests.Tuning;

public sealed class SplitterTests
{
    static void AssertSortedDisjoint(Fold fold, int count)
    {
        Assert.True(fold.Train.Zip(fold.Train.Skip(1)).All(p => p.First < p.Second), "train indices ascending and distinct");
        Assert.True(fold.Validation.Zip(fold.Validation.Skip(1)).All(p => p.First < p.Second), "validation indices ascending and distinct");
        Assert.Empty(fold.Train.Intersect(fold.Validation));
        Assert.All(fold.Train.Concat(fold.Validation), i => Assert.InRange(i, 0, count - 1));
    }

    [Fact]
    public void KFold_Split_PartitionsEverySizeIntoBalancedFolds()
    {
        foreach (var shuffle in new[] { false, true })
        {
            for (var n = 2; n <= 200; n++)
            {
                for (var k = 2; k <= Math.Min(10, n); k++)
                {
                    var folds = new KFold(k, shuffle, seed: n * 31 + k).Split(n);
                    Assert.Equal(k, folds.Count);
                    foreach (var fold in folds)
                    {
                        AssertSortedDisjoint(fold, n);
                        Assert.Equal(n, fold.Train.Length + fold.Validation.Length);
                    }
                    // Every sample is validated exactly once.
                    Assert.Equal(Enumerable.Range(0, n), folds.SelectMany(f => f.Validation).Order());
                    var sizes = folds.Select(f => f.Validation.Length).ToArray();
                    Assert.True(sizes.Max() - sizes.Min() <= 1, $"n={n} k={k}: sizes {string.Join(",", sizes)}");
                }
            }
        }
    }

    [Fact]
    public void KFold_Split_NoShuffleGivesConsecutiveBlocksLargerFirst()
    {
        var folds = new KFold(3).Split(8);
        Assert.Equal([0, 1, 2], folds[0].Validation);
        Assert.Equal([3, 4, 5], folds[1].Validation);
        Assert.Equal([6, 7], folds[2].Validation);
        Assert.Equal([0, 1, 2, 6, 7], folds[1].Train);
    }

    [Fact]
    public void KFold_Split_ShuffleIsSeeded()
    {
        var a = new KFold(4, shuffle: true, seed: 5).Split(50);
        var b = new KFold(4, shuffle: true, seed: 5).Split(50);
        var c = new KFold(4, shuffle: true, seed: 6).Split(50);
        Assert.Equal(a.Select(f => f.Validation), b.Select(f => f.Validation));
        Assert.NotEqual(a.Select(f => f.Validation), c.Select(f => f.Validation));
        Assert.NotEqual(Enumerable.Range(0, 13), a[0].Validation);
    }

    [Fact]
    public void KFold_BadArguments_SayWhatIsNeeded()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new KFold(1));
        Assert.Contains("at least 2 folds; received 1", e.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => new KFold(5).Split(4));
        Assert.Contains("needs at least 5 samples", e2.Message, StringComparison.Ordinal);
        Assert.Contains("received 4", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StratifiedKFold_Split_KeepsClassProportionsAtEverySize()
    {
        var rng = new Random(1);
        var checkedSplits = 0;
        foreach (var shuffle in new[] { false, true })
        {
            for (var n = 2; n <= 200; n++)
            {
                for (var k = 2; k <= Math.Min(10, n); k++)
                {
                    var classes = 1 + rng.Next(4);
                    // Skewed classes: class c is about (c+1) times as frequent as class 0; ids are sparse (0, 3, 6, …).
                    var labels = Enumerable.Range(0, n).Select(_ => 3 * Math.Min(classes - 1, (int)Math.Sqrt(rng.Next(classes * classes)))).ToArray();
                    var counts = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
                    var splitter = new StratifiedKFold(k, shuffle, seed: n);
                    if (counts.Values.Min() < k)
                    {
                        var rare = counts.Where(c => c.Value < k).MinBy(c => c.Key);
                        var e = Assert.Throws<ArgumentException>(() => splitter.Split(labels));
                        Assert.Contains($"Class {rare.Key} has {rare.Value} sample(s)", e.Message, StringComparison.Ordinal);
                        continue;
                    }
                    var folds = splitter.Split(labels);
                    checkedSplits++;
                    Assert.Equal(k, folds.Count);
                    foreach (var fold in folds)
                    {
                        AssertSortedDisjoint(fold, n);
                        Assert.Equal(n, fold.Train.Length + fold.Validation.Length);
                    }
                    Assert.Equal(Enumerable.Range(0, n), folds.SelectMany(f => f.Validation).Order());
                    var sizes = folds.Select(f => f.Validation.Length).ToArray();
                    Assert.True(sizes.Max() - sizes.Min() <= 1, $"n={n} k={k}: sizes {string.Join(",", sizes)}");
                    foreach (var label in counts.Keys)
                    {
                        var perFold = folds.Select(f => f.Validation.Count(i => labels[i] == label)).ToArray();
                        Assert.True(perFold.Max() - perFold.Min() <= 1, $"n={n} k={k} class {label}: {string.Join(",", perFold)}");
                    }
                }
            }
        }
        Assert.True(checkedSplits > 1000, $"only {checkedSplits} valid splits checked");
    }

    [Fact]
    public void StratifiedKFold_SplitTensor_ReadsIdsAndOneHotRows()
    {
        int[] labels = [0, 1, 1, 0, 2, 2, 1, 0, 2];
        var ids = new Tensor(labels.Select(l => (float)l).ToArray(), labels.Length, 1);
        var oneHot = Tensor.Zeros(labels.Length, 3);
        for (var i = 0; i < labels.Length; i++) oneHot[i, labels[i]] = 1f;
        var expected = new StratifiedKFold(3).Split(labels);
        Assert.Equal(expected.Select(f => f.Validation), new StratifiedKFold(3).Split(ids).Select(f => f.Validation));
        Assert.Equal(expected.Select(f => f.Validation), new StratifiedKFold(3).Split(oneHot).Select(f => f.Validation));
        ids.Span[4] = 1.5f;
        var e = Assert.Throws<ArgumentException>(() => new StratifiedKFold(3).Split(ids));
        Assert.Contains("sample 4 has 1.5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StratifiedKFold_BadArguments_NameTheClass()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StratifiedKFold(1));
        var e = Assert.Throws<ArgumentException>(() => new StratifiedKFold(3).Split([0, 0, 0, 7, 7, 1, 1, 1]));
        Assert.Contains("Class 7 has 2 sample(s)", e.Message, StringComparison.Ordinal);
        Assert.Contains("at least 3", e.Message, StringComparison.Ordinal);
        var negative = Assert.Throws<ArgumentException>(() => new StratifiedKFold(2).Split([0, -1, 0, 1]));
        Assert.Contains("received -1 at sample 1", negative.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeSeriesSplit_Split_NeverTrainsOnTheFuture()
    {
        var valid = 0;
        int?[] testSizes = [null, 1, 2, 5];
        int?[] maxTrains = [null, 1, 3, 10];
        for (var n = 2; n <= 200; n++)
        {
            for (var k = 2; k <= 10; k++)
            {
                for (var gap = 0; gap <= 3; gap++)
                {
                    foreach (var testSize in testSizes)
                    {
                        foreach (var maxTrain in maxTrains)
                        {
                            var splitter = new TimeSeriesSplit(k, testSize, gap, maxTrain);
                            var size = testSize ?? n / (k + 1);
                            if (size < 1 || n - k * size - gap < 1)
                            {
                                Assert.Throws<ArgumentException>(() => splitter.Split(n));
                                continue;
                            }
                            var folds = splitter.Split(n);
                            valid++;
                            Assert.Equal(k, folds.Count);
                            for (var f = 0; f < k; f++)
                            {
                                var (train, validation) = (folds[f].Train, folds[f].Validation);
                                AssertSortedDisjoint(folds[f], n);
                                Assert.NotEmpty(train);
                                Assert.Equal(size, validation.Length);
                                // No future data, and the gap is kept: every training index is before the block, by more than the gap.
                                Assert.True(train.Max() + gap < validation.Min(), $"n={n} k={k} gap={gap}: train ends {train.Max()}, validation starts {validation.Min()}");
                                Assert.Equal(validation.Min() - gap - 1, train.Max());
                                // Contiguous blocks, following one another up to the last sample.
                                Assert.Equal(validation.Length - 1, validation[^1] - validation[0]);
                                Assert.Equal(train.Length - 1, train[^1] - train[0]);
                                if (f > 0) Assert.Equal(folds[f - 1].Validation[^1] + 1, validation[0]);
                                if (maxTrain is { } max) Assert.True(train.Length <= max);
                                else Assert.Equal(0, train[0]);
                            }
                            Assert.Equal(n - 1, folds[^1].Validation[^1]);
                        }
                    }
                }
            }
        }
        Assert.True(valid > 10_000, $"only {valid} valid splits checked");
    }

    [Fact]
    public void TimeSeriesSplit_Split_MatchesScikitLearn()
    {
        // sklearn: TimeSeriesSplit(n_splits=3, test_size=2, gap=1, max_train_size=4).split(range(12))
        var folds = new TimeSeriesSplit(3, testSize: 2, gap: 1, maxTrainSize: 4).Split(12);
        Assert.Equal([1, 2, 3, 4], folds[0].Train);
        Assert.Equal([6, 7], folds[0].Validation);
        Assert.Equal([3, 4, 5, 6], folds[1].Train);
        Assert.Equal([8, 9], folds[1].Validation);
        Assert.Equal([5, 6, 7, 8], folds[2].Train);
        Assert.Equal([10, 11], folds[2].Validation);
        // Default test size n / (folds + 1), expanding window.
        var expanding = new TimeSeriesSplit(4).Split(10);
        Assert.Equal([0, 1], expanding[0].Train);
        Assert.Equal([2, 3], expanding[0].Validation);
        Assert.Equal(Enumerable.Range(0, 8), expanding[3].Train);
        Assert.Equal([8, 9], expanding[3].Validation);
    }

    [Fact]
    public void TimeSeriesSplit_BadArguments_SayWhatIsNeeded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeSeriesSplit(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeSeriesSplit(3, testSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeSeriesSplit(3, gap: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeSeriesSplit(3, maxTrainSize: 0));
        var e = Assert.Throws<ArgumentException>(() => new TimeSeriesSplit(5, testSize: 10, gap: 2).Split(40));
        Assert.Contains("needs at least 53 samples", e.Message, StringComparison.Ordinal);
        Assert.Contains("received 40", e.Message, StringComparison.Ordinal);
        var tooFew = Assert.Throws<ArgumentException>(() => new TimeSeriesSplit(5).Split(5));
        Assert.Contains("at least 6 samples", tooFew.Message, StringComparison.Ordinal);
    }
}
