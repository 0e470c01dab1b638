// Zeros: all zeros, the default for biases.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>All zeros.</summary>
public sealed record Zeros : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng) => w.Clear();
}
