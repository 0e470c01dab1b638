// Approx: comparisons of float results against double oracles, relative to the magnitude of the oracle.
using Xunit;

namespace LstmSharp.Tests.Oracles;

public static class Approx
{
    /// <summary>Asserts |actual − expected| ≤ tol · max(1, max|expected|) element-wise, naming the first bad index.</summary>
    public static void Equal(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}.");
        double scale = 1;
        foreach (var e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (var i = 0; i < expected.Length; i++)
        {
            var err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= tol * scale && !double.IsNaN(actual[i]),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {err:E2} > {tol * scale:E2}).");
        }
    }

    public static void Equal(ReadOnlySpan<double> expected, Tensor actual, double tol, string what) => Equal(expected, actual.Span, tol, what);

    public static void Equal(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape {expected} vs {actual}.");
        Equal(expected.ToArray().Select(v => (double)v).ToArray(), actual.Span, tol, what);
    }
}
