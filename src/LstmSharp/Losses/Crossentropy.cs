// Crossentropy: the one-row computation shared by the categorical losses (dense or sparse targets).
using LstmSharp.Kernels;

namespace LstmSharp.Losses;

internal static class Crossentropy
{
    const double Epsilon = 1e-7;

    /// <summary>
    /// −Σ_c y_c log p_c for one row, with y the dense <paramref name="target"/> or, when it is empty, one-hot at
    /// <paramref name="label"/>. Writes ∂/∂predicted into <paramref name="dRow"/>.
    /// </summary>
    public static double Row(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int label, bool fromLogits, Span<float> dRow)
    {
        var width = predicted.Length;
        double loss = 0;
        if (fromLogits)
        {
            // dRow holds log p = log-softmax(z) first, then the gradient p·Σy − y. p comes from e^(log p) in double
            // rather than from a float softmax: for a confident row p − 1 is tiny and a float p near 1 would lose it.
            KernelSet.Default.LogSoftMax(predicted, 1, width, dRow);
            double ySum = 0;
            for (var c = 0; c < width; c++)
            {
                var y = Y(target, label, c);
                ySum += y;
                loss -= y * dRow[c];
            }
            for (var c = 0; c < width; c++) dRow[c] = (float)(Math.Exp(dRow[c]) * ySum - Y(target, label, c));
        }
        else
        {
            for (var c = 0; c < width; c++)
            {
                var y = Y(target, label, c);
                var clipped = predicted[c] < Epsilon || predicted[c] > 1 - Epsilon;
                var p = Math.Clamp(predicted[c], Epsilon, 1 - Epsilon);
                loss -= y * Math.Log(p);
                dRow[c] = clipped || y == 0 ? 0f : (float)(-y / p);
            }
        }
        return loss;
    }

    static double Y(ReadOnlySpan<float> target, int label, int c) => target.IsEmpty ? (c == label ? 1 : 0) : target[c];
}
