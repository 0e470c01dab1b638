// PiecewiseConstantDecay: step decay — constant learning rates between step boundaries.
namespace LstmSharp.Optimizers;

/// <summary>
/// Step decay: <c>values[i]</c> while <c>iteration &lt; boundaries[i]</c>, the last value after the last boundary
/// (Keras <c>PiecewiseConstantDecay</c>). <c>values</c> has one more entry than <c>boundaries</c>.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    readonly long[] _boundaries;
    readonly float[] _values;

    /// <summary>A step schedule.</summary>
    public PiecewiseConstantDecay(long[] boundaries, float[] values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != boundaries.Length + 1)
            throw new ArgumentException($"Need one more value than boundaries; received {boundaries.Length} boundaries and {values.Length} values.", nameof(values));
        _boundaries = (long[])boundaries.Clone();
        _values = (float[])values.Clone();
    }

    /// <inheritdoc />
    public override float Rate(long iteration)
    {
        var i = 0;
        while (i < _boundaries.Length && iteration >= _boundaries[i]) i++;
        return _values[i];
    }
}
