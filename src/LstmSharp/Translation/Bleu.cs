// Bleu: corpus BLEU (Papineni et al. 2002) over token sequences or 13a-tokenized strings, computed as NLTK's corpus_bleu.
namespace LstmSharp.Translation;

/// <summary>
/// Corpus-level BLEU: clipped n-gram matches and hypothesis n-gram counts are summed over all segments
/// (micro-average), then BLEU = BP · exp(Σₙ₌₁..N log pₙ / N) with pₙ = matchesₙ / totalₙ and the brevity penalty
/// BP = 1 if c &gt; r, 0 if c = 0, else exp(1 − r / c), where c is the hypothesis length and r the sum of the
/// reference lengths closest to each hypothesis (ties: the shorter). This is NLTK's <c>corpus_bleu</c> with uniform
/// weights, including its two conventions: each segment adds at least 1 to totalₙ (a hypothesis shorter than n adds 1),
/// and no unigram match gives 0 whatever the smoothing.
/// </summary>
public static class Bleu
{
    /// <summary>
    /// BLEU of <paramref name="hypotheses"/>[i] against <paramref name="references"/>[i] (one or more references per
    /// segment), on tokens compared with <see cref="EqualityComparer{T}.Default"/> (ordinal for strings).
    /// </summary>
    public static BleuScore Corpus<T>(
        IReadOnlyList<IReadOnlyList<T>> hypotheses,
        IReadOnlyList<IReadOnlyList<IReadOnlyList<T>>> references,
        BleuOptions? options = null)
        where T : notnull
    {
        options ??= new BleuOptions();
        options.Validate();
        CheckCorpus(hypotheses.Count, references.Count, i => references[i].Count);
        var order = options.MaxOrder;
        var matches = new long[order];
        var totals = new long[order];
        long hypothesisLength = 0, referenceLength = 0;
        for (var s = 0; s < hypotheses.Count; s++)
        {
            var ids = new Dictionary<T, int>();
            var hypothesis = ToIds(hypotheses[s], ids);
            var segmentReferences = references[s].Select(r => ToIds(r, ids)).ToArray();
            for (var n = 1; n <= order; n++)
            {
                var hypothesisCounts = NGramCounter.Count(hypothesis, n);
                // max over references of each n-gram's count: the clip of "the the the"
                var maxReference = new Dictionary<NGram, int>();
                foreach (var reference in segmentReferences)
                    foreach (var (gram, count) in NGramCounter.Count(reference, n))
                        if (hypothesisCounts.ContainsKey(gram)) maxReference[gram] = Math.Max(maxReference.GetValueOrDefault(gram), count);
                matches[n - 1] += NGramCounter.Matches(hypothesisCounts, maxReference);
                totals[n - 1] += Math.Max(1, NGramCounter.Total(hypothesisCounts));
            }
            hypothesisLength += hypothesis.Length;
            referenceLength += ClosestLength(segmentReferences, hypothesis.Length);
        }
        return Score(matches, totals, hypothesisLength, referenceLength, options);
    }

    /// <summary>
    /// BLEU of detokenized strings: every hypothesis and reference is split by <see cref="Tokenizer13a"/> first
    /// (sacreBLEU's default tokenizer), then scored as tokens. <paramref name="references"/>[i] holds the references of
    /// segment i (NLTK's layout, not sacreBLEU's one stream per reference).
    /// </summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, BleuOptions? options = null)
    {
        CheckCorpus(hypotheses.Count, references.Count, i => references[i].Count);
        var hypothesisTokens = hypotheses.Select(h => (IReadOnlyList<string>)Tokenizer13a.Tokenize(h)).ToArray();
        var referenceTokens = references
            .Select(rs => (IReadOnlyList<IReadOnlyList<string>>)rs.Select(r => (IReadOnlyList<string>)Tokenizer13a.Tokenize(r)).ToArray())
            .ToArray();
        return Corpus(hypothesisTokens, referenceTokens, options);
    }

    static BleuScore Score(long[] matches, long[] totals, long hypothesisLength, long referenceLength, BleuOptions options)
    {
        var order = matches.Length;
        var brevityPenalty = hypothesisLength > referenceLength ? 1.0
            : hypothesisLength == 0 ? 0.0
            : Math.Exp(1 - (double)referenceLength / hypothesisLength);
        var precisions = new double[order];
        var zeroOrders = 0; // k of the NIST smoothing: how many orders so far had no match
        for (var n = 0; n < order; n++)
        {
            if (matches[n] > 0) precisions[n] = (double)matches[n] / totals[n];
            else
            {
                zeroOrders++;
                precisions[n] = options.Smoothing switch
                {
                    BleuSmoothing.Epsilon => options.Epsilon / totals[n],
                    BleuSmoothing.Nist => 1 / (Math.Pow(2, zeroOrders) * totals[n]),
                    _ => 0,
                };
            }
        }
        // NLTK: no unigram match is BLEU 0 even with smoothing; without smoothing any zero order gives 0
        // (NLTK substitutes the smallest normal double there, giving ~1e-77 instead of exactly 0).
        double score = 0;
        if (matches[0] > 0 && Array.TrueForAll(precisions, p => p > 0))
        {
            double logSum = 0;
            foreach (var p in precisions) logSum += Math.Log(p);
            score = brevityPenalty * Math.Exp(logSum / order);
        }
        return new BleuScore(score, precisions, matches, totals, brevityPenalty, hypothesisLength, referenceLength);
    }

    static int[] ToIds<T>(IReadOnlyList<T> tokens, Dictionary<T, int> ids)
        where T : notnull
    {
        var result = new int[tokens.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (!ids.TryGetValue(tokens[i], out var id)) ids[tokens[i]] = id = ids.Count;
            result[i] = id;
        }
        return result;
    }

    /// <summary>The reference length nearest to <paramref name="hypothesisLength"/>; on a tie the shorter (NLTK, mteval).</summary>
    static int ClosestLength(int[][] references, int hypothesisLength)
    {
        var best = references[0].Length;
        foreach (var reference in references)
        {
            var length = reference.Length;
            var distance = Math.Abs(length - hypothesisLength);
            var bestDistance = Math.Abs(best - hypothesisLength);
            if (distance < bestDistance || (distance == bestDistance && length < best)) best = length;
        }
        return best;
    }

    internal static void CheckCorpus(int hypotheses, int references, Func<int, int> referencesOfSegment)
    {
        if (hypotheses != references)
            throw new ArgumentException($"Expected one list of references per hypothesis; received {hypotheses} hypotheses and {references} reference lists.", nameof(references));
        if (hypotheses == 0)
            throw new ArgumentException("Expected at least one segment; received an empty corpus.", nameof(hypotheses));
        for (var i = 0; i < references; i++)
            if (referencesOfSegment(i) == 0)
                throw new ArgumentException($"Segment {i} has no reference; every segment needs at least one.", nameof(references));
    }
}
