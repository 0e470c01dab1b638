// Trial: one candidate's cross-validation — its fold scores, their mean and spread, its status and time.
using System.Globalization;

namespace LstmSharp.Tuning;

/// <summary>One candidate evaluated on every fold (or until a fold failed).</summary>
public sealed class Trial
{
    internal Trial(int number, HyperParameters hyperParameters, IReadOnlyList<double> scores, IReadOnlyList<int> bestEpochs, string? error, TimeSpan duration)
    {
        Number = number;
        HyperParameters = hyperParameters;
        FoldScores = scores;
        FoldEpochs = bestEpochs;
        Error = error;
        Duration = duration;
        Mean = error is null && scores.Count > 0 ? scores.Average() : double.NaN;
        Std = error is null && scores.Count > 1
            ? Math.Sqrt(scores.Sum(s => (s - Mean) * (s - Mean)) / (scores.Count - 1))
            : error is null && scores.Count == 1 ? 0 : double.NaN;
    }

    /// <summary>Trial number, from 1, in the order trials ran.</summary>
    public int Number { get; }

    /// <summary>The candidate.</summary>
    public HyperParameters HyperParameters { get; }

    /// <summary>The score of each fold done, in fold order (a failed trial lists the folds before the failure).</summary>
    public IReadOnlyList<double> FoldScores { get; }

    /// <summary>Each fold's best epoch (0 when the objective did not say), beside <see cref="FoldScores"/>.</summary>
    public IReadOnlyList<int> FoldEpochs { get; }

    /// <summary>Mean of the fold scores; NaN for a failed trial.</summary>
    public double Mean { get; }

    /// <summary>Sample standard deviation (n − 1) of the fold scores; 0 with one fold, NaN for a failed trial.</summary>
    public double Std { get; }

    /// <summary>Whether every fold gave a finite score.</summary>
    public TrialStatus Status => Error is null ? TrialStatus.Ok : TrialStatus.Failed;

    /// <summary>Why the trial failed (the exception's type and message, or the divergence), or null.</summary>
    public string? Error { get; }

    /// <summary>Wall-clock time of the trial.</summary>
    public TimeSpan Duration { get; }

    /// <summary>
    /// The mean of the folds' best epochs, rounded, or null when no fold reported one: the epochs to retrain the
    /// candidate on all the data for.
    /// </summary>
    public int? MeanBestEpoch
    {
        get
        {
            var known = FoldEpochs.Where(e => e > 0).ToArray();
            return known.Length == 0 ? null : Math.Max(1, (int)Math.Round(known.Average(), MidpointRounding.AwayFromZero));
        }
    }

    /// <inheritdoc />
    public override string ToString() => Status == TrialStatus.Ok
        ? string.Create(CultureInfo.InvariantCulture, $"trial {Number}: {HyperParameters} → {Mean:G6} ± {Std:G3}")
        : $"trial {Number}: {HyperParameters} failed: {Error}";
}
