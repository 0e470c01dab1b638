// ExponentialDecay: the learning rate falls by a constant factor every decaySteps steps.
namespace LstmSharp.Optimizers;

/// <summary><c>initial · rate^(step / decaySteps)</c>, or with <c>staircase</c> <c>rate^⌊step / decaySteps⌋</c> (Keras <c>ExponentialDecay</c>).</summary>
public sealed class ExponentialDecay(float initialRate, long decaySteps, float decayRate, bool staircase = false) : LearningRateSchedule
{
    /// <inheritdoc />
    public override float Rate(long iteration)
    {
        var p = (double)iteration / decaySteps;
        if (staircase) p = Math.Floor(p);
        return (float)(initialRate * Math.Pow(decayRate, p));
    }
}
