// BytePairEncoding: subword units learned from a corpus (Sennrich, Haddow & Birch 2016) — start from characters and
// merge the most frequent adjacent pair, again and again, until the vocabulary is full; a word is then split by
// replaying the merges in the order they were learned. Words carry a start marker on their first symbol (SentencePiece's
// "▁"), so the pieces of a text can be joined back into its words.
namespace LstmSharp.Data;

/// <summary>Learns merges and splits words into subword pieces with them.</summary>
internal sealed class BytePairEncoding
{
    /// <summary>The start-of-word marker on a word's first piece.</summary>
    public const string WordStart = "\u2581";

    readonly Dictionary<(string Left, string Right), int> _ranks;
    readonly Dictionary<string, string[]> _cache = new(StringComparer.Ordinal);
    const int CacheLimit = 100_000;

    public BytePairEncoding(IReadOnlyList<(string Left, string Right)> merges)
    {
        Merges = merges;
        _ranks = new Dictionary<(string, string), int>(merges.Count);
        for (var i = 0; i < merges.Count; i++) _ranks.TryAdd(merges[i], i);
    }

    /// <summary>The merges in the order they were learned (and are replayed).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>A word's symbols before any merge: its characters (runes), the first with the start marker.</summary>
    public static List<string> Symbols(string word)
    {
        var symbols = new List<string>();
        foreach (var rune in word.EnumerateRunes()) symbols.Add(symbols.Count == 0 ? WordStart + rune : rune.ToString());
        return symbols;
    }

    /// <summary>
    /// The pieces of <paramref name="word"/>: its symbols with the learned merges replayed — at each round the pair of
    /// the earliest-learned merge is merged wherever it occurs, left to right — as training split its words.
    /// </summary>
    public string[] Split(string word)
    {
        if (_cache.TryGetValue(word, out var cached)) return cached;
        var symbols = Symbols(word);
        while (symbols.Count > 1)
        {
            var (best, rank) = (-1, int.MaxValue);
            for (var i = 0; i + 1 < symbols.Count; i++)
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var r) && r < rank) (best, rank) = (i, r);
            if (best < 0) break;
            var (left, right) = (symbols[best], symbols[best + 1]);
            var merged = new List<string>(symbols.Count);
            for (var i = 0; i < symbols.Count; i++)
            {
                if (i + 1 < symbols.Count && symbols[i] == left && symbols[i + 1] == right)
                {
                    merged.Add(left + right);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }
            symbols = merged;
        }
        var pieces = symbols.ToArray();
        if (_cache.Count < CacheLimit) _cache[word] = pieces;
        return pieces;
    }

    /// <summary>The order of candidate pairs: more frequent first, then by left, then right symbol (ordinal).</summary>
    static int First((long Count, string Left, string Right) a, (long Count, string Left, string Right) b)
    {
        if (a.Count != b.Count) return b.Count.CompareTo(a.Count);
        var left = string.CompareOrdinal(a.Left, b.Left);
        return left != 0 ? left : string.CompareOrdinal(a.Right, b.Right);
    }

    /// <summary>
    /// Learns up to <paramref name="maxMerges"/> merges from words and their counts: each round merges the adjacent
    /// pair that occurs most often (counting each word as often as it occurs), ties broken by the pair's left then right
    /// symbol in ordinal order, so the result is deterministic; it stops early when no pair occurs
    /// <paramref name="minCount"/> times. Pair counts are updated only for the words a merge touches.
    /// </summary>
    public static List<(string Left, string Right)> Learn(IReadOnlyDictionary<string, long> words, int maxMerges, int minCount)
    {
        var names = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string symbol)
        {
            if (!ids.TryGetValue(symbol, out var id))
            {
                ids[symbol] = id = names.Count;
                names.Add(symbol);
            }
            return id;
        }
        var sequences = new List<int[]>(words.Count);
        var counts = new List<long>(words.Count);
        foreach (var (word, count) in words.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            sequences.Add([.. Symbols(word).Select(Id)]);
            counts.Add(count);
        }

        var pairCounts = new Dictionary<long, long>();
        var pairWords = new Dictionary<long, HashSet<int>>();
        var queue = new PriorityQueue<long, (long Count, string Left, string Right)>(Comparer<(long Count, string Left, string Right)>.Create(First));
        static long Key(int left, int right) => ((long)left << 32) | (uint)right;
        void Count(int w, int sign)
        {
            var s = sequences[w];
            for (var i = 0; i + 1 < s.Length; i++)
            {
                var key = Key(s[i], s[i + 1]);
                var total = pairCounts.GetValueOrDefault(key) + sign * counts[w];
                pairCounts[key] = total;
                if (sign > 0)
                {
                    if (!pairWords.TryGetValue(key, out var set)) pairWords[key] = set = [];
                    set.Add(w);
                }
                if (total > 0) queue.Enqueue(key, (total, names[s[i]], names[s[i + 1]]));
            }
        }
        for (var w = 0; w < sequences.Count; w++) Count(w, +1);

        var merges = new List<(string, string)>();
        while (merges.Count < maxMerges && queue.TryDequeue(out var key, out var priority))
        {
            if (pairCounts.GetValueOrDefault(key) != priority.Count) continue;   // stale: the count changed since
            if (priority.Count < minCount) break;
            int left = (int)(key >> 32), right = (int)(uint)key;
            var merged = Id(names[left] + names[right]);
            merges.Add((names[left], names[right]));
            foreach (var w in pairWords[key].ToArray())
            {
                var s = sequences[w];
                Count(w, -1);
                var next = new List<int>(s.Length);
                for (var i = 0; i < s.Length; i++)
                {
                    if (i + 1 < s.Length && s[i] == left && s[i + 1] == right)
                    {
                        next.Add(merged);
                        i++;
                    }
                    else
                    {
                        next.Add(s[i]);
                    }
                }
                for (var i = 0; i + 1 < s.Length; i++) pairWords.GetValueOrDefault(Key(s[i], s[i + 1]))?.Remove(w);
                sequences[w] = [.. next];
                Count(w, +1);
            }
        }
        return merges;
    }
}
