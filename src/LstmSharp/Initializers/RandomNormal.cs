// RandomNormal: N(mean, σ²).
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>N(<see cref="Mean"/>, <see cref="StandardDeviation"/>²).</summary>
public sealed record RandomNormal(float Mean = 0f, float StandardDeviation = 0.05f) : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng)
    {
        for (var i = 0; i < w.Length; i++) w[i] = (float)(Mean + StandardDeviation * rng.NextGaussian());
    }
}
