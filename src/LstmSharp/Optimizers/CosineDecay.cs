// CosineDecay: half a cosine from the peak rate down to α·peak, after an optional linear warm-up.
namespace LstmSharp.Optimizers;

/// <summary>
/// Cosine decay with optional linear warm-up (Keras <c>CosineDecay</c>): during the first
/// <c>warmupSteps</c> the rate rises linearly from <c>initialRate</c> to <c>warmupTarget</c>; then over
/// <c>decaySteps</c> it follows <c>peak·((1 − α)·½(1 + cos(π·t/decaySteps)) + α)</c> and stays at <c>α·peak</c>.
/// </summary>
public sealed class CosineDecay(float initialRate, long decaySteps, float alpha = 0f, long warmupSteps = 0, float? warmupTarget = null) : LearningRateSchedule
{
    /// <inheritdoc />
    public override float Rate(long iteration)
    {
        var peak = warmupTarget ?? initialRate;
        if (iteration < warmupSteps) return initialRate + (peak - initialRate) * iteration / warmupSteps;
        var t = Math.Min(iteration - warmupSteps, decaySteps);
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * t / decaySteps));
        return (float)(peak * ((1 - alpha) * cosine + alpha));
    }
}
