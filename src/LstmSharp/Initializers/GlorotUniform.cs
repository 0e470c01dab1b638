// GlorotUniform: U(±√(6/(fanIn+fanOut))), Keras's default for input kernels.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>U(−l, l), l = √(6 / (fanIn + fanOut)) (Glorot &amp; Bengio 2010).</summary>
public sealed record GlorotUniform : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng)
    {
        var limit = MathF.Sqrt(6f / (rows + cols));
        for (var i = 0; i < w.Length; i++) w[i] = rng.Uniform(-limit, limit);
    }
}
