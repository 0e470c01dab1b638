// StandardScaler: centres values on the fitted mean and divides by the fitted (population) standard deviation.
namespace LstmSharp.Data;

/// <summary>
/// Standardises values with the mean and population standard deviation of the data it was fitted on:
/// <c>(v − mean) / std</c>, as scikit-learn's <c>StandardScaler</c>.
/// </summary>
public sealed class StandardScaler : IScaler
{
    /// <summary>
    /// Rebuilds a scaler from a stored <paramref name="mean"/> and <paramref name="std"/> (e.g. a model's metadata);
    /// use <see cref="Fit"/> to learn them from data.
    /// </summary>
    /// <exception cref="ArgumentException">The mean is not finite, or the deviation is not finite and positive.</exception>
    public StandardScaler(float mean, float std)
    {
        if (!float.IsFinite(mean)) throw new ArgumentException($"A standard scaler needs a finite mean; received {mean}.", nameof(mean));
        if (!float.IsFinite(std) || !(std > 0))
            throw new ArgumentException($"A standard scaler needs a finite standard deviation > 0; received {std}.", nameof(std));
        Mean = mean;
        Std = std;
    }

    /// <summary>The fitted mean.</summary>
    public float Mean { get; }

    /// <summary>The fitted population standard deviation (divided by n, not n − 1).</summary>
    public float Std { get; }

    /// <summary>Same as the constructor: rebuilds a scaler from a stored mean and standard deviation.</summary>
    public static StandardScaler Create(float mean, float std) => new(mean, std);

    /// <summary>Fits on <paramref name="values"/> (the training part only, so no future data leaks in).</summary>
    /// <exception cref="ArgumentException">No values, a value that is not finite, or every value is the same.</exception>
    public static StandardScaler Fit(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("Cannot fit a scaler on no values.", nameof(values));
        double sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (!float.IsFinite(v)) throw new ArgumentException($"Cannot fit a scaler on {v} (value {i}); fill or drop missing values first.", nameof(values));
            sum += v;
        }
        var mean = sum / values.Length;
        // Two passes (mean, then squared deviations) keep the variance accurate for series far from zero.
        double squares = 0;
        var constant = true;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
            constant &= v == values[0];
        }
        if (constant) throw new ArgumentException($"Every value is {values[0]}: a constant series cannot be scaled or learned.", nameof(values));
        var std = (float)Math.Sqrt(squares / values.Length);
        if (!(std > 0))
            throw new ArgumentException($"The values spread too little to standardise (standard deviation {std} around mean {mean}).", nameof(values));
        return new StandardScaler((float)mean, std);
    }

    /// <summary>Scales in place.</summary>
    public void Transform(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++) values[i] = (values[i] - Mean) / Std;
    }

    /// <summary>Undoes <see cref="Transform"/> in place.</summary>
    public void Inverse(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++) values[i] = values[i] * Std + Mean;
    }
}
