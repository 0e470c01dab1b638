// SearchProgress: a progress report of a search, after each fold and at the end of each trial.
namespace LstmSharp.Tuning;

/// <summary>
/// A progress report of <see cref="Tuner"/>: after each fold (<see cref="Completed"/> null) and once when a trial ends
/// (<see cref="Completed"/> set, <see cref="Score"/> its mean).
/// </summary>
/// <param name="Trial">Trial number, from 1.</param>
/// <param name="Trials">Trials planned (within <see cref="SearchOptions.MaxTrials"/>; fewer run when time runs out).</param>
/// <param name="Fold">Folds done in this trial.</param>
/// <param name="Folds">Folds in this trial.</param>
/// <param name="HyperParameters">The candidate.</param>
/// <param name="Score">The fold's score (NaN when it failed), or the trial's mean at its end.</param>
/// <param name="Elapsed">Time since the search started.</param>
/// <param name="Completed">The finished trial, in the report that ends it.</param>
public sealed record SearchProgress(int Trial, int Trials, int Fold, int Folds, HyperParameters HyperParameters, double Score, TimeSpan Elapsed, Trial? Completed);
