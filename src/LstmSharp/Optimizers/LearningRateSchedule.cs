// Learning-rate schedules: the rate of each optimizer step as a function of the step number (Keras's forms).
namespace LstmSharp.Optimizers;

/// <summary>A learning rate per optimizer step (0-based).</summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate of step <paramref name="iteration"/> (0-based).</summary>
    public abstract float Rate(long iteration);
}
