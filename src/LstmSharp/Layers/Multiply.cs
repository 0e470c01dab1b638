// Multiply: the element-wise product of its inputs (e.g. a gate: y = x ⊙ σ(W x)).
namespace LstmSharp.Layers;

/// <summary>Element-wise product of two or more inputs of one shape, as Keras's <c>Multiply</c>: <c>y = Πᵢ xᵢ</c>.</summary>
public sealed class Multiply(string? name = null) : MergeLayer(name)
{
    Tensor? _output;
    Tensor[] _inputs = [];       // the last forward's inputs (not copied)
    Tensor?[] _dInputs = [];     // per input: ∂loss/∂xᵢ

    private protected override int[] MergedShape(Symbol[] inputs) => SameShapes(inputs);

    private protected override Tensor Merge(Tensor[] inputs)
    {
        var y = Ensure(ref _output, inputs[0].Shape).Span;
        inputs[0].Span.CopyTo(y);
        for (var i = 1; i < inputs.Length; i++)
        {
            var x = inputs[i].Span;
            for (var k = 0; k < y.Length; k++) y[k] *= x[k];
        }
        if (_inputs.Length != inputs.Length) (_inputs, _dInputs) = (new Tensor[inputs.Length], new Tensor?[inputs.Length]);
        inputs.CopyTo(_inputs, 0);
        return _output!;
    }

    // ∂y/∂xᵢ = Π_{j≠i} xⱼ, computed as a product over the others (no division, so zeros are exact).
    private protected override void MergeBackward(Tensor dOutput, Tensor?[] dInputs)
    {
        var dy = dOutput.Span;
        for (var i = 0; i < _inputs.Length; i++)
        {
            var dx = Ensure(ref _dInputs[i], dOutput.Shape).Span;
            dy.CopyTo(dx);
            for (var j = 0; j < _inputs.Length; j++)
            {
                if (j == i) continue;
                var x = _inputs[j].Span;
                for (var k = 0; k < dx.Length; k++) dx[k] *= x[k];
            }
            dInputs[i] = _dInputs[i];
        }
    }
}
