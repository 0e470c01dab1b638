// HeUniform: U(±√(6/fanIn)), for ReLU layers.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>U(−l, l), l = √(6 / fanIn) (He et al. 2015), for ReLU layers.</summary>
public sealed record HeUniform : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng)
    {
        var limit = MathF.Sqrt(6f / cols);
        for (var i = 0; i < w.Length; i++) w[i] = rng.Uniform(-limit, limit);
    }
}
