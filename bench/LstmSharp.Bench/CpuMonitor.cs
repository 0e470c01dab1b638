// CpuMonitor: how much of the machine other processes used while we measured, from /proc/stat (all CPU time)
// minus /proc/self/stat (ours, every thread, so the peers' worker threads count as ours). QuietGate uses it
// to wait for a quiet moment before each timed block and to redo blocks that were disturbed: on a two-core
// machine shared with builds and test runs, that is what tells a trustworthy figure from a disturbed one.
using System.Diagnostics;
using System.Globalization;

namespace LstmSharp.Bench;

internal sealed class CpuMonitor
{
    long _total, _idle, _self;

    public CpuMonitor() => Restart();

    /// <summary>False where /proc is missing (not Linux): every share is then NaN and nothing waits.</summary>
    public static bool IsSupported => File.Exists("/proc/stat") && File.Exists("/proc/self/stat");

    public void Restart() => (_total, _idle, _self) = Read();

    /// <summary>Share of all CPUs' time since <see cref="Restart"/> that other processes were busy (0..1).</summary>
    public double OthersShare()
    {
        if (!IsSupported) return double.NaN;
        var (total, idle, self) = Read();
        var dTotal = total - _total;
        if (dTotal <= 0) return 0;
        var busyOthers = dTotal - (idle - _idle) - (self - _self);
        return Math.Clamp((double)busyOthers / dTotal, 0, 1);
    }

    static (long Total, long Idle, long Self) Read()
    {
        if (!IsSupported) return (0, 0, 0);
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (clock ticks; steal = other VMs)
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = cpu.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = ticks.Sum();
        var idle = ticks[3] + ticks[4];
        // /proc/self/stat: the fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var self = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (total, idle, self);
    }
}

/// <summary>
/// Before each timed block: wait until other processes use less than <see cref="Threshold"/> of the CPUs over a
/// quarter second; after it: say whether it was disturbed, so the caller redoes it. Waiting stops for good once
/// <see cref="TotalWaitSeconds"/> have been spent, so a machine that never gets quiet still gets measured (and
/// the results show how disturbed each figure was).
/// </summary>
internal sealed class QuietGate(double threshold, double totalWaitSeconds, int redos, TextWriter log)
{
    readonly Stopwatch _waited = new();
    int _redone;

    /// <summary>A gate that never waits nor redoes (quick runs): it only measures.</summary>
    public static QuietGate Off(TextWriter log) => new(1, 0, 0, log);

    public double Threshold { get; } = threshold;

    public double TotalWaitSeconds { get; } = totalWaitSeconds;

    /// <summary>How many disturbed blocks were measured again.</summary>
    public int Redone => _redone;

    /// <summary>Seconds spent waiting for other processes.</summary>
    public double WaitedSeconds => _waited.Elapsed.TotalSeconds;

    bool Exhausted => !CpuMonitor.IsSupported || _waited.Elapsed.TotalSeconds >= TotalWaitSeconds;

    public void WaitForQuiet()
    {
        if (Exhausted) return;
        var monitor = new CpuMonitor();
        var reported = false;
        _waited.Start();
        try
        {
            while (!Exhausted)
            {
                monitor.Restart();
                Thread.Sleep(250);
                var share = monitor.OthersShare();
                if (share < Threshold) return;
                if (!reported) log.WriteLine($"    waiting for a quiet machine: other processes use {share:P0}");
                reported = true;
            }
            log.WriteLine($"    stopped waiting for quiet moments after {TotalWaitSeconds:F0} s in all; measuring as it is");
        }
        finally
        {
            _waited.Stop();
        }
    }

    /// <summary>True when a block that saw <paramref name="share"/> of other processes' CPU should be measured again.</summary>
    public bool ShouldRedo(double share, int attempt)
    {
        if (!(share >= Threshold) || attempt >= redos || Exhausted) return false;
        _redone++;
        log.WriteLine($"    block disturbed ({share:P0} used by other processes); measuring it again");
        return true;
    }
}
