// EditDistance: Levenshtein distance between token sequences, for error rates (the word error rate of speech
// recognition, the phoneme error rate of grapheme-to-phoneme): total edits over total reference tokens.
namespace LstmSharp.Translation;

/// <summary>Edit distance (insertions, deletions, substitutions, each costing 1) between token sequences.</summary>
public static class EditDistance
{
    /// <summary>The fewest insertions, deletions and substitutions that turn <paramref name="hypothesis"/> into <paramref name="reference"/>.</summary>
    public static int Distance<T>(IReadOnlyList<T> hypothesis, IReadOnlyList<T> reference)
    {
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentNullException.ThrowIfNull(reference);
        var comparer = EqualityComparer<T>.Default;
        var previous = new int[reference.Count + 1];
        var current = new int[reference.Count + 1];
        for (var j = 0; j <= reference.Count; j++) previous[j] = j;
        for (var i = 1; i <= hypothesis.Count; i++)
        {
            current[0] = i;
            for (var j = 1; j <= reference.Count; j++)
            {
                var substitution = previous[j - 1] + (comparer.Equals(hypothesis[i - 1], reference[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[reference.Count];
    }
}
