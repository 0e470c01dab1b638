// Masks: padding masks from per-sample sequence lengths.
namespace LstmSharp.Data;

/// <summary>Builds padding masks (1 = real step, 0 = padding).</summary>
public static class Masks
{
    /// <summary>
    /// A mask <c>[samples, steps]</c> with 1 for the first <c>lengths[s]</c> steps of sample s (right padding),
    /// as PyTorch's packed sequences.
    /// </summary>
    public static Tensor FromLengths(Tensor lengths, int steps)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var mask = Tensor.Zeros(lengths.Length, steps);
        var m = mask.Span;
        for (var s = 0; s < lengths.Length; s++)
        {
            var length = lengths.Span[s];
            if (!(length >= 0 && length <= steps) || length != MathF.Floor(length))
                throw new ArgumentException($"Length {s} is {length}; lengths must be whole numbers in [0, {steps}].", nameof(lengths));
            m.Slice(s * steps, (int)length).Fill(1f);
        }
        return mask;
    }
}
