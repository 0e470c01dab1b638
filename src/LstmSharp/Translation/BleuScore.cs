// BleuScore: corpus BLEU with the parts it is made of.
namespace LstmSharp.Translation;

/// <summary>
/// A corpus BLEU result, in [0, 1] (sacreBLEU and papers print 100 × <see cref="Score"/>).
/// <see cref="Score"/> = <see cref="BrevityPenalty"/> · exp(Σₙ log pₙ / N).
/// <see cref="Matches"/>[n−1] is the clipped n-gram match count summed over the segments and
/// <see cref="Totals"/>[n−1] the hypothesis n-gram count summed the way NLTK does (each segment adds at least 1);
/// <see cref="Precisions"/>[n−1] = matches / total, or the smoothed value when matches are 0 (0 without smoothing).
/// <see cref="HypothesisLength"/> is c, the hypothesis tokens; <see cref="ReferenceLength"/> is r, the sum over
/// segments of the reference length closest to the hypothesis length (the shorter one on a tie).
/// </summary>
public sealed record BleuScore(
    double Score,
    IReadOnlyList<double> Precisions,
    IReadOnlyList<long> Matches,
    IReadOnlyList<long> Totals,
    double BrevityPenalty,
    long HypothesisLength,
    long ReferenceLength)
{
    /// <summary>c / r, the ratio sacreBLEU reports.</summary>
    public double LengthRatio => ReferenceLength == 0 ? 0 : (double)HypothesisLength / ReferenceLength;
}
