// MergeLayer: the base of layers that combine several symbols into one (Concatenate, Add, Multiply, Average) —
// shape checks at the call, masks combined as Keras's merge layers do, and the graph ports.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>
/// A layer of several inputs and one output, used in a <see cref="Model"/>: <c>new Add().Call(a, b)</c>. The output
/// mask is the logical AND of the inputs' masks (an input without one counts as all real), as Keras's merge layers.
/// </summary>
public abstract class MergeLayer : MultiInputLayer
{
    Tensor? _mask;   // [B, T] the combined mask, when more than one input has one

    /// <summary>Creates the layer; <paramref name="name"/> defaults to the type name in snake case.</summary>
    private protected MergeLayer(string? name)
        : base(name)
    {
    }

    /// <summary>Calls the layer on two or more symbols; the shapes are checked here, naming both.</summary>
    public Symbol Call(params Symbol[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Node.Create(this, [.. inputs]).Outputs[0];
    }

    internal override (int[] Shape, bool HasMask)[] NodeOutputs(Symbol[] inputs)
    {
        if (inputs.Length < 2)
            throw new ArgumentException($"{GetType().Name} '{Name}' merges two or more inputs; received {inputs.Length}.", nameof(inputs));
        return [(MergedShape(inputs), inputs.Any(s => s.HasMask))];
    }

    /// <summary>The output shape for <paramref name="inputs"/>; throws naming the layer and the shapes that disagree.</summary>
    private protected abstract int[] MergedShape(Symbol[] inputs);

    /// <summary>Throws unless every input has the same shape (-1 fits any size).</summary>
    private protected int[] SameShapes(Symbol[] inputs)
    {
        var shape = inputs[0].Shape.ToArray();
        for (var i = 1; i < inputs.Length; i++)
        {
            var other = inputs[i].Shape;
            var fits = other.Count == shape.Length;
            for (var d = 0; fits && d < shape.Length; d++) fits = shape[d] < 0 || other[d] < 0 || shape[d] == other[d];
            if (!fits)
            {
                throw new ArgumentException(
                    $"{GetType().Name} '{Name}' got {inputs[0].Describe()} ('{inputs[0].Name}') and {inputs[i].Describe()} ('{inputs[i].Name}'): the shapes differ; " +
                    "element-wise merges need equal shapes (use Concatenate to join different widths).");
            }
            for (var d = 0; d < shape.Length; d++) if (shape[d] < 0) shape[d] = other[d];
        }
        return shape;
    }

    internal override void BuildFor(Node node, int seed) => MarkBuilt(node.Inputs[0].Shape.ToArray());

    internal override void Run(Node node, bool training)
    {
        var x = node.InputValues;
        for (var i = 1; i < x.Length; i++) CheckRuntime(x[0], x[i]);
        node.OutputValues[0] = Merge(x);
        node.OutputMasks[0] = MergeMasks(x, node.InputMasks);
    }

    /// <summary>The output's mask: by default the AND of the inputs' masks.</summary>
    private protected virtual Tensor? MergeMasks(Tensor[] inputs, Tensor?[] masks) => CombineMasks(masks);

    internal override void RunBackward(Node node) => MergeBackward(node.DOutputs[0]!, node.DInputs);

    /// <summary>The merged output of <paramref name="inputs"/> (a buffer the layer owns).</summary>
    private protected abstract Tensor Merge(Tensor[] inputs);

    /// <summary>Sets ∂loss/∂input for every input from <paramref name="dOutput"/>.</summary>
    private protected abstract void MergeBackward(Tensor dOutput, Tensor?[] dInputs);

    /// <summary>Throws when two inputs of one batch disagree in a way the symbols could not show (batch or any-size axes).</summary>
    private protected virtual void CheckRuntime(Tensor first, Tensor other)
    {
        if (!first.Shape.SequenceEqual(other.Shape))
            throw new ArgumentException($"{GetType().Name} '{Name}' got [{Tensor.FormatShape(first.Shape)}] and [{Tensor.FormatShape(other.Shape)}]; element-wise merges need equal shapes.");
    }

    /// <summary>The AND of the inputs' masks; null when none has one.</summary>
    private protected Tensor? CombineMasks(Tensor?[] masks)
    {
        Tensor? only = null;
        var count = 0;
        foreach (var m in masks)
        {
            if (m is null) continue;
            only = m;
            count++;
        }
        if (count <= 1) return only;
        var combined = Ensure(ref _mask, only!.Shape).Span;
        combined.Fill(1f);
        foreach (var m in masks)
        {
            if (m is null) continue;
            if (!m.Shape.SequenceEqual(only.Shape))
                throw new ArgumentException($"{GetType().Name} '{Name}': the inputs' masks differ in shape, [{Tensor.FormatShape(m.Shape)}] and [{Tensor.FormatShape(only.Shape)}].");
            var span = m.Span;
            for (var i = 0; i < combined.Length; i++) combined[i] *= span[i];
        }
        return _mask;
    }

    internal override void WriteConfig(System.Text.Json.Utf8JsonWriter json)
    {
    }

    private protected override string CallForm => "Call(a, b)";
}
