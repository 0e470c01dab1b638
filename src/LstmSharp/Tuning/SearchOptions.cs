// SearchOptions: how a tuner searches — strategy, budget, the metric it optimises, early stopping, progress.
using LstmSharp.Callbacks;

namespace LstmSharp.Tuning;

/// <summary>Options of <see cref="Tuner"/>; defaults in each member's description.</summary>
public sealed record SearchOptions
{
    /// <summary>Grid or random search. Default <see cref="SearchStrategy.Grid"/>.</summary>
    public SearchStrategy Strategy { get; init; } = SearchStrategy.Grid;

    /// <summary>
    /// The most candidates to try: the first ones of the grid, or the number random search draws. Default null:
    /// the whole grid, or 10 random candidates (as scikit-learn and KerasTuner).
    /// </summary>
    public int? MaxTrials { get; init; }

    /// <summary>No new trial starts after this much time (a running trial finishes). Default null: no limit.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Seed of random search's draws and of each trial's <see cref="FoldContext.Seed"/>. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// The score's name. With tensors (<see cref="Tuner.Search(Tensor, Tensor, IReadOnlyList{Fold}, Func{HyperParameters, Model}, Func{HyperParameters, FitOptions})"/>)
    /// it is the validation log entry early stopping watches and the score is its value at the best epoch: <c>val_loss</c>
    /// or <c>val_</c> plus a compiled metric's name (<c>val_accuracy</c>). Default <c>val_loss</c>.
    /// </summary>
    public string Metric { get; init; } = "val_loss";

    /// <summary>Whether lower or higher scores are better; Auto: higher for names containing "acc". Default Auto.</summary>
    public MonitorMode Mode { get; init; } = MonitorMode.Auto;

    /// <summary>
    /// With tensors: each fold's training stops after this many epochs without improvement of <see cref="Metric"/>.
    /// Null: every fold trains all its epochs (the score is still the best epoch's). Default 5.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; } = 5;

    /// <summary>Receives a report after every fold and at the end of every trial.</summary>
    public IProgress<SearchProgress>? Progress { get; init; }
}
