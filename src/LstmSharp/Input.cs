// Input: a model input — the shape of one sample, given up front so every layer is built (and summarised) at once.
namespace LstmSharp;

/// <summary>
/// A model input: the shape of one sample without the batch axis, e.g. <c>new Input(12, 1)</c> for 12 steps of
/// one feature, <c>new Input(-1, 8)</c> for any number of steps of 8 features, <c>new Input(-1)</c> for token
/// ids; <c>new Input(-1) { Name = "source" }</c> names it (for multi-input models, logs and ONNX export).
/// </summary>
public sealed class Input : Symbol
{
    /// <summary>Creates the input; -1 marks a dimension of any size (the time axis).</summary>
    public Input(params int[] shape)
        : base(Checked(shape), hasMask: false)
    {
    }

    static int[] Checked(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d == 0 || d < -1))
            throw new ArgumentException($"An input shape needs at least one dimension, each positive or -1 (any size); received [{Tensor.FormatShape(shape)}].", nameof(shape));
        return (int[])shape.Clone();
    }
}
