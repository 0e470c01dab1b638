// HeNormal: truncated normal with σ = √(2/fanIn), for ReLU layers.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>Truncated normal with σ = √(2 / fanIn) (He et al. 2015).</summary>
public sealed record HeNormal : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng)
    {
        var std = Math.Sqrt(2.0 / cols) / TruncationCorrection;
        for (var i = 0; i < w.Length; i++) w[i] = (float)(std * TruncatedNormal(rng));
    }
}
