// WordVocabulary: word → id for a tagger's Embedding: 0 is padding, 1 is [UNK], then the training words by frequency.
namespace LstmSharp.Tagging;

internal sealed class WordVocabulary
{
    public const int PaddingId = 0;
    public const int UnknownId = 1;
    readonly Dictionary<string, int> _ids;

    public WordVocabulary(IReadOnlyList<string> words, bool lowercase)
    {
        Words = words;
        Lowercase = lowercase;
        _ids = new Dictionary<string, int>(words.Count, StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++)
            if (!_ids.TryAdd(words[i], i + 2)) throw new ArgumentException($"The word '{words[i]}' is in the vocabulary twice.", nameof(words));
    }

    /// <summary>The known words, id 2 onwards.</summary>
    public IReadOnlyList<string> Words { get; }

    public bool Lowercase { get; }

    /// <summary>Ids: padding, [UNK] and the words.</summary>
    public int Size => Words.Count + 2;

    /// <summary>The most frequent <paramref name="max"/> words of <paramref name="sentences"/> (ties in first-seen order), and which ids were seen once.</summary>
    public static (WordVocabulary Vocabulary, bool[] Rare) Fit(IEnumerable<IReadOnlyList<string>> sentences, bool lowercase, int max)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var sentence in sentences)
            foreach (var token in sentence)
            {
                var word = lowercase ? token.ToLowerInvariant() : token;
                if (counts.TryGetValue(word, out var n)) counts[word] = n + 1;
                else
                {
                    counts[word] = 1;
                    order.Add(word);
                }
            }
        var kept = order.OrderByDescending(w => counts[w]).Take(max).ToArray();   // stable: ties keep the first-seen order
        var vocabulary = new WordVocabulary(kept, lowercase);
        var rare = new bool[vocabulary.Size];
        for (var i = 0; i < kept.Length; i++) rare[i + 2] = counts[kept[i]] == 1;
        return (vocabulary, rare);
    }

    public int Id(string token) => _ids.TryGetValue(Lowercase ? token.ToLowerInvariant() : token, out var id) ? id : UnknownId;
}
