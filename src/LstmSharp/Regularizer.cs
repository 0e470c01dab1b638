// Regularizer: L1 and L2 penalties on a parameter, added to the training loss (Keras's kernel_regularizer etc.).
namespace LstmSharp;

/// <summary>
/// Adds <c>L1·Σ|w| + L2·Σw²</c> to the training loss (gradient <c>L1·sign(w) + 2·L2·w</c>), as Keras's
/// <c>L1L2</c>. Attach it through a layer's options (kernel, recurrent kernel, bias).
/// </summary>
public sealed record Regularizer
{
    /// <summary>A penalty with the given L1 and L2 factors (each ≥ 0).</summary>
    public Regularizer(float l1 = 0f, float l2 = 0f)
    {
        if (!(l1 >= 0f) || !(l2 >= 0f)) throw new ArgumentOutOfRangeException(nameof(l1), $"L1 and L2 must be ≥ 0; received {l1} and {l2}.");
        L1 = l1;
        L2 = l2;
    }

    /// <summary>Factor of Σ|w|.</summary>
    public float L1 { get; }

    /// <summary>Factor of Σw².</summary>
    public float L2 { get; }

    /// <summary>Adds the penalty's gradient to <paramref name="gradient"/> and returns the penalty.</summary>
    internal double Apply(ReadOnlySpan<float> w, Span<float> gradient)
    {
        double penalty = 0;
        for (var i = 0; i < w.Length; i++)
        {
            penalty += L1 * Math.Abs(w[i]) + L2 * (double)w[i] * w[i];
            gradient[i] += L1 * MathF.Sign(w[i]) + 2f * L2 * w[i];
        }
        return penalty;
    }
}
