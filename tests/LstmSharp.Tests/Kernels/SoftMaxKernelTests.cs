// The row softmax kernels (SoftMax, LogSoftMax, LogSumExp, MaskedSoftMax, SoftMaxBackward) of every variant this
// machine runs, against a double-precision brute force for every row length 0..70 (every Vector256 and Vector512
// tail), on rows centred at 0, +100 and −100 (e^100 overflows float: only a max-shifted kernel survives), with
// masks per row, shared by several rows and keeping nothing; the backward also against finite differences in double.
using LstmSharp.Kernels;
using Xunit;

namespace LstmSharp.Tests.Kernels;

public sealed class SoftMaxKernelTests
{
    const int Rows = 4;
    const int MaxLength = 70;

    public static TheoryData<KernelVariant> Variants() => [.. KernelSet.Supported];

    [Theory]
    [MemberData(nameof(Variants))]
    public void SoftMax_EveryLength_MatchesDoubleReference(KernelVariant variant)
    {
        var k = KernelSet.For(variant);
        for (var n = 0; n <= MaxLength; n++)
        {
            var x = Logits(new Random(n), n);
            var y = new float[Rows * n];
            var logY = new float[Rows * n];
            var lse = new float[Rows];
            k.SoftMax(x, Rows, n, y);
            k.LogSoftMax(x, Rows, n, logY);
            k.LogSumExp(x, Rows, n, lse);
            for (var r = 0; r < Rows; r++)
            {
                var row = x.AsSpan(r * n, n);
                var (expected, max, logSum) = Reference(row, default);
                Assert.True(lse[r] == max + logSum || Math.Abs(lse[r] - (max + logSum)) <= 1.2e-7 * Math.Abs(max + logSum) + 1e-12,
                    $"{variant} n={n} row {r}: logsumexp {lse[r]}, expected {max + logSum}");
                for (var j = 0; j < n; j++)
                {
                    var i = r * n + j;
                    AssertProbability(expected[j], y[i], $"{variant} n={n} softmax[{r},{j}]");
                    var logP = row[j] - max - logSum;
                    Assert.True(Math.Abs(logY[i] - logP) <= 2.4e-7 * Math.Abs(logP) + 1e-12,
                        $"{variant} n={n} log-softmax[{r},{j}] = {logY[i]}, expected {logP}");
                }
            }
            if (n == 0) Assert.All(lse, v => Assert.Equal(float.NegativeInfinity, v));
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MaskedSoftMax_EveryLength_ZeroWhereMaskedAndSoftMaxOfTheRest(KernelVariant variant)
    {
        var k = KernelSet.For(variant);
        for (var n = 0; n <= MaxLength; n++)
        {
            var rng = new Random(1000 + n);
            var scores = Logits(rng, n);
            // A masked score never matters, even when it is NaN, +∞ or would dominate the row.
            for (var j = 0; j < n; j += 3) scores[j] = j % 2 == 0 ? float.NaN : j % 9 == 3 ? float.PositiveInfinity : 1e30f;
            // Masks with one row per score row, one row per two, one for all; in the first, row 1 keeps nothing.
            foreach (var maskRows in new[] { Rows, Rows / 2, 1 })
            {
                var mask = new float[maskRows * n];
                for (var i = 0; i < mask.Length; i++) mask[i] = i % n % 3 == 0 || rng.NextDouble() < 0.3 ? 0f : 1f;
                if (maskRows == Rows) mask.AsSpan(n, n).Clear();
                var y = new float[Rows * n];
                k.MaskedSoftMax(scores, mask, Rows, n, y);
                for (var r = 0; r < Rows; r++)
                {
                    var m = mask.AsSpan(r / (Rows / maskRows) * n, n);
                    var row = scores.AsSpan(r * n, n);
                    var (expected, _, _) = Reference(row, m);
                    for (var j = 0; j < n; j++)
                    {
                        var what = $"{variant} n={n} mask rows {maskRows} y[{r},{j}]";
                        if (m[j] == 0f) Assert.True(y[r * n + j] == 0f, $"{what} = {y[r * n + j]}, masked: must be exactly 0");
                        else AssertProbability(expected[j], y[r * n + j], what);
                    }
                }
                if (maskRows == Rows) Assert.All(y.AsSpan(n, n).ToArray(), v => Assert.Equal(0f, v));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SoftMaxBackward_EveryLength_MatchesFormulaAndFiniteDifferences(KernelVariant variant)
    {
        var k = KernelSet.For(variant);
        for (var n = 0; n <= MaxLength; n++)
        {
            var rng = new Random(2000 + n);
            var x = Logits(rng, n);
            var dY = Random(rng, Rows * n, 1);
            var mask = new float[Rows * n];
            for (var i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() < 0.25 ? 0f : 1f;
            if (n > 0) mask.AsSpan(2 * n, n).Clear();   // row 2 keeps nothing: y = 0, so dX = 0
            foreach (var masked in new[] { false, true })
            {
                var y = new float[Rows * n];
                if (masked) k.MaskedSoftMax(x, mask, Rows, n, y);
                else k.SoftMax(x, Rows, n, y);
                var dX = new float[Rows * n];
                k.SoftMaxBackward(y, dY, Rows, n, dX);
                for (var r = 0; r < Rows; r++)
                {
                    var rowY = y.AsSpan(r * n, n);
                    var rowDY = dY.AsSpan(r * n, n);
                    double dot = 0, scale = 0;
                    for (var j = 0; j < n; j++)
                    {
                        dot += (double)rowY[j] * rowDY[j];
                        scale = Math.Max(scale, Math.Abs(rowDY[j]));
                    }
                    var m = masked ? mask.AsSpan(r * n, n) : default;
                    for (var j = 0; j < n; j++)
                    {
                        var i = r * n + j;
                        var formula = rowY[j] * (rowDY[j] - dot);
                        Assert.True(Math.Abs(dX[i] - formula) <= 4e-7 * rowY[j] * (Math.Abs(rowDY[j]) + Math.Abs(dot)) + 1e-30,
                            $"{variant} n={n} masked={masked} dX[{r},{j}] = {dX[i]}, formula {formula}");
                        var numeric = FiniteDifference(x.AsSpan(r * n, n), m, rowDY, j);
                        Assert.True(Math.Abs(dX[i] - numeric) <= 1e-6 * Math.Max(1, scale),
                            $"{variant} n={n} masked={masked} dX[{r},{j}] = {dX[i]}, finite difference {numeric}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SoftMaxKernels_InPlace_SameAsOutOfPlace(KernelVariant variant)
    {
        var k = KernelSet.For(variant);
        foreach (var n in new[] { 1, 7, 16, 33, 70 })
        {
            var rng = new Random(3000 + n);
            var x = Logits(rng, n);
            var dY = Random(rng, Rows * n, 1);
            var mask = new float[n];
            for (var j = 0; j < n; j++) mask[j] = j % 4 == 1 ? 0f : 1f;
            var y = new float[Rows * n];
            var inPlace = (float[])x.Clone();
            k.SoftMax(x, Rows, n, y);
            k.SoftMax(inPlace, Rows, n, inPlace);
            Assert.Equal(y, inPlace);
            k.LogSoftMax(x, Rows, n, y);
            x.CopyTo(inPlace, 0);
            k.LogSoftMax(inPlace, Rows, n, inPlace);
            Assert.Equal(y, inPlace);
            k.MaskedSoftMax(x, mask, Rows, n, y);
            x.CopyTo(inPlace, 0);
            k.MaskedSoftMax(inPlace, mask, Rows, n, inPlace);
            Assert.Equal(y, inPlace);
            var dX = new float[Rows * n];
            k.SoftMaxBackward(y, dY, Rows, n, dX);
            k.SoftMaxBackward(y, dY, Rows, n, dY);
            Assert.Equal(dX, dY);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SoftMax_HugeLogits_ShiftedNotOverflowed(KernelVariant variant)
    {
        var k = KernelSet.For(variant);
        float[] x = [1000f, 0f, -1000f, 88.8f, 88.8f, float.NegativeInfinity];
        var y = new float[6];
        k.SoftMax(x, 2, 3, y);
        Assert.Equal([1f, 0f, 0f, 0.5f, 0.5f, 0f], y);
        var lse = new float[2];
        k.LogSumExp(x, 2, 3, lse);
        Assert.Equal(1000f, lse[0]);
        Assert.Equal(88.8 + Math.Log(2), lse[1], 4);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void LogSoftMax_ConfidentRow_KeepsItsTinyLogProbability(KernelVariant variant)
    {
        // log p₀ = −log(1 + (n − 1)·e^−20) ≈ −(n − 1)·2.06e-9: a float exponential (an ulp out at 0) would be 1e-7 off.
        var k = KernelSet.For(variant);
        foreach (var n in new[] { 2, 9, 40 })
        {
            var x = new float[n];
            x[0] = 20f;
            var logP = new float[n];
            k.LogSoftMax(x, 1, n, logP);
            var expected = -Math.Log(1 + (n - 1) * Math.Exp(-20.0));
            Assert.True(Math.Abs(logP[0] - expected) <= 1e-6 * -expected, $"{variant} n={n}: log p₀ = {logP[0]:R}, expected {expected:R}");
            var p = new float[n];
            k.SoftMax(x, 1, n, p);
            Assert.Equal(Math.Exp(-20.0) / (1 + (n - 1) * Math.Exp(-20.0)), p[1], 1e-15);
        }
    }

    /// <summary>Rows of n logits: row 0 in ±8, row 1 around +100, row 2 around −100, row 3 in ±0.5 (nearly uniform).</summary>
    static float[] Logits(Random rng, int n)
    {
        var x = Random(rng, Rows * n, 8);
        for (var j = 0; j < n; j++)
        {
            x[n + j] += 100f;
            x[2 * n + j] -= 100f;
            x[3 * n + j] /= 16f;
        }
        return x;
    }

    /// <summary>softmax over the kept entries (an empty mask keeps all) in double, the kept maximum and log Σ e^(x − max).</summary>
    static (double[] Y, double Max, double LogSum) Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> mask)
    {
        var max = double.NegativeInfinity;
        for (var j = 0; j < x.Length; j++)
            if (mask.IsEmpty || mask[j] != 0f) max = Math.Max(max, x[j]);
        var y = new double[x.Length];
        double sum = 0;
        for (var j = 0; j < x.Length; j++)
            if (mask.IsEmpty || mask[j] != 0f) sum += y[j] = Math.Exp(x[j] - max);
        for (var j = 0; j < x.Length; j++) y[j] = sum == 0 ? 0 : y[j] / sum;
        return (y, max, Math.Log(sum));
    }

    /// <summary>
    /// Within four half-ulps (2⁻²⁴ each): the reference rounds once; the fast variants round e^x, the sum and the quotient.
    /// </summary>
    static void AssertProbability(double expected, float actual, string what)
        => Assert.True(Math.Abs(actual - expected) <= expected * 2.4e-7 + 1e-38, $"{what} = {actual}, expected {expected}");

    /// <summary>∂/∂x_j of Σ_k g_k·softmax(x)_k (masked when a mask is given), by central differences in double.</summary>
    static double FiniteDifference(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, ReadOnlySpan<float> g, int j)
    {
        const double h = 1e-4;
        var xs = new double[x.Length];
        for (var i = 0; i < x.Length; i++) xs[i] = x[i];
        xs[j] += h;
        var plus = Weighted(xs, mask, g);
        xs[j] -= 2 * h;
        var minus = Weighted(xs, mask, g);
        return (plus - minus) / (2 * h);
    }

    static double Weighted(double[] x, ReadOnlySpan<float> mask, ReadOnlySpan<float> g)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < x.Length; i++)
            if (mask.IsEmpty || mask[i] != 0f) max = Math.Max(max, x[i]);
        double sum = 0, weighted = 0;
        for (var i = 0; i < x.Length; i++)
        {
            if (!mask.IsEmpty && mask[i] == 0f) continue;
            var e = Math.Exp(x[i] - max);
            sum += e;
            weighted += g[i] * e;
        }
        return sum == 0 ? 0 : weighted / sum;
    }

    static float[] Random(Random rng, int length, float scale)
    {
        var a = new float[length];
        for (var i = 0; i < length; i++) a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }
}
