// GEMM blocking from cache sizes: the model's block sizes for three real cache hierarchies (and both micro-kernel heights), worked out by hand
// from Low et al.'s rules (B micro-panel and A micro-panel in their shares of L1's ways, the A block in L2 beside
// one B micro-panel, half of a thread's L3 share for the B block), and this machine's caches read sensibly.
using LstmSharp.Kernels;
using Xunit;

namespace LstmSharp.Tests.Kernels;

public sealed class GemmBlockingTests
{
    static readonly CacheSizes s_zen4 = new(new(32 << 10, 8, 1), new(1 << 20, 8, 1), new(32 << 20, 16, 2), "AMD EPYC family 25 model 17 as a 2-core VM reports it");
    static readonly CacheSizes s_zen5 = new(new(48 << 10, 12, 1), new(1 << 20, 16, 1), new(32 << 20, 16, 16), "Zen 5 core, 16 threads on the L3");
    static readonly CacheSizes s_emeraldRapids = new(new(48 << 10, 12, 1), new(2 << 20, 16, 1), new(320 << 20, 20, 128), "Emerald Rapids");

    [Fact]
    public void For_Zen4_HandComputed()
    {
        // L1 ways of 4 KB: A in 1 way (⌊4096 / 24⌋ = 170), B in 6 (⌊6·4096 / 128⌋ = 192) → KC = 170 → 168.
        // L2 ways of 128 KB: B's micro-panel 168·128 B needs 1, A gets 8 − 1 − 1 = 6: ⌊6·131072 / 672⌋ = 1170 (a multiple of 6).
        // L3: 32 MB / 2 / 2 = 8 MB → ⌊8388608 / 672 / 32⌋·32 = 12480, capped at 4096.
        Assert.Equal(new GemmBlocking(168, 1170, GemmBlocking.MaxNc), GemmBlocking.For(6, 32, s_zen4));
        // Vector256 (NR 16): A in 2 ways (341), B in 5 (320) → 320; L2: B needs 1 way, A 6: ⌊786432 / 1280⌋ = 614 → 612;
        // L3: ⌊8388608 / 1280 / 16⌋·16 = 6544 → 4096.
        Assert.Equal(new GemmBlocking(320, 612, GemmBlocking.MaxNc), GemmBlocking.For(6, 16, s_zen4));
    }

    [Fact]
    public void For_Zen5AndEmeraldRapids_HandComputed()
    {
        // 12 ways of 4 KB: A 2 ways (341), B 9 (288) → 288. L2 64 KB ways: B 36 KB → 1 way, A 14: ⌊917504 / 1152⌋ = 796 → 792.
        // L3 share 32 MB / 16 / 2 = 1 MB: ⌊1048576 / 1152 / 32⌋·32 = 896.
        Assert.Equal(new GemmBlocking(288, 792, 896), GemmBlocking.For(6, 32, s_zen5));
        // L2 128 KB ways: A 14 → ⌊1835008 / 1152⌋ = 1592 → 1590. L3 320 MB / 128 / 2 = 1.25 MB → ⌊1310720 / 1152 / 32⌋·32 = 1120.
        Assert.Equal(new GemmBlocking(288, 1590, 1120), GemmBlocking.For(6, 32, s_emeraldRapids));
        // The 8×32 kernel the Vector512 variant runs: A's micro-panel 32 B per depth. L1: A 2 ways (256), B 9 (288) → 256;
        // L2: B 32 KB → 1 way, A 14: ⌊917504 / 1024⌋ = 896; L3 1 MB: ⌊1048576 / 1024 / 32⌋·32 = 1024.
        Assert.Equal(new GemmBlocking(256, 896, 1024), GemmBlocking.For(8, 32, s_zen5));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void For_ThisMachine_PanelsFitTheirCaches(int nr)
    {
        var caches = CacheSizes.Machine;
        var mr = PackedGemm.Mr(wide: nr == 32);
        var (kc, mc, nc) = GemmBlocking.For(mr, nr, caches);
        Assert.True(caches.L1.Bytes >= 4 << 10 && caches.L2.Bytes >= caches.L1.Bytes && caches.L3.Bytes >= caches.L2.Bytes, caches.ToString());
        Assert.True(kc % 8 == 0 && mc % mr == 0 && nc % nr == 0, $"{caches}: KC {kc}, MC {mc}, NC {nc}");
        // B's and A's micro-panels fit L1 together (unless KC is at its floor of 64); the A block fits L2.
        Assert.True(kc == 64 || (kc * (nr + mr) * 4) < caches.L1.Bytes, $"{caches}: KC {kc}");
        Assert.True(mc == 4 * mr || mc * kc * 4 < caches.L2.Bytes, $"{caches}: MC {mc}");
    }
}
