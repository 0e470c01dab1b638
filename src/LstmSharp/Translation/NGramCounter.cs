// NGramCounter: n-gram counts of a sequence of ids (token ids for BLEU, code points for chrF), keyed by a view into it.
namespace LstmSharp.Translation;

/// <summary>A window <c>ids[start .. start + length)</c> compared and hashed by its values.</summary>
readonly struct NGram(int[] ids, int start, int length) : IEquatable<NGram>
{
    readonly int[] _ids = ids;
    readonly int _start = start;
    readonly int _length = length;

    ReadOnlySpan<int> Span => _ids.AsSpan(_start, _length);

    public bool Equals(NGram other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is NGram other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var id in Span) hash.Add(id);
        return hash.ToHashCode();
    }
}

static class NGramCounter
{
    /// <summary>How often each n-gram of order <paramref name="n"/> occurs in <paramref name="ids"/> (empty when shorter than n).</summary>
    public static Dictionary<NGram, int> Count(int[] ids, int n)
    {
        var counts = new Dictionary<NGram, int>();
        for (var i = 0; i + n <= ids.Length; i++)
        {
            var key = new NGram(ids, i, n);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>Σ over the hypothesis n-grams of min(count, reference count): the clipped matches.</summary>
    public static long Matches(Dictionary<NGram, int> hypothesis, Dictionary<NGram, int> reference)
    {
        long matches = 0;
        foreach (var (gram, count) in hypothesis)
            if (reference.TryGetValue(gram, out var referenceCount)) matches += Math.Min(count, referenceCount);
        return matches;
    }

    /// <summary>Σ of the counts: how many n-grams the sequence has.</summary>
    public static long Total(Dictionary<NGram, int> counts)
    {
        long total = 0;
        foreach (var count in counts.Values) total += count;
        return total;
    }
}
