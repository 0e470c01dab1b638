// StratifiedKFold: k-fold cross-validation that keeps each class's share in every fold (scikit-learn's StratifiedKFold).
using LstmSharp.Internals;
using LstmSharp.Metrics;

namespace LstmSharp.Tuning;

/// <summary>
/// Splits labelled, independent samples into <see cref="Folds"/> folds whose validation blocks hold each class in
/// (nearly) the same proportion as the whole: per class, the counts in the validation blocks differ by at most
/// one, and so do the block sizes. The allocation is scikit-learn's: the labels, sorted, are dealt round-robin
/// to the folds, and each class's samples (in index order, or permuted with <see cref="Shuffle"/>) fill their
/// folds' places in turn.
/// </summary>
public sealed class StratifiedKFold
{
    /// <summary>Creates a splitter into <paramref name="folds"/> folds (at least 2).</summary>
    public StratifiedKFold(int folds, bool shuffle = false, int seed = 0)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, $"Stratified k-fold cross-validation needs at least 2 folds; received {folds}.");
        Folds = folds;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>Number of folds.</summary>
    public int Folds { get; }

    /// <summary>Whether each class's samples are permuted before they are given to folds.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the permutations.</summary>
    public int Seed { get; }

    /// <summary>
    /// The folds of samples whose class ids (≥ 0) are <paramref name="labels"/>. Every class present needs at least
    /// <see cref="Folds"/> samples, so that each validation block sees it.
    /// </summary>
    public IReadOnlyList<Fold> Split(ReadOnlySpan<int> labels)
    {
        var count = labels.Length;
        if (count < Folds)
            throw new ArgumentException($"{Folds}-fold cross-validation needs at least {Folds} samples; received {count}.", nameof(labels));
        var classes = new SortedDictionary<int, List<int>>();
        for (var i = 0; i < count; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"Class ids must be ≥ 0; received {labels[i]} at sample {i}.", nameof(labels));
            if (!classes.TryGetValue(labels[i], out var members)) classes[labels[i]] = members = [];
            members.Add(i);
        }
        foreach (var (label, members) in classes)
        {
            if (members.Count < Folds)
            {
                throw new ArgumentException(
                    $"Class {label} has {members.Count} sample(s); stratified {Folds}-fold cross-validation needs at least {Folds} of every class. " +
                    "Use fewer folds, merge rare classes, or use KFold.", nameof(labels));
            }
        }

        // Deal the sorted labels round-robin: the class occupying sorted positions [offset, offset+m) gets
        // ⌈·⌉ or ⌊·⌋ of m/k places in each fold, starting at fold offset % k.
        var fold = new int[count];
        var rng = new Rng(Seed);
        var offset = 0;
        foreach (var members in classes.Values)
        {
            var m = members.Count;
            var order = members.ToArray();
            if (Shuffle) KFold.Permute(order, rng);
            var next = 0;
            for (var f = 0; f < Folds; f++)
            {
                // Positions p in [offset, offset+m) with p % k == f.
                var first = offset + ((f - offset % Folds) + Folds) % Folds;
                var places = first < offset + m ? (offset + m - 1 - first) / Folds + 1 : 0;
                for (var p = 0; p < places; p++) fold[order[next++]] = f;
            }
            offset += m;
        }

        var folds = new Fold[Folds];
        for (var f = 0; f < Folds; f++)
        {
            var validation = new List<int>();
            var train = new List<int>();
            for (var i = 0; i < count; i++) (fold[i] == f ? validation : train).Add(i);
            folds[f] = new Fold([.. train], [.. validation]);
        }
        return folds;
    }

    /// <summary>
    /// The folds of the samples of targets <paramref name="y"/>: class ids <c>[samples]</c> or <c>[samples, 1]</c>,
    /// or one-hot (or probability) rows <c>[samples, classes]</c> whose arg-max is the class.
    /// </summary>
    public IReadOnlyList<Fold> Split(Tensor y)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.Rank is < 1 or > 2)
            throw new ArgumentException($"Expected targets [samples], [samples, 1] or [samples, classes]; received [{Tensor.FormatShape(y.Shape)}].", nameof(y));
        var samples = y.Dim(0);
        var width = y.Rank == 1 ? 1 : y.Dim(1);
        var labels = new int[samples];
        for (var i = 0; i < samples; i++)
        {
            var row = y.Span.Slice(i * width, width);
            if (width > 1)
            {
                labels[i] = CategoricalAccuracy.ArgMax(row);
                continue;
            }
            var id = MathF.Round(row[0]);
            if (id != row[0] || id < 0 || id > int.MaxValue)
                throw new ArgumentException($"Expected class ids (whole numbers ≥ 0); sample {i} has {row[0]}.", nameof(y));
            labels[i] = (int)id;
        }
        return Split(labels);
    }
}
