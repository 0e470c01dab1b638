// AddingProblem: Hochreiter & Schmidhuber's experiment 4 (1997), the classic test of long time lags.
using LstmSharp.Internals;

namespace LstmSharp.Data;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber 1997, experiment 4). Each step carries a value in [−1, 1]
/// and a marker. Two steps are marked 1 — one among the first ten, one among the first half — and the first
/// and last steps are marked −1 unless chosen; every other marker is 0. The target is
/// <c>0.5 + (x₁ + x₂)/4</c> of the two marked values, so a network must remember them across the whole sequence.
/// A sequence counts as solved when the absolute error at the end is below 0.04.
/// </summary>
public static class AddingProblem
{
    /// <summary>The error below which a sequence counts as solved.</summary>
    public const float Tolerance = 0.04f;

    /// <summary>Inputs <c>[samples, length, 2]</c> (value, marker) and targets <c>[samples, 1]</c>.</summary>
    public static (Tensor X, Tensor Y) Generate(int samples, int length = 100, int seed = 0)
    {
        Guard.Positive(samples);
        if (length < 20) throw new ArgumentOutOfRangeException(nameof(length), length, "The adding problem needs sequences of at least 20 steps.");
        var rng = new Rng(seed);
        var x = Tensor.Zeros(samples, length, 2);
        var y = Tensor.Zeros(samples, 1);
        var xs = x.Span;
        for (var s = 0; s < samples; s++)
        {
            var row = xs.Slice(s * length * 2, length * 2);
            for (var t = 0; t < length; t++) row[2 * t] = rng.Uniform(-1f, 1f);
            var first = rng.NextInt(10);
            int second;
            do second = rng.NextInt(length / 2 - 1); while (second == first);
            row[2 * 0 + 1] = -1f;
            row[2 * (length - 1) + 1] = -1f;
            row[2 * first + 1] = 1f;
            row[2 * second + 1] = 1f;
            y.Span[s] = 0.5f + (row[2 * first] + row[2 * second]) / 4f;
        }
        return (x, y);
    }

    /// <summary>The share of sequences whose prediction is within <see cref="Tolerance"/> of the target.</summary>
    public static double SolvedFraction(Tensor predicted, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        if (predicted.Length != target.Length)
            throw new ArgumentException($"Expected one prediction per target; received [{Tensor.FormatShape(predicted.Shape)}] and [{Tensor.FormatShape(target.Shape)}].", nameof(predicted));
        var solved = 0;
        for (var i = 0; i < target.Length; i++) solved += MathF.Abs(predicted.Span[i] - target.Span[i]) < Tolerance ? 1 : 0;
        return (double)solved / target.Length;
    }
}
