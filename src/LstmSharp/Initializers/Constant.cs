// Constant: every value the same.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>Every value <see cref="Value"/>.</summary>
public sealed record Constant(float Value) : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng) => w.Fill(Value);
}
