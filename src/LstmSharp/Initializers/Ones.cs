// Ones: all ones.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>All ones.</summary>
public sealed record Ones : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng) => w.Fill(1f);
}
