// FoldScore: what evaluating one candidate on one fold gives — the score and, if known, the best epoch.
namespace LstmSharp.Tuning;

/// <summary>
/// The result of one candidate on one fold. A plain <see cref="double"/> converts to it, so an objective may
/// return just the score.
/// </summary>
/// <param name="Score">The fold's score; NaN or infinite marks the candidate failed.</param>
/// <param name="BestEpoch">The epoch (from 1) whose weights gave the score, or 0 when not known; their mean sets the epochs of a retrain.</param>
public readonly record struct FoldScore(double Score, int BestEpoch = 0)
{
    /// <summary>A score without an epoch.</summary>
    public static implicit operator FoldScore(double score) => new(score);
}
