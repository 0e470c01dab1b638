// ChrF: character n-gram F-score (Popović 2015), corpus level as sacreBLEU 2.x computes it.
using System.Text;

namespace LstmSharp.Translation;

/// <summary>
/// Corpus chrF as sacreBLEU's <c>CHRF</c> (2.x, word order 0, <c>eps_smoothing=False</c>): white space is removed
/// (Python's <c>str.split()</c> rule), character n-grams of orders 1..<see cref="ChrFOptions.CharOrder"/> are counted
/// over Unicode code points; per segment and order the statistics are [hypothesis n-grams, reference n-grams,
/// clipped matches], where the hypothesis count is 0 when the reference has no n-gram of that order. With several
/// references a segment takes the statistics of the reference with the highest sentence chrF (the first on a tie).
/// The statistics are summed over the corpus and the F-score is computed once from the sums.
/// </summary>
public static class ChrF
{
    /// <summary>chrF of <paramref name="hypotheses"/>[i] against the references <paramref name="references"/>[i].</summary>
    public static ChrFScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, ChrFOptions? options = null)
    {
        options ??= new ChrFOptions();
        options.Validate();
        Bleu.CheckCorpus(hypotheses.Count, references.Count, i => references[i].Count);
        var order = options.CharOrder;
        var totals = new long[3 * order]; // [hypothesis, reference, matches] per order, as sacreBLEU's flat list
        for (var s = 0; s < hypotheses.Count; s++)
        {
            var hypothesis = Counts(hypotheses[s], options);
            long[]? best = null;
            var bestScore = -1.0;
            foreach (var reference in references[s])
            {
                var statistics = Statistics(hypothesis, Counts(reference, options));
                var score = FScore(statistics, options.Beta).Score;
                if (score > bestScore) (best, bestScore) = (statistics, score);
            }
            for (var i = 0; i < totals.Length; i++) totals[i] += best![i];
        }
        var (f, precision, recall) = FScore(totals, options.Beta);
        return new ChrFScore(f, precision, recall,
            [.. Enumerable.Range(0, order).Select(n => totals[3 * n])],
            [.. Enumerable.Range(0, order).Select(n => totals[3 * n + 1])],
            [.. Enumerable.Range(0, order).Select(n => totals[3 * n + 2])]);
    }

    /// <summary>The n-gram counts of orders 1..N of one segment's code points (white space removed unless kept).</summary>
    static Dictionary<NGram, int>[] Counts(string text, ChrFOptions options)
    {
        var codePoints = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
            if (options.IncludeWhiteSpace || !Tokenizer13a.IsPythonWhiteSpace(rune)) codePoints.Add(rune.Value);
        var ids = codePoints.ToArray();
        var counts = new Dictionary<NGram, int>[options.CharOrder];
        for (var n = 1; n <= counts.Length; n++) counts[n - 1] = NGramCounter.Count(ids, n);
        return counts;
    }

    static long[] Statistics(Dictionary<NGram, int>[] hypothesis, Dictionary<NGram, int>[] reference)
    {
        var statistics = new long[3 * hypothesis.Length];
        for (var n = 0; n < hypothesis.Length; n++)
        {
            // sacreBLEU: "don't count hits if no reference exists for that n-gram" order
            statistics[3 * n] = reference[n].Count == 0 ? 0 : NGramCounter.Total(hypothesis[n]);
            statistics[3 * n + 1] = NGramCounter.Total(reference[n]);
            statistics[3 * n + 2] = NGramCounter.Matches(hypothesis[n], reference[n]);
        }
        return statistics;
    }

    /// <summary>F_β of the precision and recall averaged over the orders with hypothesis and reference n-grams.</summary>
    static (double Score, double Precision, double Recall) FScore(long[] statistics, double beta)
    {
        double precision = 0, recall = 0;
        var effectiveOrder = 0;
        for (var i = 0; i < statistics.Length; i += 3)
        {
            var (hypothesisCount, referenceCount, matches) = (statistics[i], statistics[i + 1], statistics[i + 2]);
            if (hypothesisCount > 0 && referenceCount > 0)
            {
                precision += (double)matches / hypothesisCount;
                recall += (double)matches / referenceCount;
                effectiveOrder++;
            }
        }
        if (effectiveOrder == 0) return (0, 0, 0);
        precision /= effectiveOrder;
        recall /= effectiveOrder;
        if (precision + recall == 0) return (0, precision, recall);
        var factor = beta * beta;
        return ((1 + factor) * precision * recall / (factor * precision + recall), precision, recall);
    }
}
