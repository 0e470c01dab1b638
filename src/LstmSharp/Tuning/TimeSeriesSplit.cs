// TimeSeriesSplit: expanding- or sliding-window splits of time-ordered samples (scikit-learn's TimeSeriesSplit).
namespace LstmSharp.Tuning;

/// <summary>
/// Splits time-ordered samples so that no fold trains on the future, as scikit-learn's <c>TimeSeriesSplit</c>.
/// The last <c>folds × testSize</c> samples form <see cref="Folds"/> consecutive validation blocks; fold f trains on
/// the samples before its block, less the <see cref="Gap"/> samples just before it (so look-back windows that overlap
/// the block, or a horizon that reaches into it, do not leak). By default the training window expands fold by fold;
/// with <see cref="MaxTrainSize"/> it slides, keeping only the latest samples.
/// </summary>
public sealed class TimeSeriesSplit
{
    /// <summary>
    /// Creates a splitter into <paramref name="folds"/> folds (at least 2) with validation blocks of
    /// <paramref name="testSize"/> samples (default <c>count / (folds + 1)</c>), <paramref name="gap"/> samples left
    /// out between training and validation, and at most <paramref name="maxTrainSize"/> training samples (default: all
    /// before the gap).
    /// </summary>
    public TimeSeriesSplit(int folds, int? testSize = null, int gap = 0, int? maxTrainSize = null)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, $"Time-series cross-validation needs at least 2 folds; received {folds}.");
        if (testSize < 1) throw new ArgumentOutOfRangeException(nameof(testSize), testSize, $"testSize must be at least 1; received {testSize}.");
        if (gap < 0) throw new ArgumentOutOfRangeException(nameof(gap), gap, $"gap must be ≥ 0; received {gap}.");
        if (maxTrainSize < 1) throw new ArgumentOutOfRangeException(nameof(maxTrainSize), maxTrainSize, $"maxTrainSize must be at least 1; received {maxTrainSize}.");
        Folds = folds;
        TestSize = testSize;
        Gap = gap;
        MaxTrainSize = maxTrainSize;
    }

    /// <summary>Number of folds.</summary>
    public int Folds { get; }

    /// <summary>Samples per validation block (null = <c>count / (folds + 1)</c>).</summary>
    public int? TestSize { get; }

    /// <summary>Samples left out between the end of training and the start of validation.</summary>
    public int Gap { get; }

    /// <summary>The most training samples per fold (a sliding window), or null for an expanding window.</summary>
    public int? MaxTrainSize { get; }

    /// <summary>The folds of time-ordered samples 0 … <paramref name="count"/>−1.</summary>
    public IReadOnlyList<Fold> Split(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be ≥ 0; received {count}.");
        var testSize = TestSize ?? count / (Folds + 1);
        if (testSize < 1)
        {
            throw new ArgumentException(
                $"{count} samples are too few for {Folds} time-series folds: the default validation block, count / (folds + 1), would be empty. " +
                $"It needs at least {Folds + 1} samples.", nameof(count));
        }
        var firstTest = count - (long)Folds * testSize;
        if (firstTest - Gap < 1)
        {
            throw new ArgumentException(
                $"Time-series cross-validation with {Folds} folds of {testSize} validation samples and a gap of {Gap} needs at least " +
                $"{1 + (long)Folds * testSize + Gap} samples (1 to train on + {Folds}×{testSize} + {Gap}); received {count}.", nameof(count));
        }
        var folds = new Fold[Folds];
        for (var f = 0; f < Folds; f++)
        {
            var testStart = (int)firstTest + f * testSize;
            var trainEnd = testStart - Gap;
            var trainStart = MaxTrainSize is { } max && max < trainEnd ? trainEnd - max : 0;
            folds[f] = new Fold(Enumerable.Range(trainStart, trainEnd - trainStart).ToArray(), Enumerable.Range(testStart, testSize).ToArray());
        }
        return folds;
    }
}
