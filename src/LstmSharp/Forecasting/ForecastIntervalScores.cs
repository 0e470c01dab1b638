// ForecastIntervalScores: how good quantile forecasts are — coverage and width of each central interval, the weighted
// interval score and the mean quantile loss — next to the point scores.
using LstmSharp.Metrics;

namespace LstmSharp.Forecasting;

/// <summary>One central prediction interval: its nominal coverage, how often it held the actual value, and its mean width.</summary>
/// <param name="Nominal">The interval's nominal coverage, <c>1 − 2τ</c> for the quantiles τ and 1 − τ (0.8 for 0.1 and 0.9).</param>
/// <param name="Lower">The lower quantile τ.</param>
/// <param name="Observed">The fraction of actual values inside <c>[q_τ, q_{1−τ}]</c>.</param>
/// <param name="MeanWidth">The mean of <c>q_{1−τ} − q_τ</c>, in the target's units.</param>
public sealed record IntervalCoverage(double Nominal, float Lower, double Observed, double MeanWidth);

/// <summary>
/// Scores of quantile forecasts against what happened: the coverage of every central interval the quantiles form
/// (pairs τ and 1 − τ), the weighted interval score of Bracher et al. (2021) over those intervals and the median, the same
/// divided by MASE's scale, and the mean quantile (pinball) loss over all quantiles (twice it approximates the CRPS).
/// </summary>
/// <param name="Intervals">Each central interval, widest first.</param>
/// <param name="Wis">
/// The mean over forecasts of <c>WIS = (½·|y − m| + Σ_k (α_k/2)·IS_{α_k}) / (K + ½)</c>, with
/// <c>IS_α = (u − l) + (2/α)(l − y)·[y &lt; l] + (2/α)(y − u)·[y &gt; u]</c> for the K central (1 − α) intervals [l, u]
/// and m the median; in the target's units (lower is better; for the median alone it is the MAE).
/// </param>
/// <param name="ScaledWis">WIS divided by the in-sample seasonal-naive MAE of the training part (MASE's scale).</param>
/// <param name="QuantileLoss">The mean of <c>ρ_τ(y − q_τ)</c> over forecasts and quantiles.</param>
public sealed record ForecastIntervalScores(IReadOnlyList<IntervalCoverage> Intervals, double Wis, double ScaledWis, double QuantileLoss)
{
    /// <summary>
    /// Scores the quantile forecasts <paramref name="quantiles"/> (<c>[forecast][quantile]</c>, levels
    /// <paramref name="levels"/>, increasing with 0.5 among them) against <paramref name="actual"/>, WIS scaled on
    /// <paramref name="training"/> with lag <paramref name="season"/> as MASE is.
    /// </summary>
    /// <exception cref="ArgumentException">No forecasts, mismatched lengths, or levels without 0.5.</exception>
    public static ForecastIntervalScores Compute(ReadOnlySpan<float> actual, IReadOnlyList<float[]> quantiles, IReadOnlyList<float> levels,
        ReadOnlySpan<float> training, int season)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        ArgumentNullException.ThrowIfNull(levels);
        if (actual.IsEmpty || actual.Length != quantiles.Count)
            throw new ArgumentException($"Expected one quantile forecast per actual value ({actual.Length}); received {quantiles.Count}.", nameof(quantiles));
        var median = -1;
        for (var j = 0; j < levels.Count; j++)
            if (levels[j] == 0.5f) median = j;
        if (median < 0) throw new ArgumentException($"The quantile levels ({string.Join(", ", levels)}) must hold 0.5, the median.", nameof(levels));
        // The central intervals: the j-th level from each end, while they are τ and 1 − τ.
        var pairs = new List<int>();
        for (var j = 0; j < median && levels.Count - 1 - j > median; j++)
            if (Math.Abs(levels[j] + levels[levels.Count - 1 - j] - 1f) < 1e-6f) pairs.Add(j);
        var inside = new double[pairs.Count];
        var width = new double[pairs.Count];
        double wis = 0, pinball = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var q = quantiles[i];
            if (q.Length != levels.Count) throw new ArgumentException($"Forecast {i + 1} holds {q.Length} quantiles; expected {levels.Count}.", nameof(quantiles));
            double y = actual[i];
            var score = 0.5 * Math.Abs(y - q[median]);
            for (var p = 0; p < pairs.Count; p++)
            {
                double l = q[pairs[p]], u = q[levels.Count - 1 - pairs[p]], alpha = 2.0 * levels[pairs[p]];
                if (y >= l && y <= u) inside[p]++;
                width[p] += u - l;
                var interval = (u - l) + (y < l ? 2 / alpha * (l - y) : 0) + (y > u ? 2 / alpha * (y - u) : 0);
                score += alpha / 2 * interval;
            }
            wis += score / (pairs.Count + 0.5);
            for (var j = 0; j < levels.Count; j++)
            {
                var e = y - q[j];
                pinball += Math.Max(levels[j] * e, (levels[j] - 1) * e);
            }
        }
        var n = actual.Length;
        wis /= n;
        var intervals = pairs.Select((j, p) => new IntervalCoverage(1 - 2.0 * levels[j], levels[j], inside[p] / n, width[p] / n)).ToArray();
        return new ForecastIntervalScores(intervals, wis, wis / ForecastErrors.MaseScale(training, season), pinball / (n * levels.Count));
    }
}
