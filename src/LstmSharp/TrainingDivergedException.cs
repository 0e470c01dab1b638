// TrainingDivergedException: training produced a NaN or infinite loss (or a metric that was never finite).
namespace LstmSharp;

/// <summary>
/// Training diverged: a loss became NaN or infinite, or a monitored metric was never finite. The message says
/// where (epoch, batch); a lower learning rate or gradient clipping usually helps.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a message that says where training diverged.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public TrainingDivergedException()
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
