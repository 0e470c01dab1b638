// MultiInputLayer: the base of layers that take several symbols (merges, attention): they run only as calls inside a
// Model, so the single-tensor Layer path refuses with one message.
using LstmSharp.Internals;

namespace LstmSharp.Layers;

/// <summary>A layer of several inputs, used through calls on symbols in a <see cref="Model"/>.</summary>
public abstract class MultiInputLayer : Layer
{
    /// <summary>Creates the layer; <paramref name="name"/> defaults to the type name in snake case.</summary>
    private protected MultiInputLayer(string? name)
        : base(name)
    {
    }

    /// <summary>How to call the layer, for the message of the single-tensor path (e.g. <c>Call(a, b)</c>).</summary>
    private protected abstract string CallForm { get; }

    /// <inheritdoc />
    public override int[] OutputShapeFor(ReadOnlySpan<int> inputShape) => throw SymbolsOnly();

    private protected override int[] OnBuild(int[] inputShape, Rng rng) => throw SymbolsOnly();

    private protected override Tensor OnForward(Tensor input, bool training) => throw SymbolsOnly();

    private protected override Tensor OnBackward(Tensor dOutput) => throw SymbolsOnly();

    InvalidOperationException SymbolsOnly() =>
        new($"{GetType().Name} '{Name}' takes several inputs: call it on symbols ({CallForm}) inside a Model.");
}
