// ChrFScore: corpus chrF with the statistics it is made of.
namespace LstmSharp.Translation;

/// <summary>
/// A corpus chrF result, in [0, 1] (sacreBLEU prints 100 × <see cref="Score"/>).
/// <see cref="Score"/> = (1 + β²) · P · R / (β² · P + R), where <see cref="Precision"/> P and <see cref="Recall"/> R
/// are the averages of matchesₙ / hypothesisₙ and matchesₙ / referenceₙ over the orders n where both counts are
/// positive. The per-order counts are summed over the corpus (index n − 1).
/// </summary>
public sealed record ChrFScore(
    double Score,
    double Precision,
    double Recall,
    IReadOnlyList<long> HypothesisCounts,
    IReadOnlyList<long> ReferenceCounts,
    IReadOnlyList<long> Matches);
