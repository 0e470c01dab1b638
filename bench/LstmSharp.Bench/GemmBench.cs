// GemmBench: the kernel under every LSTM, alone: our packed SIMD GEMM (KernelSet.Gemm of every fast variant
// this machine runs, internal) against OpenBLAS's cblas_sgemm on the same square float32 matrices, A·B and
// A·Bᵀ, interleaved in the same run.
using LstmSharp.Kernels;

namespace LstmSharp.Bench;

internal sealed record GemmResult(string Case, int Size, Timing Ours, Timing? Blas, double? RelDiff)
{
    /// <summary>The largest share of the CPUs other processes used during any kept timing block of this row.</summary>
    public double OthersCpu => Math.Max(Ours.OthersCpu, Blas?.OthersCpu ?? double.NaN);

    public double Flops => 2.0 * Size * Size * Size;
}

internal static class GemmBench
{
    public static IReadOnlyList<GemmResult> Run(int size, BlasPeer? blas, Budget budget, int seed, QuietGate gate, TextWriter log)
    {
        var random = new Random(seed);
        float[] RandomMatrix()
        {
            var m = new float[size * size];
            for (var i = 0; i < m.Length; i++) m[i] = 2 * random.NextSingle() - 1;
            return m;
        }
        float[] a = RandomMatrix(), b = RandomMatrix(), ours = new float[size * size], theirs = new float[size * size];
        // The default (widest) variant first: it is what the layers use.
        var variants = KernelSet.Supported.Where(v => v != KernelVariant.Scalar).Reverse().ToArray();

        var results = new List<GemmResult>();
        foreach (var transB in new[] { false, true })
        {
            var product = transB ? "A·Bᵀ" : "A·B";
            void Blas() => blas!.Sgemm(a, b, transB, size, size, size, theirs);
            blas?.Sgemm(a, b, transB, size, size, size, theirs);
            var blasTiming = blas is null ? null : new Timing("OpenBLAS");
            var cases = new List<(string Name, Action Ours, Timing Timing, double? Diff)>();
            foreach (var variant in variants)
            {
                var kernels = KernelSet.For(variant);
                var name = $"{product} ({variant})";
                void Ours() => kernels.Gemm(a, size, false, b, size, transB, size, size, size, ours, size, accumulate: false);
                Ours();
                double? diff = null;
                if (blas is not null)
                {
                    diff = ours.Zip(theirs, (x, y) => Math.Abs(x - y)).Max() / theirs.Max(MathF.Abs);
                    log.WriteLine($"  check {name}: ours vs OpenBLAS, max |diff| / max |C| = {diff:E2}");
                }
                Stats.Warm(Ours, budget);
                cases.Add((name, Ours, new Timing($"LstmSharp {variant}"), diff));
            }
            if (blas is not null) Stats.Warm(Blas, budget);
            for (var round = 0; round < budget.Rounds; round++)
            {
                foreach (var c in cases) Stats.MeasureBlock(c.Ours, budget, c.Timing, gate);
                if (blas is not null) Stats.MeasureBlock(Blas, budget, blasTiming!, gate);
            }
            results.AddRange(cases.Select(c => new GemmResult(c.Name, size, c.Timing, blasTiming, c.Diff)));
        }
        return results;
    }
}
