// KFold: k-fold cross-validation for independent samples (scikit-learn's KFold).
using LstmSharp.Internals;

namespace LstmSharp.Tuning;

/// <summary>
/// Splits <c>count</c> independent samples into <see cref="Folds"/> validation blocks of sizes that differ by at most
/// one (the first <c>count % k</c> blocks are one larger), as scikit-learn's <c>KFold</c>. Each fold validates on one
/// block and trains on the rest, so every sample is validated exactly once. Without shuffling the blocks are
/// consecutive runs of indices; with it the indices are permuted (seeded) first. Not for time series: use
/// <see cref="TimeSeriesSplit"/>, which never trains on the future.
/// </summary>
public sealed class KFold
{
    /// <summary>Creates a splitter into <paramref name="folds"/> folds (at least 2).</summary>
    public KFold(int folds, bool shuffle = false, int seed = 0)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, $"K-fold cross-validation needs at least 2 folds; received {folds}.");
        Folds = folds;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>Number of folds.</summary>
    public int Folds { get; }

    /// <summary>Whether the indices are permuted before they are cut into blocks.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the permutation.</summary>
    public int Seed { get; }

    /// <summary>The folds of samples 0 … <paramref name="count"/>−1.</summary>
    public IReadOnlyList<Fold> Split(int count)
    {
        if (count < Folds)
            throw new ArgumentException($"{Folds}-fold cross-validation needs at least {Folds} samples (one per validation block); received {count}.", nameof(count));
        var order = Enumerable.Range(0, count).ToArray();
        if (Shuffle) Permute(order, new Rng(Seed));
        var folds = new Fold[Folds];
        var start = 0;
        for (var f = 0; f < Folds; f++)
        {
            var size = count / Folds + (f < count % Folds ? 1 : 0);
            folds[f] = Cut(order, start, size);
            start += size;
        }
        return folds;
    }

    /// <summary>Fisher–Yates with the library's generator, so a seed gives the same permutation everywhere.</summary>
    internal static void Permute(Span<int> values, Rng rng)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>The fold validating on <paramref name="order"/>[start … start+size) and training on the rest, both sorted.</summary>
    internal static Fold Cut(int[] order, int start, int size)
    {
        var validation = order.AsSpan(start, size).ToArray();
        var train = new int[order.Length - size];
        order.AsSpan(0, start).CopyTo(train);
        order.AsSpan(start + size).CopyTo(train.AsSpan(start));
        Array.Sort(validation);
        Array.Sort(train);
        return new Fold(train, validation);
    }
}
