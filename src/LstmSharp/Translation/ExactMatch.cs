// ExactMatch: the share of outputs equal to their target, for symbolic tasks (arithmetic, copying, parsing).
namespace LstmSharp.Translation;

/// <summary>Sequence-level exact-match accuracy: a prediction counts only when every token equals the target's.</summary>
public static class ExactMatch
{
    /// <summary>The fraction, in [0, 1], of <paramref name="predictions"/>[i] equal element-wise to <paramref name="targets"/>[i].</summary>
    public static double Accuracy<T>(IReadOnlyList<IReadOnlyList<T>> predictions, IReadOnlyList<IReadOnlyList<T>> targets)
    {
        Check(predictions.Count, targets.Count);
        var comparer = EqualityComparer<T>.Default;
        var hits = 0;
        for (var i = 0; i < predictions.Count; i++)
            if (predictions[i].Count == targets[i].Count && predictions[i].Zip(targets[i]).All(p => comparer.Equals(p.First, p.Second))) hits++;
        return (double)hits / predictions.Count;
    }

    /// <summary>The fraction, in [0, 1], of <paramref name="predictions"/>[i] ordinal-equal to <paramref name="targets"/>[i].</summary>
    public static double Accuracy(IReadOnlyList<string> predictions, IReadOnlyList<string> targets)
    {
        Check(predictions.Count, targets.Count);
        var hits = 0;
        for (var i = 0; i < predictions.Count; i++)
            if (string.Equals(predictions[i], targets[i], StringComparison.Ordinal)) hits++;
        return (double)hits / predictions.Count;
    }

    static void Check(int predictions, int targets)
    {
        if (predictions != targets || predictions == 0)
            throw new ArgumentException($"Expected as many predictions as targets, at least one; received {predictions} predictions and {targets} targets.");
    }
}
