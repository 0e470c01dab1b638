// Symbol: a symbolic tensor of the graph model — the shape of one sample, a name, whether a padding mask goes
// with it, and the layer call (node) that produces it. Layer calls take symbols and give symbols; Model runs them.
using LstmSharp.Layers;

namespace LstmSharp;

/// <summary>
/// A symbolic tensor, as a Keras <c>KerasTensor</c>: what flows along one edge of a <see cref="Model"/>. It knows
/// one sample's <see cref="Shape"/> (no batch axis; -1 = any size), a <see cref="Name"/>, and whether a padding
/// mask travels with it (<see cref="HasMask"/>). Symbols come from an <see cref="Input"/> or from calling a layer
/// (<see cref="Layer.Call(Symbol)"/>, <see cref="Rnn.CallWithState"/>, <see cref="MergeLayer.Call(Symbol[])"/>).
/// </summary>
public class Symbol
{
    string? _name;

    private protected Symbol(int[] shape, bool hasMask)
    {
        Shape = shape;
        HasMask = hasMask;
    }

    internal Symbol(Node producer, int index, int[] shape, bool hasMask)
        : this(shape, hasMask)
    {
        Producer = producer;
        Index = index;
    }

    /// <summary>One sample's shape, without the batch axis; -1 marks a dimension of any size (the time axis).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>
    /// True when a padding mask <c>[batch, time]</c> goes with this tensor: from an <see cref="Embedding"/> (id 0)
    /// or <see cref="Masking"/>, passed on by layers that keep the time axis (a recurrent layer only when it
    /// returns sequences; states never carry one). Masks from <see cref="FitOptions.Lengths"/> travel the same way.
    /// </summary>
    public bool HasMask { get; }

    /// <summary>
    /// The name: the producing layer's name (with <c>:k</c> for its output k &gt; 0, e.g. <c>lstm:1</c> for an
    /// LSTM's final h), or the input's. Output names key per-output losses and logs (<c>{name}_loss</c>); ONNX
    /// export uses them as value names.
    /// </summary>
    public string Name
    {
        get => _name ?? (Producer is null ? "input" : Index == 0 ? Producer.Layer.Name : $"{Producer.Layer.Name}:{Index}");
        set => _name = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("A symbol's name must not be empty.", nameof(value)) : value;
    }

    /// <summary>True until a name is set.</summary>
    internal bool HasDefaultName => _name is null;

    /// <summary>The layer call that produces this symbol; null for an <see cref="Input"/>.</summary>
    internal Node? Producer { get; }

    /// <summary>Which output of <see cref="Producer"/> this is.</summary>
    internal int Index { get; }

    /// <summary>The shape with the batch axis, as <c>[*, 12, 64]</c> (<c>*</c> = batch or any size).</summary>
    public string Describe() => "[*, " + string.Join(", ", Shape.Select(d => d < 0 ? "*" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Describe()}";
}
