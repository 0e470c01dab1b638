// The fused gate kernels of every fast variant this machine runs against the scalar reference (itself checked against PyTorch
// and finite differences), for every width 1..40 so each SIMD tail runs, with and without peepholes.
using LstmSharp.Kernels;
using Xunit;

namespace LstmSharp.Tests.Kernels;

public sealed class GateKernelTests
{
    const int B = 3;
    const double Tol = 2e-6;

    public static TheoryData<bool> Peepholes() => new(false, true);

    [Theory]
    [MemberData(nameof(Peepholes))]
    public void LstmCell_Simd_MatchesScalar(bool peepholes)
    {
        for (var H = 1; H <= 40; H++)
        {
            var rng = new Random(H);
            var pre = Random(rng, B * 4 * H, 3);
            var cPrev = Random(rng, B * H, 2);
            var peep = peepholes ? Random(rng, 3 * H, 1) : [];
            var dh = Random(rng, B * H, 1);
            var dcIn = Random(rng, B * H, 1);
            var results = new List<float[][]>();
            foreach (var k in KernelSet.Supported.Select(KernelSet.For))
            {
                var gates = (float[])pre.Clone();
                float[] c = new float[B * H], tanhC = new float[B * H], h = new float[B * H];
                k.LstmCellForward(cPrev, peep, B, H, gates, c, tanhC, h);
                var dc = (float[])dcIn.Clone();
                var dGates = new float[B * 4 * H];
                var dPeep = new float[peep.Length];
                k.LstmCellBackward(gates, cPrev, c, tanhC, peep, dh, B, H, dc, dGates, dPeep);
                results.Add([gates, c, tanhC, h, dc, dGates, dPeep]);
            }
            for (var v = 1; v < results.Count; v++) AssertClose(results[0], results[v], $"LSTM H={H} peepholes={peepholes} variant {KernelSet.Supported[v]}");
        }
    }

    /// <summary>
    /// The whole LSTM step (recurrent product, then the cell) of every variant against the scalar reference, on batches that
    /// are split over the worker threads by rows (with two threads, more than one micro-tile of rows — 8 with Vector512, 6 with
    /// Vector256 — once B·4H·H ≥ 65,536), by units (one tile or less, H whole panels for each thread: 1 to 3 rows without
    /// packing A, more with it, an uneven 96 = 3 panels of 32) and not at all,
    /// with a row stride wider than H; and bit-identical to the same variant's product and cell called one after the other.
    /// </summary>
    [Theory]
    [MemberData(nameof(Peepholes))]
    public void LstmStep_Simd_MatchesScalarAndTheUnfusedCalls(bool peepholes)
    {
        foreach (var (batch, H) in new[] { (1, 37), (1, 128), (3, 96), (4, 96), (5, 128), (6, 64), (8, 64), (13, 64), (20, 96), (24, 128), (31, 130), (64, 96) })
        {
            var rng = new Random(batch * 1000 + H);
            var ldh = H + 3;
            var hPrev = Random(rng, batch * ldh, 1);
            var wHh = Random(rng, 4 * H * H, 0.2f);
            var pre = Random(rng, batch * 4 * H, 2);
            var cPrev = Random(rng, batch * H, 2);
            var peep = peepholes ? Random(rng, 3 * H, 1) : [];
            var results = new List<float[][]>();
            foreach (var k in KernelSet.Supported.Select(KernelSet.For))
            {
                var packed = new PackedMatrix();
                k.Pack(wHh, H, transB: true, H, 4 * H, packed);
                var gates = (float[])pre.Clone();
                float[] c = new float[batch * H], tanhC = new float[batch * H], h = new float[batch * H];
                k.LstmStepForward(hPrev, ldh, packed, cPrev, peep, batch, H, gates, c, tanhC, h);
                results.Add([gates, c, tanhC, h]);

                var apart = (float[])pre.Clone();
                float[] c2 = new float[batch * H], tanhC2 = new float[batch * H], h2 = new float[batch * H];
                k.GemmPacked(hPrev, ldh, false, packed, batch, apart, 4 * H, accumulate: true);
                k.LstmCellForward(cPrev, peep, batch, H, apart, c2, tanhC2, h2);
                Assert.Equal(apart, gates);
                Assert.Equal(h2, h);
                Assert.Equal(c2, c);
            }
            for (var v = 1; v < results.Count; v++)
                AssertClose(results[0], results[v], $"LSTM step B={batch} H={H} peepholes={peepholes} variant {KernelSet.Supported[v]}", 2e-5);
        }
    }

    /// <summary>
    /// The whole GRU step (recurrent product with b_hh, then the cell) of every variant against the scalar reference, on
    /// batches split by rows, by units (H whole panels for each thread; 96 = 3 panels of 32 is uneven) and not at all, with a
    /// row stride wider than H and without a bias; and bit-identical to the same variant's product and cell called apart.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GruStep_Simd_MatchesScalarAndTheUnfusedCalls(bool withBias)
    {
        foreach (var (batch, H) in new[] { (1, 37), (1, 128), (3, 96), (4, 96), (5, 128), (6, 64), (8, 64), (13, 64), (20, 96), (24, 128), (31, 130), (64, 96) })
        {
            var rng = new Random(batch * 1000 + H + 7);
            var ldh = H + 3;
            var hIn = Random(rng, batch * ldh, 1);
            var hPrev = Random(rng, batch * H, 1);
            var wHh = Random(rng, 3 * H * H, 0.2f);
            var bias = withBias ? Random(rng, 3 * H, 1) : [];
            var xProj = Random(rng, batch * 3 * H, 2);
            var results = new List<float[][]>();
            foreach (var k in KernelSet.Supported.Select(KernelSet.For))
            {
                var packed = new PackedMatrix();
                k.Pack(wHh, H, transB: true, H, 3 * H, packed);
                float[] hProj = new float[batch * 3 * H], gates = new float[batch * 3 * H], h = new float[batch * H];
                k.GruStepForward(hIn, ldh, packed, bias, xProj, hPrev, batch, H, hProj, gates, h);
                results.Add([hProj, gates, h]);

                float[] hProj2 = new float[batch * 3 * H], gates2 = new float[batch * 3 * H], h2 = new float[batch * H];
                k.GemmPacked(hIn, ldh, false, packed, batch, hProj2, 3 * H, accumulate: false, bias);
                k.GruCellForward(xProj, hProj2, hPrev, batch, H, gates2, h2);
                Assert.Equal(hProj2, hProj);
                Assert.Equal(gates2, gates);
                Assert.Equal(h2, h);
            }
            for (var v = 1; v < results.Count; v++)
                AssertClose(results[0], results[v], $"GRU step B={batch} H={H} bias={withBias} variant {KernelSet.Supported[v]}", 2e-5);
        }
    }

    [Fact]
    public void GruCell_Simd_MatchesScalar()
    {
        for (var H = 1; H <= 40; H++)
        {
            var rng = new Random(100 + H);
            var xProj = Random(rng, B * 3 * H, 2);
            var hProj = Random(rng, B * 3 * H, 2);
            var hPrev = Random(rng, B * H, 1);
            var dh = Random(rng, B * H, 1);
            var results = new List<float[][]>();
            foreach (var k in KernelSet.Supported.Select(KernelSet.For))
            {
                float[] gates = new float[B * 3 * H], h = new float[B * H];
                k.GruCellForward(xProj, hProj, hPrev, B, H, gates, h);
                float[] dX = new float[B * 3 * H], dH = new float[B * 3 * H], dhPrev = new float[B * H];
                k.GruCellBackward(gates, hProj, hPrev, dh, B, H, dX, dH, dhPrev);
                results.Add([gates, h, dX, dH, dhPrev]);
            }
            for (var v = 1; v < results.Count; v++) AssertClose(results[0], results[v], $"GRU H={H} variant {KernelSet.Supported[v]}");
        }
    }

    [Fact]
    public void Pointwise_Simd_MatchesScalar()
    {
        for (var n = 0; n <= 40; n++)
        {
            var rng = new Random(200 + n);
            var y = Random(rng, B * n, 2);
            var dy = Random(rng, B * n, 1);
            var bias = Random(rng, n, 1);
            var results = new List<float[][]>();
            foreach (var k in KernelSet.Supported.Select(KernelSet.For))
            {
                var t = (float[])y.Clone();
                k.Tanh(t);
                var dA = new float[B * n];
                k.TanhBackward(t, dy, dA);
                var sum = (float[])bias.Clone();
                k.SumRows(dy, B, n, sum);
                var added = (float[])y.Clone();
                k.Add(dy, added);
                results.Add([t, dA, sum, added]);
            }
            for (var v = 1; v < results.Count; v++) AssertClose(results[0], results[v], $"pointwise n={n} variant {KernelSet.Supported[v]}");
        }
    }

    [Fact]
    public void FastTanh_WithinTenUlpOfTanhEverywhere()
    {
        // Every 1/4096 on [−12, 12], the tiny region around 0, and the extremes.
        var xs = Enumerable.Range(-12 * 4096, 24 * 4096 + 1).Select(i => i / 4096f)
            .Concat(Enumerable.Range(1, 200).SelectMany(i => new[] { i * 1e-6f, -i * 1e-6f }))
            .Concat([float.MaxValue, float.MinValue, 1e30f, -1e30f]).ToArray();
        var ys = new float[xs.Length];
        SimdKernelSet.FastTanh(xs, ys);
        for (var i = 0; i < xs.Length; i++)
        {
            var exact = Math.Tanh(xs[i]);
            Assert.True(Math.Abs(ys[i] - exact) <= 6e-7 * Math.Max(Math.Abs(exact), 1e-3) + 1e-9,
                $"tanh({xs[i]:R}) = {exact:R}, fast {ys[i]:R}");
        }
    }

    static void AssertClose(float[][] expected, float[][] actual, string what, double tol = Tol)
    {
        for (var o = 0; o < expected.Length; o++)
            for (var i = 0; i < expected[o].Length; i++)
                Assert.True(Math.Abs(expected[o][i] - actual[o][i]) <= tol * Math.Max(1, Math.Abs(expected[o][i])),
                    $"{what}: output {o}[{i}] scalar {expected[o][i]} vs fast {actual[o][i]}");
    }

    static float[] Random(Random rng, int length, float scale)
    {
        var a = new float[length];
        for (var i = 0; i < length; i++) a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return a;
    }
}
