// TaggingEvaluation: token accuracy, entity precision/recall/F1 (overall and per type, as conlleval) and the tag
// confusion table of predicted tags against gold ones.
using System.Collections.ObjectModel;

namespace LstmSharp.Tagging;

/// <summary>
/// Scores of predicted tag sequences against gold ones. Spans come from <see cref="TagSchemes.Spans"/>; a predicted
/// span is correct only when a gold span of the same sentence has the same type, start and end, which is how
/// conlleval counts "correct" chunks. Ratios are in [0, 1] (conlleval prints 100 ×). The object holds data only:
/// the caller decides how to print it.
/// </summary>
public sealed class TaggingEvaluation
{
    TaggingEvaluation(TagScheme scheme, int tokenCount, int correctTokens, EntityScore overall,
        IReadOnlyDictionary<string, EntityScore> byType, IReadOnlyList<string> tags, int[,] confusion)
    {
        Scheme = scheme;
        TokenCount = tokenCount;
        CorrectTokens = correctTokens;
        Overall = overall;
        ByType = byType;
        Tags = tags;
        Confusion = confusion;
    }

    /// <summary>The scheme the spans were read with.</summary>
    public TagScheme Scheme { get; }

    /// <summary>The number of tokens over all sentences.</summary>
    public int TokenCount { get; }

    /// <summary>The tokens whose predicted tag equals the gold tag (ordinal).</summary>
    public int CorrectTokens { get; }

    /// <summary><see cref="CorrectTokens"/> / <see cref="TokenCount"/>, or 0 when there are no tokens.</summary>
    public double TokenAccuracy => TokenCount == 0 ? 0 : (double)CorrectTokens / TokenCount;

    /// <summary>Span counts and scores over all types (conlleval's "overall" line: micro-averaged).</summary>
    public EntityScore Overall { get; }

    /// <summary>Span counts and scores per type, for every type in the gold or the predicted spans; enumerated in ordinal order of the type, as conlleval sorts them.</summary>
    public IReadOnlyDictionary<string, EntityScore> ByType { get; }

    /// <summary>Every tag in the gold or the predicted sequences, sorted ordinal: the rows and columns of <see cref="Confusion"/>.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Token counts <c>[gold, predicted]</c> over <see cref="Tags"/>: row g holds what the tokens tagged <c>Tags[g]</c> were predicted as.</summary>
    public int[,] Confusion { get; }

    /// <summary>Scores <paramref name="predicted"/>[s] against <paramref name="gold"/>[s] for every sentence s, reading spans under <paramref name="scheme"/>.</summary>
    /// <exception cref="ArgumentException">The two have not as many sentences, or a sentence has not as many predicted tags as gold ones (the message gives the sentence index, from 0, and both lengths).</exception>
    public static TaggingEvaluation Compute(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted, TagScheme scheme)
    {
        TagSchemes.CheckScheme(scheme);
        if (gold.Count != predicted.Count)
            throw new ArgumentException($"Expected as many predicted sentences as gold ones; received {gold.Count} gold and {predicted.Count} predicted.", nameof(predicted));
        for (var s = 0; s < gold.Count; s++)
            if (gold[s].Count != predicted[s].Count)
                throw new ArgumentException($"Sentence {s} (counting from 0) has {gold[s].Count} gold tags and {predicted[s].Count} predicted tags; each predicted sentence must be as long as its gold one.", nameof(predicted));

        var (tokenCount, correctTokens) = (0, 0);
        var pairs = new Dictionary<(string Gold, string Predicted), int>();
        var counts = new SortedDictionary<string, (int Gold, int Predicted, int Correct)>(StringComparer.Ordinal);
        for (var s = 0; s < gold.Count; s++)
        {
            for (var i = 0; i < gold[s].Count; i++)
            {
                var key = (gold[s][i], predicted[s][i]);
                pairs[key] = pairs.GetValueOrDefault(key) + 1;
                if (string.Equals(key.Item1, key.Item2, StringComparison.Ordinal)) correctTokens++;
                tokenCount++;
            }
            var goldSpans = TagSchemes.Spans(gold[s], scheme);
            var goldSet = new HashSet<EntitySpan>(goldSpans);
            foreach (var span in goldSpans)
            {
                var c = counts.GetValueOrDefault(span.Type);
                counts[span.Type] = (c.Gold + 1, c.Predicted, c.Correct);
            }
            foreach (var span in TagSchemes.Spans(predicted[s], scheme))
            {
                var c = counts.GetValueOrDefault(span.Type);
                counts[span.Type] = (c.Gold, c.Predicted + 1, c.Correct + (goldSet.Contains(span) ? 1 : 0));
            }
        }

        var byType = new SortedDictionary<string, EntityScore>(StringComparer.Ordinal);
        foreach (var (type, c) in counts) byType[type] = new EntityScore(c.Gold, c.Predicted, c.Correct);
        var overall = new EntityScore(byType.Values.Sum(e => e.Gold), byType.Values.Sum(e => e.Predicted), byType.Values.Sum(e => e.Correct));

        var tags = pairs.Keys.SelectMany(k => (string[])[k.Gold, k.Predicted]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = tags.Select((tag, i) => (tag, i)).ToDictionary(p => p.tag, p => p.i, StringComparer.Ordinal);
        var confusion = new int[tags.Length, tags.Length];
        foreach (var ((g, p), n) in pairs) confusion[index[g], index[p]] = n;

        return new TaggingEvaluation(scheme, tokenCount, correctTokens, overall,
            new ReadOnlyDictionary<string, EntityScore>(byType), tags, confusion);
    }
}
