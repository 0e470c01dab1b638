// SearchStrategy: how a tuner chooses its candidates.
namespace LstmSharp.Tuning;

/// <summary>How <see cref="Tuner"/> chooses the candidates it tries.</summary>
public enum SearchStrategy
{
    /// <summary>Every combination of the grid values, in order (scikit-learn's <c>GridSearchCV</c>).</summary>
    Grid,
    /// <summary>Candidates drawn at random from the space with <see cref="SearchOptions.Seed"/> (<c>RandomizedSearchCV</c>, KerasTuner's <c>RandomSearch</c>).</summary>
    Random,
}
