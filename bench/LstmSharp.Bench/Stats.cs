// Stats: timing of repeated runs (warm-up, adaptive repeat count) and the summaries reported: median, min, max.
using System.Diagnostics;

namespace LstmSharp.Bench;

/// <summary>How long each measurement runs. The standard run uses <see cref="Full"/>; <c>--quick</c> uses <see cref="Quick"/>.</summary>
internal sealed record Budget(int MinRuns, double MinSeconds, double MaxSeconds, int Rounds, int SettleMs, double WarmSeconds, double QuietWaitSeconds, int Redos)
{
    /// <summary>
    /// ≥ 10 runs and ≥ 1 s per engine (spread over 3 interleaved rounds), at most 8 s unless fewer than 3 runs fit;
    /// 1 s warm-up; each block waits for a quiet machine and is redone (up to 3 times) when other processes
    /// disturbed it, with at most 20 minutes of waiting in the whole run.
    /// </summary>
    public static readonly Budget Full = new(MinRuns: 10, MinSeconds: 1.0, MaxSeconds: 8.0, Rounds: 3, SettleMs: 200, WarmSeconds: 1.0, QuietWaitSeconds: 1200, Redos: 3);

    /// <summary>A smoke run while developing: a few runs, one round, a short warm-up, no waiting and no redos.</summary>
    public static readonly Budget Quick = new(MinRuns: 3, MinSeconds: 0.1, MaxSeconds: 1.0, Rounds: 1, SettleMs: 50, WarmSeconds: 0.4, QuietWaitSeconds: 0, Redos: 0);

    /// <summary>Other processes may use at most this share of the machine for it to count as quiet.</summary>
    public const double QuietShare = 0.05;
}

/// <summary>The times (ms) of one engine on one task, collected over every round.</summary>
internal sealed class Timing(string engine)
{
    readonly List<double> _ms = [];
    readonly List<double> _othersShares = [];

    public string Engine { get; } = engine;

    public IReadOnlyList<double> Samples => _ms;

    public double Median => Stats.Median(_ms);

    public double Min => _ms.Count == 0 ? double.NaN : _ms.Min();

    public double Max => _ms.Count == 0 ? double.NaN : _ms.Max();

    /// <summary>The largest share of the CPUs other processes used during one of the kept blocks (NaN if unknown).</summary>
    public double OthersCpu => _othersShares.Count == 0 ? double.NaN : _othersShares.Max();

    public void AddBlock(IEnumerable<double> ms, double othersShare)
    {
        _ms.AddRange(ms);
        _othersShares.Add(othersShare);
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// Runs <paramref name="run"/> until it has been called at least <paramref name="minRuns"/> times and
    /// <paramref name="minSeconds"/> have passed (or <paramref name="maxRuns"/> calls), returning the count. Used for warm-up.
    /// </summary>
    public static int Repeat(Action run, int minRuns, double minSeconds, int maxRuns = int.MaxValue)
    {
        var clock = Stopwatch.StartNew();
        var runs = 0;
        while (runs < maxRuns && (runs < minRuns || clock.Elapsed.TotalSeconds < minSeconds))
        {
            run();
            runs++;
        }
        return runs;
    }

    /// <summary>Warm-up: at least 3 runs and <see cref="Budget.WarmSeconds"/>.</summary>
    public static void Warm(Action run, Budget budget) => Repeat(run, 3, budget.WarmSeconds);

    /// <summary>
    /// One block of one round: a settle pause (so the previous engine's spinning worker threads go to sleep), a
    /// wait for a quiet machine, one unmeasured run (caches, thread wake-up), then timed runs until this round's
    /// share of the budget is met. A block that other processes disturbed is thrown away and measured again
    /// (as <paramref name="gate"/> allows). Each run is timed on its own; the report shows the median over all rounds.
    /// </summary>
    public static void MeasureBlock(Action run, Budget budget, Timing into, QuietGate gate)
    {
        var minRuns = (budget.MinRuns + budget.Rounds - 1) / budget.Rounds;
        var minSeconds = budget.MinSeconds / budget.Rounds;
        var maxSeconds = budget.MaxSeconds / budget.Rounds;
        const int FloorRuns = 1;
        for (var attempt = 0; ; attempt++)
        {
            Thread.Sleep(budget.SettleMs);
            gate.WaitForQuiet();
            var monitor = new CpuMonitor();
            run();
            var samples = new List<double>();
            var block = Stopwatch.StartNew();
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                run();
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                var elapsed = block.Elapsed.TotalSeconds;
                if (samples.Count >= minRuns && elapsed >= minSeconds) break;
                if (samples.Count >= FloorRuns && elapsed >= maxSeconds) break;
            }
            var share = monitor.OthersShare();
            if (gate.ShouldRedo(share, attempt)) continue;
            into.AddBlock(samples, share);
            return;
        }
    }
}
