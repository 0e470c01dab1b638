// Hypothesis: one decoded output sequence with its log-probability and its ranking score.
namespace LstmSharp.Translation;

/// <summary>
/// A decoded sequence. <paramref name="Tokens"/> are the generated ids without the start and end tokens;
/// <paramref name="Finished"/> says whether the end token was produced (false: cut at the length limit);
/// <paramref name="LogProbability"/> is Σ log p(yₜ | y₍&lt;t₎, x) over every step, the end token included;
/// <paramref name="Score"/> is what hypotheses are ranked by: <c>LogProbability / lp(|Y|)</c> with GNMT's length
/// penalty lp(n) = ((5 + n) / 6)^α, where |Y| counts the steps (the end token included); α = 0 gives the
/// log-probability itself.
/// </summary>
public sealed record Hypothesis(IReadOnlyList<int> Tokens, bool Finished, double LogProbability, double Score)
{
    /// <summary>Decoding steps taken: the tokens, and the end token when <see cref="Finished"/>.</summary>
    public int Steps => Tokens.Count + (Finished ? 1 : 0);

    /// <summary>GNMT's length penalty lp(n) = ((5 + n) / 6)^α (Wu et al. 2016, eq. 14).</summary>
    public static double LengthPenalty(int steps, double alpha) => alpha == 0 ? 1 : Math.Pow((5.0 + steps) / 6.0, alpha);
}
