// MinMaxScaler: maps values to [0, 1] with a minimum and maximum fitted on training data only.
namespace LstmSharp.Data;

/// <summary>Scales values to [0, 1] using the range of the data it was fitted on: <c>(v − min) / (max − min)</c>.</summary>
public sealed class MinMaxScaler
{
    MinMaxScaler(float min, float max)
    {
        Min = min;
        Max = max;
    }

    /// <summary>The fitted minimum.</summary>
    public float Min { get; }

    /// <summary>The fitted maximum.</summary>
    public float Max { get; }

    /// <summary>Fits on <paramref name="values"/> (the training part only, so no future data leaks in).</summary>
    public static MinMaxScaler Fit(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("Cannot fit a scaler on no values.", nameof(values));
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in values)
        {
            if (!float.IsFinite(v)) throw new ArgumentException($"Cannot fit a scaler on {v}; fill or drop missing values first.", nameof(values));
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
