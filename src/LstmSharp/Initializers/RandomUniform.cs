// RandomUniform: U(min, max), Keras's default for embeddings.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>U(<see cref="Min"/>, <see cref="Max"/>).</summary>
public sealed record RandomUniform(float Min = -0.05f, float Max = 0.05f) : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng)
    {
        for (var i = 0; i < w.Length; i++) w[i] = rng.Uniform(Min, Max);
    }
}
