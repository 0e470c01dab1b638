// Flatten: each sample to one axis, e.g. [12, 4] → [48] before a Dense layer.
namespace LstmSharp.Layers;

/// <summary>Flattens each sample to one axis, as Keras's <c>Flatten</c>: <c>[*, d₁, d₂, …] → [*, d₁·d₂·…]</c> (every axis known).</summary>
public sealed class Flatten(string? name = null) : Reshape([-1], name);
