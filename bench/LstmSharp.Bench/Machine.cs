// Machine: what the results were measured on (CPU, cores, load, runtime, thread settings) and an estimate of
// the machine's single-precision FMA peak, both from the core count × clock × FLOPs per cycle and measured.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LstmSharp.Bench;

internal sealed record Machine(
    string ModelName, string CpuFamily, string CpuModel, int Cores, double Mhz, string Flags, string Runtime, string Os)
{
    static readonly string[] s_flagsOfInterest = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx_vnni"];

    public static Machine Describe()
    {
        var lscpu = Run("lscpu");
        string Field(string name) => lscpu.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == name)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault() ?? "?";
        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "";
        var mhz = cpuinfo.Split('\n').Where(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(':')[1], CultureInfo.InvariantCulture)).DefaultIfEmpty(double.NaN).Max();
        var model = Field("Model name");
        if (model == "?") model = cpuinfo.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU";
        var flags = string.Join(' ', s_flagsOfInterest.Where(f => Field("Flags").Split(' ').Contains(f)));
        return new Machine(model, Field("CPU family"), Field("Model"), Environment.ProcessorCount, mhz, flags,
            RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription);
    }

    /// <summary>True when /proc/cpuinfo's flags (those the benchmark looks at) include <paramref name="flag"/>.</summary>
    public bool HasFlag(string flag) => Flags.Split(' ').Contains(flag);

    /// <summary>
    /// The folder name under bench/results: the CPU model name in lower case, words joined by '-', then the CPU
    /// family and model numbers (<c>amd-epyc-f25-m17</c>): under a hypervisor the model name can be just "AMD EPYC"
    /// for Zen 4 (family 25) and Zen 5 (family 26) alike, and results of different CPUs must not share a folder.
    /// </summary>
    public string Slug
    {
        get
        {
            var name = string.Join('-', new string(ModelName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : ' ').ToArray())
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Where(w => w is not ("r" or "tm" or "cpu" or "processor")));
            return int.TryParse(CpuFamily, out var family) && int.TryParse(CpuModel, out var model)
                ? string.Create(CultureInfo.InvariantCulture, $"{name}-f{family}-m{model}")
                : name;
        }
    }

    /// <summary>
    /// Single-precision FLOPs per cycle and core assumed for the peak estimate: 2 FMA pipes × lanes × 2. AMD's
    /// family 26 (Zen 5) and Intel's AVX-512 server cores (Xeon Scalable from Skylake-SP to Emerald Rapids; a few
    /// low-end SKUs have one 512-bit FMA unit, which the measured peak shows) have two 512-bit FMA pipes
    /// (2 × 16 × 2 = 64); AMD's family 25 (Zen 4) runs AVX-512 on 256-bit pipes, as do AVX2-only cores (2 × 8 × 2 = 32).
    /// </summary>
    public int FlopsPerCycle => Vector512.IsHardwareAccelerated && (ModelName.Contains("Intel", StringComparison.Ordinal) || int.TryParse(CpuFamily, out var family) && family >= 26) ? 64 : 32;

    /// <summary>cores × GHz × FLOPs/cycle, with the clock /proc/cpuinfo reports (under a hypervisor: the nominal one, not boost).</summary>
    public double PeakGflops => Cores * Mhz / 1000 * FlopsPerCycle;

    /// <summary>/proc/loadavg's 1, 5 and 15 minute averages.</summary>
    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>
    /// Measured FMA throughput: every core runs twelve independent chains of vector FMAs (enough to cover the FMA
    /// latency on two pipes) with no memory traffic; the best of <paramref name="trials"/> short trials, since the
    /// clock of a shared virtual machine wanders. This is the practical ceiling for any GEMM on this machine.
    /// </summary>
    public static double MeasureFmaPeak(int threads, int trials = 7) =>
        Enumerable.Range(0, trials).Max(_ => MeasureFmaTrial(threads, seconds: 0.2));

    static double MeasureFmaTrial(int threads, double seconds)
    {
        const long Iterations = 1 << 20;
        var lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
        var flopsPerCall = Iterations * 12 * lanes * 2.0;
        FmaChains(1000);
        var calls = new long[threads];
        var sink = new float[threads];
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            go.Wait();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                sink[t] += FmaChains(Iterations);
                calls[t]++;
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        var total = Stopwatch.StartNew();
        go.Set();
        foreach (var w in workers) w.Join();
        return calls.Sum() * flopsPerCall / total.Elapsed.TotalSeconds / 1e9;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static float FmaChains(long iterations)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var x = Vector512.Create(0.999f);
            var y = Vector512.Create(1e-6f);
            Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
                a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
                a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
                a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
                a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
                a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
        else
        {
            var x = Vector256.Create(0.999f);
            var y = Vector256.Create(1e-6f);
            Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
                a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
                a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
                a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
                a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
                a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
            }
            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
    }

    static string Run(string command)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
