// The debug-only size checks at kernel entries: in a Debug build (what `dotnet test` builds) a span one float too
// short throws an ArgumentException naming the kernel, the argument and both lengths, in every variant, before the
// fast paths take a pointer; the smallest spans the sizes allow (a GEMM operand of (rows − 1)·ld + cols) still run.
using LstmSharp.Kernels;
using Xunit;

namespace LstmSharp.Tests.Kernels;

public sealed class KernelGuardTests
{
    public static TheoryData<KernelVariant> Variants() => [.. KernelSet.Supported];

    /// <summary>A kernel call with one span one float short: (kernel, argument, needed, received, the call).</summary>
    static IEnumerable<(string Kernel, string Argument, int Needed, Action<KernelSet> Call)> ShortCalls()
    {
        const int m = 3, n = 5, k = 4, B = 2, H = 3;
        // Gemm: A [m, k] needs (m − 1)·lda + k, Aᵀ stored [k, m] needs (k − 1)·lda + m; likewise B and C.
        yield return ("Gemm", "a", 2 * 6 + k, K => K.Gemm(new float[2 * 6 + k - 1], 6, false, new float[k * n], n, false, m, n, k, new float[m * n], n, false));
        yield return ("Gemm", "a", 3 * m + m, K => K.Gemm(new float[3 * m + m - 1], m, true, new float[k * n], n, false, m, n, k, new float[m * n], n, false));
        yield return ("Gemm", "b", 4 * k + k, K => K.Gemm(new float[m * k], k, false, new float[4 * k + k - 1], k, true, m, n, k, new float[m * n], n, false));
        yield return ("Gemm", "c", 2 * 7 + n, K => K.Gemm(new float[m * k], k, false, new float[k * n], n, false, m, n, k, new float[2 * 7 + n - 1], 7, true));
        yield return ("Pack", "b", 3 * n + n, K => K.Pack(new float[3 * n + n - 1], n, false, k, n, new PackedMatrix()));
        yield return ("GemmPacked", "a", 2 * k + k, K => K.GemmPacked(new float[2 * k + k - 1], k, false, Packed(K, k, n), m, new float[m * n], n, false));
        yield return ("GemmPacked", "c", 2 * n + n, K => K.GemmPacked(new float[m * k], k, false, Packed(K, k, n), m, new float[2 * n + n - 1], n, false));
        yield return ("Gemm", "bias", n, K => K.Gemm(new float[m * k], k, false, new float[k * n], n, false, m, n, k, new float[m * n], n, false, new float[n - 1]));
        yield return ("GemmPacked", "bias", n, K => K.GemmPacked(new float[m * k], k, false, Packed(K, k, n), m, new float[m * n], n, false, new float[n - 1]));
        yield return ("SumRows", "dx", m * n, K => K.SumRows(new float[m * n - 1], m, n, new float[n]));
        yield return ("LstmCellForward", "gates", B * 4 * H, K => K.LstmCellForward(new float[B * H], [], B, H, new float[B * 4 * H - 1], new float[B * H], new float[B * H], new float[B * H]));
        yield return ("LstmCellForward", "peep", 3 * H, K => K.LstmCellForward(new float[B * H], new float[3 * H - 1], B, H, new float[B * 4 * H], new float[B * H], new float[B * H], new float[B * H]));
        yield return ("LstmCellBackward", "dc", B * H, K => K.LstmCellBackward(new float[B * 4 * H], new float[B * H], new float[B * H], new float[B * H], [], new float[B * H], B, H,
            new float[B * H - 1], new float[B * 4 * H], []));
        yield return ("GruCellForward", "h", B * H, K => K.GruCellForward(new float[B * 3 * H], new float[B * 3 * H], new float[B * H], B, H, new float[B * 3 * H], new float[B * H - 1]));
        yield return ("GruCellBackward", "dHProj", B * 3 * H, K => K.GruCellBackward(new float[B * 3 * H], new float[B * 3 * H], new float[B * H], new float[B * H], B, H,
            new float[B * 3 * H], new float[B * 3 * H - 1], new float[B * H]));
        yield return ("TanhBackward", "dA", n, K => K.TanhBackward(new float[n], new float[n], new float[n - 1]));
        yield return ("Add", "y", n, K => K.Add(new float[n - 1], new float[n]));
        yield return ("SoftMax", "y", m * n, K => K.SoftMax(new float[m * n], m, n, new float[m * n - 1]));
        yield return ("LogSoftMax", "x", m * n, K => K.LogSoftMax(new float[m * n - 1], m, n, new float[m * n]));
        yield return ("LogSumExp", "lse", m, K => K.LogSumExp(new float[m * n], m, n, new float[m - 1]));
        yield return ("MaskedSoftMax", "scores", m * n, K => K.MaskedSoftMax(new float[m * n - 1], new float[n], m, n, new float[m * n]));
        yield return ("SoftMaxBackward", "dY", m * n, K => K.SoftMaxBackward(new float[m * n], new float[m * n - 1], m, n, new float[m * n]));
    }

    public static TheoryData<KernelVariant, int> ShortCases()
    {
        var data = new TheoryData<KernelVariant, int>();
        var count = ShortCalls().Count();
        foreach (var variant in KernelSet.Supported)
            for (var i = 0; i < count; i++) data.Add(variant, i);
        return data;
    }

#if DEBUG
    [Theory]
    [MemberData(nameof(ShortCases))]
    public void Kernel_SpanOneShort_ThrowsNamingArgumentAndLengths(KernelVariant variant, int index)
    {
        var (kernel, argument, needed, call) = ShortCalls().ElementAt(index);
        var e = Assert.Throws<ArgumentException>(() => call(KernelSet.For(variant)));
        Assert.Equal(argument, e.ParamName);
        Assert.StartsWith($"{kernel}: '{argument}'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{needed} floats; received {needed - 1}.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MaskedSoftMax_MaskRowsNotDividingRows_Throws(KernelVariant variant)
    {
        var k = KernelSet.For(variant);
        // 4 rows of 5: a mask of 3 rows cannot be shared evenly, nor can one that is not whole rows.
        Assert.Throws<ArgumentException>(() => k.MaskedSoftMax(new float[20], new float[15], 4, 5, new float[20]));
        Assert.Throws<ArgumentException>(() => k.MaskedSoftMax(new float[20], new float[7], 4, 5, new float[20]));
        Assert.Throws<ArgumentException>(() => k.MaskedSoftMax(new float[20], [], 4, 5, new float[20]));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gemm_RowStrideBelowColumns_Throws(KernelVariant variant)
    {
        var e = Assert.Throws<ArgumentException>(() => KernelSet.For(variant).Gemm(new float[12], 4, false, new float[20], 5, false, 3, 5, 4, new float[20], 4, false));
        Assert.Equal("c", e.ParamName);
        Assert.Contains("row stride ldc", e.Message, StringComparison.Ordinal);
    }
#endif

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gemm_SmallestOperandsTheSizesAllow_MatchScalarOnPaddedCopies(KernelVariant variant)
    {
        // Operands exactly (rows − 1)·ld + cols long, with strides above their widths: the guard must accept them,
        // and the product must equal the reference's on buffers with room to spare.
        const int m = 7, n = 19, k = 9, lda = 12, ldb = 23, ldc = 21;
        var rng = new Random(5);
        foreach (var transA in new[] { false, true })
        {
            foreach (var transB in new[] { false, true })
            {
                int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
                var a = Random(rng, (aRows - 1) * lda + aCols);
                var b = Random(rng, (bRows - 1) * ldb + bCols);
                var c = new float[(m - 1) * ldc + n];
                var expected = new float[m * ldc];
                KernelSet.Scalar.Gemm([.. a, .. new float[lda]], lda, transA, [.. b, .. new float[ldb]], ldb, transB, m, n, k, expected, ldc, false);
                KernelSet.For(variant).Gemm(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, false);
                for (var i = 0; i < c.Length; i++)
                    Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5, $"{variant} transA={transA} transB={transB}: C[{i}] = {c[i]}, expected {expected[i]}");
            }
        }
    }

    static PackedMatrix Packed(KernelSet kernels, int k, int n)
    {
        var packed = new PackedMatrix();
        kernels.Pack(new float[k * n], n, false, k, n, packed);
        return packed;
    }

    static float[] Random(Random rng, int length)
    {
        var a = new float[length];
        for (var i = 0; i < length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }
}
