// MinMaxScaler: maps values to [0, 1] with a minimum and maximum fitted on training data only.
namespace LstmSharp.Data;

/// <summary>Scales values to [0, 1] using the range of the data it was fitted on: <c>(v − min) / (max − min)</c>.</summary>
public sealed class MinMaxScaler : IScaler
{
    /// <summary>
    /// Rebuilds a scaler from a stored <paramref name="min"/> and <paramref name="max"/> (e.g. a model's metadata);
    /// use <see cref="Fit"/> to learn them from data.
    /// </summary>
    /// <exception cref="ArgumentException">A bound is not finite, or <paramref name="max"/> is not above <paramref name="min"/>.</exception>
    public MinMaxScaler(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || !(max > min))
            throw new ArgumentException($"A min-max scaler needs finite bounds with max > min; received min {min} and max {max}.", nameof(max));
        Min = min;
        Max = max;
    }

    /// <summary>The fitted minimum.</summary>
    public float Min { get; }

    /// <summary>The fitted maximum.</summary>
    public float Max { get; }

    /// <summary>Same as the constructor: rebuilds a scaler from a stored minimum and maximum.</summary>
    public static MinMaxScaler Create(float min, float max) => new(min, max);

    /// <summary>Fits on <paramref name="values"/> (the training part only, so no future data leaks in).</summary>
    public static MinMaxScaler Fit(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("Cannot fit a scaler on no values.", nameof(values));
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (!float.IsFinite(v)) throw new ArgumentException($"Cannot fit a scaler on {v} (value {i}); fill or drop missing values first.", nameof(values));
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (max == min) throw new ArgumentException($"Every value is {min}: a constant series cannot be scaled or learned.", nameof(values));
        return new MinMaxScaler(min, max);
    }

    /// <summary>Scales in place.</summary>
    public void Transform(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++) values[i] = (values[i] - Min) / (Max - Min);
    }

    /// <summary>Undoes <see cref="Transform"/> in place.</summary>
    public void Inverse(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++) values[i] = values[i] * (Max - Min) + Min;
    }
}
