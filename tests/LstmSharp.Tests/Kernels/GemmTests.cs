// GEMM in every transpose form, with strides, accumulation and a bias row, on every variant, against a double
// triple loop; sizes cross every SIMD tail, the MR/NR micro-tile edges, the KC/MC/NC block edges, the
// few-rows dot path and the multi-threaded split.
using LstmSharp.Kernels;
using Xunit;

namespace LstmSharp.Tests.Kernels;

public sealed class GemmTests
{
    /// <summary>Fixed shapes, then shapes on each side of the variant's KC, MC and NC block edges on this machine.</summary>
    static (int M, int N, int K)[] Sizes(KernelVariant variant)
    {
        var (kc, mc, nc) = variant == KernelVariant.Vector256 ? PackedGemm.Narrow : PackedGemm.Wide;
        return
        [
            (0, 3, 4), (3, 0, 4), (3, 5, 0), (1, 1, 1), (1, 37, 19), (4, 33, 17), (5, 16, 8), (6, 32, 256), (7, 33, 257),
            (13, 65, 300), (97, 40, 13), (130, 70, 150), (2, 2100, 3), (9, 2100, 5), (200, 9, 70),
            (6, 32, kc), (7, 33, kc + 1), (5, 17, 2 * kc + 3), (mc, 40, 13), (mc + 1, 9, 20), (9, nc, 5), (8, nc + 37, 3),
            (1300, 1, 257), (701, 2, 200),   // one or two columns, split by rows over the threads
        ];
    }

    public static TheoryData<KernelVariant, bool, bool, bool, bool> Cases()
    {
        var data = new TheoryData<KernelVariant, bool, bool, bool, bool>();
        foreach (var v in KernelSet.Supported)
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    foreach (var acc in new[] { false, true })
                        foreach (var bias in new[] { false, true })
                            data.Add(v, ta, tb, acc, bias);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gemm_AllShapes_MatchesDoubleOracle(KernelVariant variant, bool transA, bool transB, bool accumulate, bool withBias)
    {
        var kernels = KernelSet.For(variant);
        var rng = new Random(7);
        foreach (var (m, n, k) in Sizes(variant))
        {
            // Row strides larger than needed, so views into wider buffers work.
            int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 5;
            var a = Random(rng, (transA ? k : m) * lda);
            var b = Random(rng, (transB ? n : k) * ldb);
            var c = Random(rng, m * ldc);
            var bias = withBias ? Random(rng, n) : [];
            var expected = c.Select(v => (double)v).ToArray();
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    double sum = withBias ? bias[j] : 0;
                    for (var p = 0; p < k; p++)
                        sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    expected[i * ldc + j] = accumulate ? expected[i * ldc + j] + sum : sum;
                }
            }

            kernels.Gemm(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate, bias);

            for (var i = 0; i < m * ldc; i++)
            {
                var inside = i % ldc < n;
                var tol = 1e-5 * Math.Max(1, Math.Sqrt(k));
                Assert.True(Math.Abs(c[i] - expected[i]) <= tol,
                    $"{variant} m={m} n={n} k={k} transA={transA} transB={transB} acc={accumulate} bias={withBias}: C[{i / ldc},{i % ldc}] = {c[i]}, expected {expected[i]}" +
                    (inside ? "" : " (outside the written block: must be untouched)"));
            }
        }
    }

    public static TheoryData<KernelVariant, bool, bool, bool> PackedCases()
    {
        var data = new TheoryData<KernelVariant, bool, bool, bool>();
        foreach (var v in KernelSet.Supported)
            foreach (var tb in new[] { false, true })
                foreach (var acc in new[] { false, true })
                    foreach (var bias in new[] { false, true })
                        data.Add(v, tb, acc, bias);
        return data;
    }

    [Theory]
    [MemberData(nameof(PackedCases))]
    public void GemmPacked_AllShapes_MatchesDoubleOracle(KernelVariant variant, bool transB, bool accumulate, bool withBias)
    {
        var kernels = KernelSet.For(variant);
        var rng = new Random(11);
        var packed = new PackedMatrix();
        // (m, n, k): the few-rows path (m ≤ 4), odd panel tails, several KC blocks, the multi-threaded split.
        var kc = (variant == KernelVariant.Vector256 ? PackedGemm.Narrow : PackedGemm.Wide).Kc;
        foreach (var (m, n, k) in new[] { (1, 512, 128), (3, 37, 300), (4, 16, 1), (5, 33, 7), (32, 512, 128), (64, 70, 513), (130, 96, 64), (2, 2100, 40), (3, 37, kc + 1), (7, 40, 2 * kc + 1) })
        {
            int lda = k + 1, ldb = (transB ? k : n) + 2, ldc = n + 3;
            var a = Random(rng, m * lda);
            var b = Random(rng, (transB ? n : k) * ldb);
            var c = Random(rng, m * ldc);
            var bias = withBias ? Random(rng, n) : [];
            var expected = c.Select(v => (double)v).ToArray();
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    double sum = withBias ? bias[j] : 0;
                    for (var p = 0; p < k; p++) sum += (double)a[i * lda + p] * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    expected[i * ldc + j] = accumulate ? expected[i * ldc + j] + sum : sum;
                }
            }
            kernels.Pack(b, ldb, transB, k, n, packed);
            kernels.GemmPacked(a, lda, false, packed, m, c, ldc, accumulate, bias);
            for (var i = 0; i < m * ldc; i++)
                Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Sqrt(k)),
                    $"{variant} packed m={m} n={n} k={k} transB={transB} acc={accumulate} bias={withBias}: C[{i / ldc},{i % ldc}] = {c[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public void GemmPacked_OtherVariantsPacking_Throws()
    {
        var packed = new PackedMatrix();
        KernelSet.Scalar.Pack(new float[6], 3, false, 2, 3, packed);
        if (KernelSet.Supported.Count > 1)
            Assert.Throws<InvalidOperationException>(() => KernelSet.Fastest.GemmPacked(new float[2], 2, false, packed, 1, new float[3], 3, false));
    }

    [Fact]
    public void Gemm_Fastest_SameResultWhateverTheSplit()
    {
        // The same product computed as one call and as column blocks must agree bit for bit: every element
        // is summed in one order, so results do not depend on how the work is split across threads.
        var rng = new Random(3);
        int m = 64, n = 640, k = 300;
        var a = Random(rng, m * k);
        var b = Random(rng, n * k);
        var whole = new float[m * n];
        var parts = new float[m * n];
        KernelSet.Fastest.Gemm(a, k, false, b, k, true, m, n, k, whole, n, accumulate: false);
        for (var j0 = 0; j0 < n; j0 += 64)
            KernelSet.Fastest.Gemm(a, k, false, b.AsSpan(j0 * k), k, true, m, 64, k, parts.AsSpan(j0), n, accumulate: false);
        Assert.Equal(whole, parts);
    }

    [Fact]
    public void KernelSet_FromEnvironment_ParsesOrRejects()
    {
        Assert.Same(KernelSet.Scalar, KernelSet.FromEnvironment("scalar"));
        // Parsing is case- and space-insensitive; a variant the CPU (or DOTNET_EnableAVX2=0) rules out is refused, not replaced.
        if (KernelSet.IsSupported(KernelVariant.Vector256)) Assert.Equal(KernelVariant.Vector256, KernelSet.FromEnvironment(" vector256 ").Variant);
        else Assert.Throws<EnvironmentVariableException>(() => KernelSet.FromEnvironment(" vector256 "));
        Assert.Same(KernelSet.Fastest, KernelSet.FromEnvironment(null));
        Assert.Same(KernelSet.Fastest, KernelSet.FromEnvironment("  "));
        Assert.Equal(KernelSet.Supported[^1], KernelSet.Fastest.Variant);
    }

    [Theory]
    [InlineData("Avx9")]
    [InlineData("foo")]
    [InlineData("7")]                   // Enum.TryParse would take a number ...
    [InlineData("1")]
    [InlineData("Scalar, Vector256")]   // ... or a flag combination
    public void KernelSet_FromEnvironment_NotAVariant_NamesVariableValueAndVariants(string value)
    {
        var e = Assert.Throws<EnvironmentVariableException>(() => KernelSet.FromEnvironment(value));
        Assert.Equal("LSTMSHARP_KERNELS", e.Variable);
        Assert.Equal(value, e.Value);
        Assert.StartsWith($"LSTMSHARP_KERNELS='{value}' is not a kernel variant; accepted: Scalar, Vector256, Vector512 (any case), or unset", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelSet_FromEnvironment_VariantTheMachineLacks_SaysWhatItRuns()
    {
        var lacking = Enum.GetValues<KernelVariant>().Where(v => !KernelSet.IsSupported(v)).ToArray();
        if (lacking.Length == 0) return;   // this machine runs every variant: nothing to refuse
        var e = Assert.Throws<EnvironmentVariableException>(() => KernelSet.FromEnvironment(lacking[0].ToString()));
        Assert.Contains("needs hardware this machine lacks; accepted here: " + string.Join(", ", KernelSet.Supported), e.Message, StringComparison.Ordinal);
    }

    static float[] Random(Random rng, int length)
    {
        var a = new float[length];
        for (var i = 0; i < length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }
}
