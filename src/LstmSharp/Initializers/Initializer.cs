// Initializer: the weight initialisations Keras uses by default (Glorot uniform for input kernels,
// orthogonal for recurrent kernels, zeros for biases), on our PyTorch-shaped [out, in] matrices.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

internal static class Initializer
{
    /// <summary>Glorot (Xavier) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)).</summary>
    public static void GlorotUniform(Span<float> w, int fanIn, int fanOut, Rng rng)
    {
        var limit = MathF.Sqrt(6f / (fanIn + fanOut));
        for (var i = 0; i < w.Length; i++) w[i] = rng.Uniform(-limit, limit);
    }

    /// <summary>U(low, high).</summary>
    public static void Uniform(Span<float> w, float low, float high, Rng rng)
    {
        for (var i = 0; i < w.Length; i++) w[i] = rng.Uniform(low, high);
    }

    /// <summary>
    /// An orthogonal [rows, cols] matrix (Saxe et al. 2014, as Keras): orthonormal columns when rows ≥ cols,
    /// orthonormal rows otherwise. QR of a Gaussian matrix by modified Gram–Schmidt in double, with the
    /// signs of R's diagonal folded in so the result is uniformly distributed.
    /// </summary>
    public static void Orthogonal(Span<float> w, int rows, int cols, Rng rng)
    {
        var tall = rows >= cols;
        int n = tall ? rows : cols, k = tall ? cols : rows; // q is [n, k], n ≥ k
        var q = new double[n * k];
        for (var i = 0; i < q.Length; i++) q[i] = rng.NextGaussian();
        for (var j = 0; j < k; j++)
        {
            for (var p = 0; p < j; p++)
            {
                double dot = 0;
                for (var i = 0; i < n; i++) dot += q[i * k + p] * q[i * k + j];
                for (var i = 0; i < n; i++) q[i * k + j] -= dot * q[i * k + p];
            }
            double norm = 0;
            for (var i = 0; i < n; i++) norm += q[i * k + j] * q[i * k + j];
            norm = Math.Sqrt(norm);
            for (var i = 0; i < n; i++) q[i * k + j] /= norm;
        }
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < k; j++)
            {
                var v = (float)q[i * k + j];
                if (tall) w[i * cols + j] = v;
                else w[j * cols + i] = v;
            }
        }
    }
}
