// CacheSizes: the data caches this machine reports (size and associativity of L1d, L2 and L3, and how many
// logical processors share the L3), read once from CPUID's deterministic cache leaves on x86 (leaf 4 on Intel,
// 0x8000001D on AMD), from /sys/devices/system/cpu/cpu0/cache elsewhere on Linux, else typical sizes. PackedGemm
// sizes its blocks from them (Low et al. 2016, "Analytical modeling is enough for high-performance BLIS").
using System.Runtime.Intrinsics.X86;

namespace LstmSharp.Kernels;

/// <summary>One cache level: total bytes, ways, and logical processors sharing it (1 when unknown).</summary>
internal readonly record struct CacheLevel(int Bytes, int Ways, int SharedBy);

/// <summary>The data caches of this machine, with the source they were read from.</summary>
internal sealed record CacheSizes(CacheLevel L1, CacheLevel L2, CacheLevel L3, string Source)
{
    /// <summary>Typical of the x86 cores this project runs on (32 KB 8-way, 1 MB 16-way, 32 MB 16-way for 8 cores).</summary>
    public static readonly CacheSizes Typical = new(new(32 << 10, 8, 1), new(1 << 20, 16, 1), new(32 << 20, 16, 8), "typical sizes (none reported)");

    /// <summary>This machine's caches, read on first use.</summary>
    public static CacheSizes Machine { get; } = Read();

    static CacheSizes Read()
    {
        try
        {
            return FromCpuid() ?? FromSysfs() ?? Typical;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return Typical;
        }
    }

    /// <summary>CPUID's deterministic cache parameters: leaf 0x8000001D on AMD (when the topology extension is there), else leaf 4.</summary>
    static CacheSizes? FromCpuid()
    {
        if (!X86Base.IsSupported) return null;
        var (_, vendorB, vendorC, vendorD) = X86Base.CpuId(0, 0);
        var amd = vendorB == 0x68747541 && vendorD == 0x69746E65 && vendorC == 0x444D4163;   // "AuthenticAMD"
        var leaf = 4;
        if (amd)
        {
            var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
            var (_, _, features, _) = X86Base.CpuId(unchecked((int)0x80000001), 0);
            if (unchecked((uint)maxExtended) < 0x8000001D || (features & (1 << 22)) == 0) return null;   // no TopologyExtensions
            leaf = unchecked((int)0x8000001D);
        }
        CacheLevel? l1 = null, l2 = null, l3 = null;
        for (var sub = 0; sub < 16; sub++)
        {
            var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, sub);
            var type = eax & 0x1F;   // 0 = no more caches, 1 = data, 2 = instruction, 3 = unified
            if (type == 0) break;
            if (type == 2) continue;
            var level = (eax >> 5) & 0x7;
            var ways = ((ebx >> 22) & 0x3FF) + 1;
            var partitions = ((ebx >> 12) & 0x3FF) + 1;
            var line = (ebx & 0xFFF) + 1;
            var sets = (long)(uint)ecx + 1;
            var bytes = (int)Math.Min(int.MaxValue, ways * partitions * line * sets);
            var cache = new CacheLevel(bytes, ways, ((eax >> 14) & 0xFFF) + 1);
            if (level == 1) l1 = cache;
            else if (level == 2) l2 = cache;
            else if (level == 3) l3 = cache;
        }
        return Complete(l1, l2, l3, amd ? "CPUID leaf 0x8000001D" : "CPUID leaf 4");
    }

    /// <summary>Linux's cache description of CPU 0 (ARM and other machines without CPUID).</summary>
    static CacheSizes? FromSysfs()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root)) return null;
        CacheLevel? l1 = null, l2 = null, l3 = null;
        foreach (var dir in Directory.EnumerateDirectories(root, "index*"))
        {
            string Field(string name) => File.ReadAllText(Path.Combine(dir, name)).Trim();
            if (Field("type") == "Instruction") continue;
            var size = Field("size");   // e.g. "32K", "1024K", "32768K"
            var bytes = size.EndsWith('K') ? int.Parse(size[..^1], System.Globalization.CultureInfo.InvariantCulture) << 10
                : size.EndsWith('M') ? int.Parse(size[..^1], System.Globalization.CultureInfo.InvariantCulture) << 20
                : int.Parse(size, System.Globalization.CultureInfo.InvariantCulture);
            var ways = File.Exists(Path.Combine(dir, "ways_of_associativity")) ? int.Parse(Field("ways_of_associativity"), System.Globalization.CultureInfo.InvariantCulture) : 8;
            var cache = new CacheLevel(bytes, Math.Max(1, ways), 1);
            switch (Field("level"))
            {
                case "1": l1 = cache; break;
                case "2": l2 = cache; break;
                case "3": l3 = cache; break;
            }
        }
        return Complete(l1, l2, l3, root);
    }

    /// <summary>The levels found, with a missing L3 taken as the L2 (a machine without one) and nonsense sizes refused.</summary>
    static CacheSizes? Complete(CacheLevel? l1, CacheLevel? l2, CacheLevel? l3, string source)
    {
        if (l1 is not { Bytes: >= 4 << 10 } first || l2 is not { } second || second.Bytes < first.Bytes) return null;
        return new CacheSizes(first, second, l3 is { } third && third.Bytes >= second.Bytes ? third : second, source);
    }

    /// <inheritdoc />
    public override string ToString()
        => $"L1d {L1.Bytes >> 10} KB {L1.Ways}-way, L2 {L2.Bytes >> 10} KB {L2.Ways}-way, L3 {L3.Bytes >> 20} MB {L3.Ways}-way shared by {L3.SharedBy} ({Source})";
}
