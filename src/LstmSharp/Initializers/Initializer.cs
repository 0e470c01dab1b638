// Initializer: how a weight matrix starts. Keras's initialisers on our PyTorch-shaped [out, in] matrices
// (fan-in = in, fan-out = out, as Keras's [in, out] kernels).
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>
/// Fills a parameter at build time from the layer's seed. Matrices are <c>[out, in]</c>; vectors count as
/// <c>[length, 1]</c>. Defaults as in Keras: <see cref="GlorotUniform"/> for input kernels,
/// <see cref="Orthogonal"/> for recurrent kernels, <see cref="Zeros"/> for biases.
/// </summary>
public abstract record Initializer
{
    /// <summary>Fills <paramref name="w"/>, a <c>[rows, cols]</c> matrix.</summary>
    internal abstract void Fill(Span<float> w, int rows, int cols, Rng rng);

    /// <summary>A normal sample truncated to ±2 standard deviations (Keras's truncated normal).</summary>
    private protected static double TruncatedNormal(Rng rng)
    {
        double z;
        do z = rng.NextGaussian(); while (Math.Abs(z) > 2);
        return z;
    }

    /// <summary>Standard deviation of a normal truncated at ±2σ is 0.8796σ; dividing by it restores σ.</summary>
    private protected const double TruncationCorrection = 0.87962566103423978;
}
