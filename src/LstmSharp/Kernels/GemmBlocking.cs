// GemmBlocking: PackedGemm's block sizes from the cache sizes, by the analytical model of Low et al. (2016),
// "Analytical modeling is enough for high-performance BLIS": the B micro-panel (KC × NR) stays in L1 while the A
// micro-panels (MR × KC) stream through it, each in its own share of the ways; the packed A block (MC × KC) stays
// in L2 beside one B micro-panel; each thread's packed B block (KC × NC) takes half of its share of the L3.
namespace LstmSharp.Kernels;

/// <summary>Depth (KC), rows (MC) and columns (NC) of PackedGemm's cache blocks for one micro-kernel width.</summary>
internal readonly record struct GemmBlocking(int Kc, int Mc, int Nc)
{
    /// <summary>The widest B block, in columns.</summary>
    public const int MaxNc = 4096;

    /// <summary>The blocking for a micro-kernel of <paramref name="mr"/> × <paramref name="nr"/> floats on <paramref name="caches"/>.</summary>
    public static GemmBlocking For(int mr, int nr, CacheSizes caches)
    {
        const int floatBytes = sizeof(float);

        // L1: with W ways of S bytes, B's micro-panel gets cB ways and A's cA, cA + cB ≤ W − 1 (one way for C and
        // the rest); KC is the largest depth both panels fit at, over every split.
        var l1Way = caches.L1.Bytes / caches.L1.Ways;
        var kc = 0;
        for (var cA = 1; cA < caches.L1.Ways - 1; cA++)
        {
            var cB = caches.L1.Ways - 1 - cA;
            kc = Math.Max(kc, Math.Min(cB * l1Way / (nr * floatBytes), cA * l1Way / (mr * floatBytes)));
        }
        kc = Math.Clamp(kc / 8 * 8, 64, 1024);

        // L2: the A block in the ways left after one B micro-panel and one way for the rest.
        var l2Way = caches.L2.Bytes / caches.L2.Ways;
        var bWays = (kc * nr * floatBytes + l2Way - 1) / l2Way;
        var aWays = Math.Max(1, caches.L2.Ways - 1 - bWays);
        var mc = Math.Clamp(aWays * l2Way / (kc * floatBytes) / mr * mr, 4 * mr, 4096 / mr * mr);

        // L3: half of this thread's share of it for the B block, at most MaxNc columns (which bounds each thread's
        // packing buffer to a few MB where a virtual machine reports a large cache shared by few processors).
        var share = caches.L3.Bytes / Math.Max(1, caches.L3.SharedBy) / 2;
        var nc = Math.Clamp(share / (kc * floatBytes) / nr * nr, 4 * nr, MaxNc);
        return new GemmBlocking(kc, mc, nc);
    }
}
