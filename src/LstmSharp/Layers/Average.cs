// Average: the element-wise mean of its inputs.
using System.Numerics.Tensors;

namespace LstmSharp.Layers;

/// <summary>Element-wise mean of two or more inputs of one shape, as Keras's <c>Average</c>: <c>y = (1/n) Σᵢ xᵢ</c>.</summary>
public sealed class Average(string? name = null) : MergeLayer(name)
{
    Tensor? _output, _dInput;

    private protected override int[] MergedShape(Symbol[] inputs) => SameShapes(inputs);

    private protected override Tensor Merge(Tensor[] inputs)
    {
        var y = Ensure(ref _output, inputs[0].Shape);
        inputs[0].Span.CopyTo(y.Span);
        for (var i = 1; i < inputs.Length; i++) Kernels.Add(inputs[i].Span, y.Span);
        TensorPrimitives.Multiply(y.Span, 1f / inputs.Length, y.Span);
        return y;
    }

    // ∂y/∂xᵢ = 1/n for every input: one scaled copy serves all of them.
    private protected override void MergeBackward(Tensor dOutput, Tensor?[] dInputs)
    {
        var dx = Ensure(ref _dInput, dOutput.Shape);
        TensorPrimitives.Multiply(dOutput.Span, 1f / dInputs.Length, dx.Span);
        Array.Fill(dInputs, dx);
    }
}
