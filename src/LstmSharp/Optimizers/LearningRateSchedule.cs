// Learning-rate schedules: the rate of each optimizer step as a function of the step number (Keras's forms).
namespace LstmSharp.Optimizers;

/// <summary>A learning rate per optimizer step (0-based).</summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate of step <paramref name="iteration"/> (0-based).</summary>
    public abstract float Rate(long iteration);

    /// <summary>
    /// The momentum of step <paramref name="iteration"/> (SGD's and RMSprop's momentum, Adam's β1), or null (the default)
    /// to leave the optimizer's own; a schedule that returns one cannot drive <see cref="Adagrad"/>.
    /// </summary>
    public virtual float? Momentum(long iteration) => null;
}
