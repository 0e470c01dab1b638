// Input: the shape of one sample, given up front so every layer is built (and summarised) at once.
namespace LstmSharp;

/// <summary>
/// The shape of one sample without the batch axis, e.g. <c>new Input(12, 1)</c> for 12 steps of one feature,
/// <c>new Input(-1, 8)</c> for any number of steps of 8 features, <c>new Input(-1)</c> for token ids.
/// </summary>
public sealed record Input
{
    /// <summary>Creates the input description; -1 marks a dimension of any size (the time axis).</summary>
    public Input(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d == 0 || d < -1))
            throw new ArgumentException($"An input shape needs at least one dimension, each positive or -1 (any size); received [{Tensor.FormatShape(shape)}].", nameof(shape));
        Shape = (int[])shape.Clone();
    }

    /// <summary>The sample shape, without the batch axis.</summary>
    public IReadOnlyList<int> Shape { get; }
}
