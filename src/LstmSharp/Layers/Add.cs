// Add: the element-wise sum of its inputs (a residual connection: y = x + f(x)).
namespace LstmSharp.Layers;

/// <summary>Element-wise sum of two or more inputs of one shape, as Keras's <c>Add</c>: <c>y = Σᵢ xᵢ</c>.</summary>
public sealed class Add(string? name = null) : MergeLayer(name)
{
    Tensor? _output;

    private protected override int[] MergedShape(Symbol[] inputs) => SameShapes(inputs);

    private protected override Tensor Merge(Tensor[] inputs)
    {
        var y = Ensure(ref _output, inputs[0].Shape);
        inputs[0].Span.CopyTo(y.Span);
        for (var i = 1; i < inputs.Length; i++) Kernels.Add(inputs[i].Span, y.Span);
        return y;
    }

    // ∂y/∂xᵢ = 1: every input receives the output gradient itself (layers never write into gradients they get).
    private protected override void MergeBackward(Tensor dOutput, Tensor?[] dInputs) => Array.Fill(dInputs, dOutput);
}
