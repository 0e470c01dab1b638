// Breakdown: where our LSTM forward time goes, kernel by kernel, on the shapes each configuration produces,
// calling the kernels as Lstm.ForwardSteps does: per layer one input-projection GEMM on the packed W_ihᵀ, and per
// step the recurrent GEMM on the packed W_hhᵀ and the fused cell kernel. The packing itself is timed too, but a
// layer pays it once per weight update, not per forward. The per-step GEMM is timed as
// the library runs it (split over the worker pool when large enough), on one thread (which shows what waking
// the workers costs for such small products), and unpacked (what packing W_hh once per pass saves). Last, the
// T steps run as the layer runs them (one fused LstmStepForward per step) on fresh per-step buffers, which is what the
// isolated timings (hot caches, back-to-back calls that keep the workers spinning) can hide.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LstmSharp.Kernels;

namespace LstmSharp.Bench;

/// <summary>Kernel times of one layer of one configuration (per call, medians).</summary>
internal sealed record LayerBreakdown(
    int Layer, int InputWidth,
    double InputGemmMs, double PackUs, double StepGemmUs, double StepGemmOneThreadUs, double UnpackedStepGemmUs, double CellUs,
    double LoopStepUs)
{
    /// <summary>The layer's estimated inference forward time: the input GEMM and T steps of the time loop (the weights stay packed between passes).</summary>
    public double EstimateMs(int steps) => InputGemmMs + steps * LoopStepUs / 1000;
}

internal sealed record ConfigBreakdown(RnnConfig Config, IReadOnlyList<LayerBreakdown> Layers, double ForwardMs)
{
    /// <summary>Share of the CPUs other processes used while the kernels were timed.</summary>
    public double OthersCpu { get; init; } = double.NaN;

    public double EstimateMs => Layers.Sum(l => l.EstimateMs(Config.Steps));
}

internal static unsafe class Breakdown
{
    /// <summary>Median time of one empty WorkerPool.Run over all threads: the fixed cost of splitting any kernel.</summary>
    public static double PoolRoundTripUs()
    {
        static void Nothing(void* state, int part, int parts) { }
        return PerCallUs(() => WorkerPool.Run(&Nothing, null, WorkerPool.Threads));
    }

    public static ConfigBreakdown Run(RnnConfig config, double forwardMs)
    {
        var k = KernelSet.Default;
        int B = config.Batch, T = config.Steps, H = config.Units, G = 4 * H;
        var random = new Random(1);
        float[] Random(int length) => Enumerable.Range(0, length).Select(_ => 2 * random.NextSingle() - 1).ToArray();

        var layers = new List<LayerBreakdown>();
        for (var l = 0; l < config.Layers; l++)
        {
            var I = l == 0 ? config.Inputs : H;
            float[] x = Random(T * B * I), wIh = Random(G * I), wHh = Random(G * H), h = Random(B * H);
            float[] gates = new float[T * B * G], stepGates = Random(B * G), c = Random(B * H), cNew = new float[B * H], tanhC = new float[B * H], hNew = new float[B * H];
            PackedMatrix packed = new(), packedIh = new();
            k.Pack(wIh, I, transB: true, I, G, packedIh);

            void InputGemm() => k.GemmPacked(x, I, false, packedIh, T * B, gates, G, accumulate: false);
            void Pack() => k.Pack(wHh, H, transB: true, H, G, packed);
            void StepGemm() => k.GemmPacked(h, H, false, packed, B, stepGates, G, accumulate: true);
            void UnpackedStepGemm() => k.Gemm(h, H, false, wHh, H, true, B, G, H, stepGates, G, accumulate: true);
            void Cell()
            {
                k.LstmCellForward(c, default, B, H, stepGates, cNew, tanhC, hNew);
                Array.Clear(stepGates);   // keep the pre-activations from drifting into saturation
            }
            var clearUs = PerCallUs(() => Array.Clear(stepGates));

            // The time loop of Lstm.ForwardSteps on its own buffers: states [T+1, B, H], gates [T, B, 4H], tanh(c) [T, B, H].
            float[] hs = Random((T + 1) * B * H), cs = Random((T + 1) * B * H), allGates = Random(T * B * G), tanhCs = new float[T * B * H];
            void TimeLoop()
            {
                for (var t = 0; t < T; t++)
                {
                    var gt = allGates.AsSpan(t * B * G, B * G);
                    k.LstmStepForward(hs.AsSpan(t * B * H, B * H), H, packed, cs.AsSpan(t * B * H, B * H), default, B, H, gt,
                        cs.AsSpan((t + 1) * B * H, B * H), tanhCs.AsSpan(t * B * H, B * H), hs.AsSpan((t + 1) * B * H, B * H));
                }
            }

            layers.Add(new LayerBreakdown(l, I,
                InputGemmMs: PerCallUs(InputGemm) / 1000,
                PackUs: PerCallUs(Pack),
                StepGemmUs: PerCallUs(StepGemm),
                StepGemmOneThreadUs: OnOneThread(() => PerCallUs(StepGemm)),
                UnpackedStepGemmUs: PerCallUs(UnpackedStepGemm),
                CellUs: Math.Max(0, PerCallUs(Cell) - clearUs),
                LoopStepUs: PerCallUs(TimeLoop) / T));
        }
        return new ConfigBreakdown(config, layers, forwardMs);
    }

    /// <summary>Median microseconds per call, timed in batches of about a millisecond after 0.2 s of warm-up (JIT tier-1).</summary>
    static double PerCallUs(Action call)
    {
        Stats.Repeat(call, 3, 0.2);
        var clock = Stopwatch.StartNew();
        var perBatch = 0;
        while (clock.Elapsed.TotalMilliseconds < 1 && perBatch < 100_000) { call(); perBatch++; }
        perBatch = Math.Max(1, perBatch);
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (samples.Count < 15 || (total.Elapsed.TotalSeconds < 0.2 && samples.Count < 200))
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < perBatch; i++) call();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / perBatch);
        }
        return Stats.Median(samples);
    }

    /// <summary>
    /// Runs <paramref name="measure"/> while the worker pool is taken, so every kernel inside runs on the calling
    /// thread alone (WorkerPool runs a nested call's parts inline): our kernels at one thread, in this process.
    /// </summary>
    static double OnOneThread(Func<double> measure)
    {
        if (WorkerPool.Threads < 2) return measure();
        var box = new StrongBox<double>();
        Action work = () => box.Value = measure();
        var handle = GCHandle.Alloc(work);
        try
        {
            WorkerPool.Run(&RunFirstPart, (void*)GCHandle.ToIntPtr(handle), 2);
        }
        finally
        {
            handle.Free();
        }
        return box.Value;

        static void RunFirstPart(void* state, int part, int parts)
        {
            if (part == 0) ((Action)GCHandle.FromIntPtr((nint)state).Target!)();
        }
    }
}
