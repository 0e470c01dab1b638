// FoldContext: where a fold evaluation stands in the search — trial and fold numbers and the trial's seed.
namespace LstmSharp.Tuning;

/// <summary>What an objective knows about the fold it evaluates.</summary>
/// <param name="Trial">Trial number, from 1, in the order trials run.</param>
/// <param name="Fold">Fold number, from 1.</param>
/// <param name="Folds">Folds in this trial.</param>
/// <param name="Seed">A seed for the trial (the same for all its folds), derived from <see cref="SearchOptions.Seed"/> and the trial number.</param>
public readonly record struct FoldContext(int Trial, int Fold, int Folds, int Seed);
