// Orthogonal: a (semi-)orthogonal matrix, Keras's default for recurrent kernels.
using LstmSharp.Internals;

namespace LstmSharp.Initializers;

/// <summary>
/// A (semi-)orthogonal matrix times <see cref="Gain"/> (Saxe et al. 2014): orthonormal columns when rows ≥ cols,
/// orthonormal rows otherwise — QR of a Gaussian matrix by modified Gram–Schmidt in double.
/// </summary>
public sealed record Orthogonal(float Gain = 1f) : Initializer
{
    internal override void Fill(Span<float> w, int rows, int cols, Rng rng)
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
                var v = (float)(Gain * q[i * k + j]);
                if (tall) w[i * cols + j] = v;
                else w[j * cols + i] = v;
            }
        }
    }
}
