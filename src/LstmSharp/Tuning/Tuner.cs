// Tuner: hyper-parameter search by cross-validation — grid or seeded random candidates, each scored on every fold
// by the mean and spread of a metric, within a budget; a failing candidate is recorded and the search goes on.
// Training models on tensors (the common case) is in Tuner.Tensors.cs.
using System.Diagnostics;
using LstmSharp.Callbacks;
using LstmSharp.Internals;

namespace LstmSharp.Tuning;

/// <summary>
/// Searches a <see cref="SearchSpace"/> by cross-validation, as scikit-learn's <c>GridSearchCV</c> /
/// <c>RandomizedSearchCV</c> and KerasTuner do. Each candidate (<see cref="Candidates"/>) is evaluated on every fold;
/// its score is the mean over folds (with the sample standard deviation beside it). A candidate whose evaluation
/// throws, or whose score is NaN or infinite, is recorded as failed and the search continues. No trial starts after
/// <see cref="SearchOptions.MaxDuration"/>. The same options, data and objective give the same trials and scores.
/// </summary>
public sealed partial class Tuner
{
    /// <summary>Random search's number of candidates when <see cref="SearchOptions.MaxTrials"/> is not set.</summary>
    public const int DefaultRandomTrials = 10;

    readonly bool _higherIsBetter;

    /// <summary>A tuner over <paramref name="space"/>.</summary>
    public Tuner(SearchSpace space, SearchOptions? options = null)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        options ??= new SearchOptions();
        if (!Enum.IsDefined(options.Strategy)) throw new ArgumentOutOfRangeException(nameof(options), options.Strategy, $"Unknown search strategy {options.Strategy}.");
        if (options.MaxTrials < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxTrials, $"MaxTrials must be at least 1; received {options.MaxTrials}.");
        if (options.MaxDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), options.MaxDuration, $"MaxDuration must be positive; received {options.MaxDuration}.");
        if (options.EarlyStoppingPatience < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.EarlyStoppingPatience, $"EarlyStoppingPatience must be at least 1 (or null for none); received {options.EarlyStoppingPatience}.");
        if (string.IsNullOrWhiteSpace(options.Metric)) throw new ArgumentException("SearchOptions.Metric needs a name, e.g. val_loss.", nameof(options));
        if (options.Strategy == SearchStrategy.Grid) _ = space.GridSize; // a range without steps fails here, naming itself
        Options = options;
        _higherIsBetter = new Callbacks.Monitor(options.Metric, options.Mode, 0f).HigherIsBetter;
    }

    /// <summary>The hyper-parameters searched.</summary>
    public SearchSpace Space { get; }

    /// <summary>The options.</summary>
    public SearchOptions Options { get; }

    /// <summary>
    /// The candidates the search tries, in order: the first <see cref="SearchOptions.MaxTrials"/> grid combinations,
    /// or <see cref="SearchOptions.MaxTrials"/> (default <see cref="DefaultRandomTrials"/>) random draws.
    /// </summary>
    public IReadOnlyList<HyperParameters> Candidates() => Options.Strategy == SearchStrategy.Grid
        ? Space.Grid().Take(Options.MaxTrials ?? int.MaxValue).ToArray()
        : Space.Sample(Options.MaxTrials ?? DefaultRandomTrials, Options.Seed);

    /// <summary>
    /// Scores every candidate on every fold of <paramref name="folds"/> with <paramref name="objective"/>, which trains
    /// a model for the candidate on the fold's training samples and returns its score on the validation samples.
    /// </summary>
    public SearchResult Search(IReadOnlyList<Fold> folds, Func<HyperParameters, Fold, FoldContext, FoldScore> objective)
    {
        ArgumentNullException.ThrowIfNull(folds);
        if (folds.Count == 0) throw new ArgumentException("The search needs at least one fold; received none.", nameof(folds));
        return Search(_ => folds, objective);
    }

    /// <summary>
    /// As <see cref="Search(IReadOnlyList{Fold}, Func{HyperParameters, Fold, FoldContext, FoldScore})"/>, with folds
    /// that depend on the candidate: when a hyper-parameter such as the look-back changes the samples themselves, the
    /// objective builds them for the candidate and <paramref name="folds"/> splits them.
    /// </summary>
    public SearchResult Search(Func<HyperParameters, IReadOnlyList<Fold>> folds, Func<HyperParameters, Fold, FoldContext, FoldScore> objective)
    {
        ArgumentNullException.ThrowIfNull(folds);
        ArgumentNullException.ThrowIfNull(objective);
        var clock = Stopwatch.StartNew();
        var candidates = Candidates();
        var planned = Options.Strategy == SearchStrategy.Grid ? Space.GridSize : candidates.Count;
        var trials = new List<Trial>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (Options.MaxDuration is { } budget && clock.Elapsed >= budget) break;
            trials.Add(RunTrial(i + 1, candidates.Count, candidates[i], folds, objective, clock));
        }
        return new SearchResult(trials, Options.Metric, _higherIsBetter, planned, clock.Elapsed);
    }

    Trial RunTrial(int number, int count, HyperParameters candidate, Func<HyperParameters, IReadOnlyList<Fold>> folds,
        Func<HyperParameters, Fold, FoldContext, FoldScore> objective, Stopwatch clock)
    {
        var start = clock.Elapsed;
        var scores = new List<double>();
        var epochs = new List<int>();
        string? error = null;
        IReadOnlyList<Fold> split = [];
        try
        {
            split = folds(candidate) ?? throw new InvalidOperationException("The folds function returned null.");
            if (split.Count == 0) error = "The folds function gave no fold for this candidate.";
        }
        catch (Exception e) when (Recordable(e))
        {
            error = Describe(e);
        }
        var seed = TrialSeed(number);
        for (var f = 0; error is null && f < split.Count; f++)
        {
            try
            {
                var result = objective(candidate, split[f], new FoldContext(number, f + 1, split.Count, seed));
                if (double.IsFinite(result.Score))
                {
                    scores.Add(result.Score);
                    epochs.Add(result.BestEpoch);
                }
                else
                {
                    error = $"Fold {f + 1} scored {result.Score}.";
                }
            }
            catch (Exception e) when (Recordable(e))
            {
                error = $"Fold {f + 1}: {Describe(e)}";
            }
            Options.Progress?.Report(new SearchProgress(number, count, f + 1, split.Count, candidate, error is null ? scores[^1] : double.NaN, clock.Elapsed, null));
        }
        var trial = new Trial(number, candidate, scores, epochs, error, clock.Elapsed - start);
        Options.Progress?.Report(new SearchProgress(number, count, scores.Count, split.Count, candidate, trial.Mean, clock.Elapsed, trial));
        return trial;
    }

    /// <summary>A seed per trial, the same for all its folds, from the search's seed.</summary>
    int TrialSeed(int trial) => (int)(new Rng(((long)Options.Seed << 32) ^ (uint)trial).NextUInt64() >> 33);

    /// <summary>Failures of a candidate; cancellation and running out of memory end the search instead.</summary>
    static bool Recordable(Exception e) => e is not (OperationCanceledException or OutOfMemoryException);

    static string Describe(Exception e) => e is TrainingDivergedException ? e.Message : $"{e.GetType().Name}: {e.Message}";
}
