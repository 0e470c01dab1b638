// Samples: picking samples (rows of the first axis) of a tensor by index, e.g. the training part of a fold.
namespace LstmSharp.Data;

/// <summary>Helpers over the sample axis (the first) of batch-first tensors.</summary>
public static class Samples
{
    /// <summary>
    /// A new tensor of the samples <paramref name="indices"/> of <paramref name="source"/> <c>[samples, …]</c>, in
    /// that order: <c>[indices.Length, …]</c>.
    /// </summary>
    public static Tensor Gather(Tensor source, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Rank == 0) throw new ArgumentException("Expected a tensor with a sample axis [samples, …]; received a scalar.", nameof(source));
        var samples = source.Dim(0);
        var width = samples == 0 ? 0 : source.Length / samples;
        var shape = source.Shape.ToArray();
        shape[0] = indices.Length;
        var result = Tensor.Zeros(shape);
        var src = source.Span;
        var dst = result.Span;
        for (var r = 0; r < indices.Length; r++)
        {
            if ((uint)indices[r] >= (uint)samples)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[r], $"Index {r} is {indices[r]}; the tensor [{Tensor.FormatShape(source.Shape)}] has samples 0 … {samples - 1}.");
            src.Slice(indices[r] * width, width).CopyTo(dst.Slice(r * width, width));
        }
        return result;
    }
}
