// GlorotNormal: truncated normal with σ = √(2/(fanIn+fanOut)).
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>Truncated normal with σ = √(2 / (fanIn + fanOut)).</summary>
public sealed record GlorotNormal : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng)
    {
        var std = Math.Sqrt(2.0 / (rows + cols)) / TruncationCorrection;
        for (var i = 0; i < w.Length; i++) w[i] = (float)(std * TruncatedNormal(rng));
    }
}
