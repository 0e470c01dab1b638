// SlantedTriangular: ULMFiT's learning rate — a short linear rise to the peak, then a long linear fall.
namespace LstmSharp.Optimizers;

/// <summary>
/// Slanted triangular learning rates (Howard &amp; Ruder 2018, eq. 3), for step t from 0 of T = <c>totalSteps</c>:
/// <code>
/// cut = ⌊T·cutFraction⌋
/// p   = t / cut                                        if t &lt; cut
///       1 − (t − cut) / (cut·(1/cutFraction − 1))      otherwise, held at 0 once it gets there
/// η_t = maxRate · (1 + p·(ratio − 1)) / ratio
/// </code>
/// The rate starts at maxRate/ratio, reaches maxRate at step cut and falls back to maxRate/ratio by the end (with the floor
/// of cut, p can reach 0 a little before step T; it stays at maxRate/ratio from then on, and after T). ULMFiT uses
/// cutFraction 0.1, ratio 32 and maxRate 0.01.
/// </summary>
public sealed class SlantedTriangular : LearningRateSchedule
{
    readonly float _maxRate, _ratio;
    readonly double _cutFraction;
    readonly long _cut;

    /// <summary>
    /// The schedule of <paramref name="totalSteps"/> optimizer steps (epochs × batches per epoch). <paramref name="cutFraction"/>
    /// is a double so that ⌊T·cutFraction⌋ is the floor of the decimal product (0.7f·10 would floor to 6).
    /// </summary>
    public SlantedTriangular(float maxRate, long totalSteps, double cutFraction = 0.1, float ratio = 32f)
    {
        if (!(maxRate > 0f && float.IsFinite(maxRate))) throw new ArgumentOutOfRangeException(nameof(maxRate), maxRate, $"maxRate must be a positive finite number; received {maxRate}.");
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"totalSteps must be at least 1; received {totalSteps}.");
        if (!(cutFraction > 0 && cutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(cutFraction), cutFraction, $"cutFraction must be in (0, 1); received {cutFraction}.");
        if (!(ratio >= 1f && float.IsFinite(ratio))) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, $"ratio must be a finite number ≥ 1; received {ratio}.");
        _cut = (long)Math.Floor(totalSteps * cutFraction);
        if (_cut < 1)
            throw new ArgumentOutOfRangeException(nameof(cutFraction), cutFraction, $"⌊totalSteps·cutFraction⌋ = ⌊{totalSteps}·{cutFraction}⌋ is 0; the rise needs at least one step: raise totalSteps or cutFraction.");
        (_maxRate, _ratio, _cutFraction) = (maxRate, ratio, cutFraction);
    }

    /// <inheritdoc />
    public override float Rate(long iteration)
    {
        var p = iteration < _cut
            ? (double)iteration / _cut
            : Math.Max(0, 1 - (iteration - _cut) / (_cut * (1 / _cutFraction - 1)));
        return (float)(_maxRate * (1 + p * (_ratio - 1)) / _ratio);
    }
}
