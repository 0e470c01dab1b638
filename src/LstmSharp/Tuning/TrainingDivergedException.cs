// TrainingDivergedException: a candidate's training diverged; the tuner records its message as the trial's error.
namespace LstmSharp.Tuning;

/// <summary>Training of a candidate diverged (NaN or infinite loss, or a metric never finite).</summary>
sealed class TrainingDivergedException(string message) : Exception(message);
