// PackedGemm: C = (accumulate ? C : 0) + op(A)·op(B) (+ a bias row) in the BLIS / GotoBLAS shape: op(B) is packed into
// k-major panels NR columns wide, op(A) into panels MR rows tall (8 with Vector512, 6 with Vector256), and an MR×NR register-blocked FMA
// micro-kernel runs over the packed blocks, adding the bias as it stores the last depth block. Large products are split over column (or row) ranges across
// the worker threads; every element is summed in the same order whatever the split, so results do not
// depend on the thread count. Reference: KernelSet.Gemm.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LstmSharp.Kernels;

internal static unsafe class PackedGemm
{
    /// <summary>
    /// Rows of the micro-kernel's tile: 8 for the 8×32 Vector512 kernel (16 of AVX-512's 32 registers accumulate; a batch
    /// of 16 splits into one tile per core), 6 for the 6×16 Vector256 one (12 of AVX2's 16).
    /// </summary>
    public static int Mr(bool wide) => wide ? 8 : 6;

    /// <summary>
    /// The smallest m·n·k split over the worker threads: a backward step's [16, 256] · [256, 64] (2^18) measured 3.3 → 2.2 µs
    /// split on Zen 5, where 2^20 had kept it on one thread.
    /// </summary>
    const long ParallelFlops = 1L << 18;

    /// <summary>
    /// The smallest m·n·k of one recurrent step that is shared out to the worker threads: a step's hand-off (wake, wait,
    /// the state's cache lines to the other core) costs a few hundred nanoseconds, well under what one core spends on this
    /// many (a GRU step of batch 1 and 128 units, 49,152, runs a third faster on both cores of a Zen 4 than on one).
    /// </summary>
    const long StepFlops = 1L << 15;

    /// <summary>
    /// The most rows a product against pre-packed B runs row by row, streaming B's panels once per row without packing A;
    /// from four rows on, packing A for the micro-kernel (B read once per tile of rows) measured faster (Zen 5, bench experiment).
    /// </summary>
    const int FewRowsMax = 3;

    /// <summary>
    /// The most columns a product is computed column by column (dot products, or rows of A added up) instead of in panels
    /// of 16 or 32 that would be mostly padding: a layer's gradients for one or two inputs.
    /// </summary>
    const int NarrowMax = 2;

    /// <summary>The blocking each variant uses on this machine, sized from its caches.</summary>
    public static readonly GemmBlocking Wide = GemmBlocking.For(Mr(true), 32, CacheSizes.Machine), Narrow = GemmBlocking.For(Mr(false), 16, CacheSizes.Machine);


    [ThreadStatic] static float[]? t_packA;
    [ThreadStatic] static float[]? t_packB;
    [ThreadStatic] static float[]? t_tile;

    /// <summary>
    /// C = (accumulate ? C : 0) + op(A)·op(B) (+ bias on every row when it is not empty); <paramref name="wide"/> picks
    /// the 8×32 Vector512 micro-kernel over the 6×16 Vector256 one.
    /// </summary>
    public static void Run(
        bool wide,
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        int m, int n, int k,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias = default)
    {
        KernelSet.Contract.Gemm(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, bias);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var job = new Job(wide, pa, lda, transA, pb, ldb, transB, null, m, n, k, pc, ldc, accumulate, pbias);
            Dispatch(ref job);
        }
    }

    /// <summary>Packs op(B) [k, n] once into <paramref name="packed"/>, in the panel layout <see cref="RunPacked"/> reads.</summary>
    public static void Pack(bool wide, ReadOnlySpan<float> b, int ldb, bool transB, int k, int n, PackedMatrix packed)
    {
        KernelSet.Contract.Pack(b, ldb, transB, k, n);
        var nr = wide ? 32 : 16;
        var kcMax = (wide ? Wide : Narrow).Kc;
        packed.Resize(k, n, nr);
        fixed (float* pb = b, dst = packed.Data)
        {
            for (var p0 = 0; p0 < k; p0 += kcMax)
            {
                var kc = Math.Min(kcMax, k - p0);
                PackB(pb, ldb, transB, p0, 0, kc, n, nr, dst + (long)p0 * packed.PaddedN);
            }
        }
    }

    /// <summary>C = (accumulate ? C : 0) + op(A)·B (+ bias) with B packed by <see cref="Pack"/> (no packing per call).</summary>
    public static void RunPacked(
        ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, int m,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias = default)
    {
        KernelSet.Contract.GemmPacked(a, lda, transA, b, m, c, ldc, bias);
        if (m == 0 || b.N == 0) return;
        fixed (float* pa = a, pp = b.Data, pc = c, pbias = bias)
        {
            var job = new Job(b.Nr == 32, pa, lda, transA, null, 0, false, pp, m, b.N, b.K, pc, ldc, accumulate, pbias);
            Dispatch(ref job);
        }
    }

    /// <summary>
    /// Whether a recurrent step of <paramref name="m"/> rows against <paramref name="b"/> is split over the worker threads by
    /// rows (<see cref="RunPackedRows"/>): at least <see cref="StepFlops"/>, and a micro-tile of rows for every thread. Each
    /// thread then reads the rows of the state it wrote itself in the step before.
    /// </summary>
    public static bool SplitsByRows(int m, PackedMatrix b)
        => WorkerPool.Threads > 1 && (long)m * b.N * b.K >= StepFlops && m > Mr(b.Nr == 32) * (WorkerPool.Threads - 1);

    /// <summary>Rows <paramref name="part"/> of <paramref name="parts"/> (whole micro-tiles, the last taking the rest) of <paramref name="m"/>.</summary>
    public static (int Start, int End) RowPart(int m, bool wide, int part, int parts) => Split(m, Mr(wide), part, parts);

    /// <summary>
    /// Rows [m0, m1) of C = (accumulate ? C : 0) + A·B (+ <paramref name="bias"/> [n] when not null) with B [k, n] packed at
    /// <paramref name="packed"/> by <see cref="Pack"/> (<paramref name="wide"/>: in 32-column panels), on the calling thread.
    /// Each element is computed exactly as <see cref="RunPacked"/> computes it for the whole <paramref name="m"/> rows.
    /// </summary>
    public static void RunPackedRows(float* a, int lda, float* packed, bool wide, int n, int k, int m, int m0, int m1, float* c, int ldc, bool accumulate, float* bias = null)
    {
        var job = new Job(wide, a, lda, false, null, 0, false, packed, m, n, k, c, ldc, accumulate, bias);
        job.Sequential(m0, m1, 0, n);
    }

    /// <summary>
    /// Whether a recurrent step too short to split by rows is split by units instead (<see cref="RunPackedUnits"/>): op(B)
    /// [H, blocks·H] holds the gate blocks side by side, every thread gets whole panels of units, and the product is at least
    /// <see cref="StepFlops"/>. Each thread reads the whole state, half of it written by the other core.
    /// </summary>
    public static bool SplitsByUnits(int m, PackedMatrix b, int blocks)
    {
        var width = b.N / blocks;
        return WorkerPool.Threads > 1 && width * blocks == b.N && width % b.Nr == 0 && width / b.Nr >= WorkerPool.Threads
            && (long)m * b.N * b.K >= StepFlops;
    }

    /// <summary>Units <paramref name="part"/> of <paramref name="parts"/> (whole panels of <paramref name="nr"/>, the last taking the rest) of <paramref name="width"/>.</summary>
    public static (int Start, int End) UnitPart(int width, int nr, int part, int parts) => Split(width, nr, part, parts);

    /// <summary>
    /// All <paramref name="m"/> rows of C (+)= A·B on the columns of units [u0, u1) in each of <paramref name="blocks"/> blocks of
    /// <paramref name="width"/> columns (an LSTM step's four gate blocks, a GRU's three), with B [k, n] packed at <paramref name="packed"/> by
    /// <see cref="Pack"/> (+ <paramref name="bias"/> [n] when not null), on the calling thread; u0, u1 and width are whole
    /// panels. A is packed once for every block. Each element is computed exactly as <see cref="RunPacked"/> computes it.
    /// </summary>
    public static void RunPackedUnits(float* a, int lda, float* packed, bool wide, int n, int k, int m, int blocks, int width, int u0, int u1, float* c, int ldc, bool accumulate,
        float* bias = null)
    {
        var job = new Job(wide, a, lda, false, null, 0, false, packed, m, n, k, c, ldc, accumulate, bias);
        job.Units(blocks, width, u0, u1);
    }

    static void Dispatch(ref Job job)
    {
        var workers = WorkerPool.Threads;
        if (workers > 1 && (long)job.M * job.N * job.K >= ParallelFlops && (job.N >= 2 * job.Nr || job.M >= 2 * job.Mr))
        {
            fixed (Job* pj = &job) WorkerPool.Run(&RunPart, pj, workers);
        }
        else
        {
            job.Sequential(0, job.M, 0, job.N);
        }
    }

    static void RunPart(void* state, int part, int parts)
    {
        ref var job = ref Unsafe.AsRef<Job>(state);
        if (job.N >= parts * job.Nr)
        {
            var (n0, n1) = Split(job.N, job.Nr, part, parts);
            job.Sequential(0, job.M, n0, n1);
        }
        else
        {
            var (m0, m1) = Split(job.M, job.Mr, part, parts);
            job.Sequential(m0, m1, 0, job.N);
        }
    }

    static (int Start, int End) Split(int length, int align, int part, int parts)
    {
        var blocks = (length + align - 1) / align;
        var start = (int)((long)blocks * part / parts) * align;
        var end = (int)((long)blocks * (part + 1) / parts) * align;
        return (Math.Min(start, length), Math.Min(end, length));
    }

    /// <summary>One product; <c>packed</c> is op(B) already in panels (then b is unused), or null; <c>bias</c> [n] or null.</summary>
    readonly struct Job(bool wide, float* a, int lda, bool transA, float* b, int ldb, bool transB, float* packed, int m, int n, int k, float* c, int ldc, bool accumulate, float* bias)
    {
        public int M => m;
        public int N => n;
        public int K => k;
        public int Nr => wide ? 32 : 16;
        public int Mr => PackedGemm.Mr(wide);
        GemmBlocking Blocking => wide ? Wide : Narrow;
        int PaddedN => (n + Nr - 1) / Nr * Nr;

        /// <summary>Computes the block C[m0:m1, n0:n1].</summary>
        public void Sequential(int m0, int m1, int n0, int n1)
        {
            if (m1 <= m0 || n1 <= n0) return;
            if (k == 0)
            {
                for (var i = m0; i < m1; i++)
                {
                    var row = new Span<float>(c + (long)i * ldc + n0, n1 - n0);
                    if (!accumulate) row.Clear();
                    if (bias is not null) TensorPrimitives.Add(row, new ReadOnlySpan<float>(bias + n0, n1 - n0), row);
                }
                return;
            }
            if (n <= NarrowMax && packed is null)
            {
                FewColumns(m0, m1, n0, n1);
                return;
            }
            if (m <= FewRowsMax && !transA)
            {
                if (packed is not null) FewRows(m0, m1, n0, n1);
                else if (transB) Dots(m0, m1, n0, n1);
                else goto general;
                return;
            }
        general:
            if (packed is not null)
            {
                PackedBlocks(m0, m1, 1, 0, n0, n1);
                return;
            }
            var nr = Nr;
            var (KC, MC, NC) = Blocking;
            var packB = Buffer(ref t_packB, KC * (NC + nr));
            var packA = Buffer(ref t_packA, KC * (MC + Mr));
            var tile = Buffer(ref t_tile, Mr * 32);
            fixed (float* pPackB = packB, pPackA = packA, pTile = tile)
            {
                for (var jc = n0; jc < n1; jc += NC)
                {
                    var nc = Math.Min(NC, n1 - jc);
                    for (var p0 = 0; p0 < k; p0 += KC)
                    {
                        var kc = Math.Min(KC, k - p0);
                        var overwrite = p0 == 0 && !accumulate;
                        var blockBias = bias is not null && p0 + kc == k ? bias + jc : null;
                        PackB(b, ldb, transB, p0, jc, kc, nc, nr, pPackB);
                        for (var ic = m0; ic < m1; ic += MC)
                        {
                            var mc = Math.Min(MC, m1 - ic);
                            PackA(a, lda, transA, m, Mr, ic, p0, mc, kc, pPackA);
                            for (var jr = 0; jr < nc; jr += nr)
                                Panel(pPackA, mc, kc, pPackB + (long)jr * kc, Math.Min(nr, nc - jr), c + (long)ic * ldc + jc + jr, overwrite, blockBias is null ? null : blockBias + jr, pTile);
                        }
                    }
                }
            }
        }

        /// <summary>Every row against the units [u0, u1) of each block, B pre-packed (see <see cref="RunPackedUnits"/>).</summary>
        public void Units(int blocks, int width, int u0, int u1)
        {
            if (m == 0 || u1 <= u0) return;
            if (m <= FewRowsMax)
            {
                for (var g = 0; g < blocks; g++) FewRows(0, m, g * width + u0, g * width + u1);
                return;
            }
            PackedBlocks(0, m, blocks, width, u0, u1);
        }

        /// <summary>
        /// Rows [m0, m1) against the columns [g·width + u0, g·width + u1) of each of <paramref name="blocks"/> blocks, B
        /// pre-packed (u0 and width whole panels): A packed once per depth block for all of them, the bias added with the last.
        /// </summary>
        void PackedBlocks(int m0, int m1, int blocks, int width, int u0, int u1)
        {
            var nr = Nr;
            var (KC, MC, _) = Blocking;
            var packA = Buffer(ref t_packA, KC * (MC + Mr));
            var tile = Buffer(ref t_tile, Mr * 32);
            fixed (float* pPackA = packA, pTile = tile)
            {
                for (var p0 = 0; p0 < k; p0 += KC)
                {
                    var kc = Math.Min(KC, k - p0);
                    var overwrite = p0 == 0 && !accumulate;
                    var depthBias = bias is not null && p0 + kc == k ? bias : null;
                    var depthB = packed + (long)p0 * PaddedN;
                    for (var ic = m0; ic < m1; ic += MC)
                    {
                        var mc = Math.Min(MC, m1 - ic);
                        PackA(a, lda, transA, m, Mr, ic, p0, mc, kc, pPackA);
                        for (var g = 0; g < blocks; g++)
                        {
                            var end = g * width + u1;
                            for (var jr = g * width + u0; jr < end; jr += nr)
                                Panel(pPackA, mc, kc, depthB + (long)jr * kc, Math.Min(nr, end - jr), c + (long)ic * ldc + jr, overwrite, depthBias is null ? null : depthBias + jr, pTile);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// C[0:mc, 0:nrEff] (+)= the packed A block (mc rows) · one packed B panel, a micro-kernel per Mr rows; partial tiles
        /// go through <paramref name="tile"/> and are stored element by element.
        /// </summary>
        void Panel(float* panelsA, int mc, int kc, float* panelB, int nrEff, float* c, bool overwrite, float* bias, float* tile)
        {
            int nr = Nr, mr = Mr;
            for (var ir = 0; ir < mc; ir += mr)
            {
                var mrEff = Math.Min(mr, mc - ir);
                var panelA = panelsA + (long)ir * kc;
                var cc = c + (long)ir * ldc;
                if (mrEff == mr && nrEff == nr)
                {
                    MicroKernel(wide, panelA, panelB, kc, cc, ldc, overwrite, bias);
                }
                else
                {
                    MicroKernel(wide, panelA, panelB, kc, tile, nr, overwrite: true, bias: null);
                    for (var i = 0; i < mrEff; i++)
                        StoreEdge(tile + i * nr, cc + (long)i * ldc, nrEff, overwrite, bias);
                }
            }
        }

        /// <summary>
        /// At most four rows of A (decided on the whole product) against pre-packed B: each row streams the
        /// B panels once, with no packing at all (the recurrent GEMV / small-batch shape).
        /// </summary>
        void FewRows(int m0, int m1, int n0, int n1)
        {
            var nr = Nr;
            var KC = Blocking.Kc;
            var tile = stackalloc float[32];
            for (var p0 = 0; p0 < k; p0 += KC)
            {
                var kc = Math.Min(KC, k - p0);
                var overwrite = p0 == 0 && !accumulate;
                for (var j = n0; j < n1; j += nr)
                {
                    var w = Math.Min(nr, n1 - j);
                    var panel = packed + (long)p0 * PaddedN + (long)j * kc;
                    var panelBias = bias is not null && p0 + kc == k ? bias + j : null;
                    for (var i = m0; i < m1; i++)
                    {
                        var row = a + (long)i * lda + p0;
                        var cc = c + (long)i * ldc + j;
                        if (w == nr)
                        {
                            RowKernel(wide, row, panel, kc, cc, overwrite, panelBias);
                        }
                        else
                        {
                            RowKernel(wide, row, panel, kc, tile, overwrite: true, bias: null);
                            StoreEdge(tile, cc, w, overwrite, panelBias);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// At most <see cref="NarrowMax"/> columns: with op(A) = Aᵀ, the rows of the stored A scaled by B's column and added
        /// in order; else one dot product per element, against B's column (gathered once when it is strided).
        /// </summary>
        void FewColumns(int m0, int m1, int n0, int n1)
        {
            if (!transA && transB)
            {
                Dots(m0, m1, n0, n1);
                return;
            }
            var rows = m1 - m0;
            var scratch = Buffer(ref t_packB, transA ? rows : k);
            fixed (float* pScratch = scratch)
            {
                for (var j = n0; j < n1; j++)
                {
                    if (transA)
                    {
                        var sums = new Span<float>(pScratch, rows);
                        sums.Clear();
                        for (var p = 0; p < k; p++)
                        {
                            var scale = transB ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(a + (long)p * lda + m0, rows), scale, sums, sums);
                        }
                        for (var i = 0; i < rows; i++) Set(m0 + i, j, sums[i]);
                    }
                    else
                    {
                        for (var p = 0; p < k; p++) pScratch[p] = b[(long)p * ldb + j];
                        var column = new ReadOnlySpan<float>(pScratch, k);
                        for (var i = m0; i < m1; i++) Set(i, j, TensorPrimitives.Dot(new ReadOnlySpan<float>(a + (long)i * lda, k), column));
                    }
                }
            }
        }

        /// <summary>C[i, j] = (accumulate ? C[i, j] : 0) + sum (+ bias[j]).</summary>
        void Set(int i, int j, float sum)
        {
            var ci = c + (long)i * ldc;
            var value = accumulate ? ci[j] + sum : sum;
            ci[j] = bias is null ? value : value + bias[j];
        }

        /// <summary>At most a few rows against a row-major B stored [n,k]: one dot product per element (GEMV shape).</summary>
        void Dots(int m0, int m1, int n0, int n1)
        {
            for (var i = m0; i < m1; i++)
            {
                var row = new ReadOnlySpan<float>(a + (long)i * lda, k);
                var ci = c + (long)i * ldc;
                for (var j = n0; j < n1; j++) Set(i, j, TensorPrimitives.Dot(row, new ReadOnlySpan<float>(b + (long)j * ldb, k)));
            }
        }
    }

    /// <summary>Packs op(B)[p0:p0+kc, j0:j0+nc] into panels [nc/nr][kc][nr], zero-padding the last panel.</summary>
    static void PackB(float* b, int ldb, bool transB, int p0, int j0, int kc, int nc, int nr, float* dst)
    {
        for (var jr = 0; jr < nc; jr += nr)
        {
            var w = Math.Min(nr, nc - jr);
            var panel = dst + (long)jr * kc;
            if (!transB)
            {
                for (var p = 0; p < kc; p++)
                {
                    var src = b + (long)(p0 + p) * ldb + j0 + jr;
                    var d = panel + p * nr;
                    new ReadOnlySpan<float>(src, w).CopyTo(new Span<float>(d, w));
                    if (w < nr) new Span<float>(d + w, nr - w).Clear();
                }
            }
            else
            {
                if (w < nr) new Span<float>(panel, kc * nr).Clear();
                // Eight columns and eight depths at a time as 8×8 transposes; the rest element by element.
                var j = 0;
                var kc8 = Avx.IsSupported ? kc / 8 * 8 : 0;
                for (; kc8 > 0 && j + 8 <= w; j += 8)
                {
                    var src = b + (long)(j0 + jr + j) * ldb + p0;
                    for (var p = 0; p < kc8; p += 8) Transpose8x8(src + p, ldb, 8, panel + p * nr + j, nr, 8);
                    for (var jj = j; jj < j + 8; jj++)
                        for (var p = kc8; p < kc; p++) panel[p * nr + jj] = b[(long)(j0 + jr + jj) * ldb + p0 + p];
                }
                for (; j < w; j++)
                {
                    var src = b + (long)(j0 + jr + j) * ldb + p0;
                    for (var p = 0; p < kc; p++) panel[p * nr + j] = src[p];
                }
            }
        }
    }

    /// <summary>Packs op(A)[i0:i0+mc, p0:p0+kc] (of op(A)'s <paramref name="m"/> rows) into panels [mc/mr][kc][mr], zero-padding the last panel.</summary>
    static void PackA(float* a, int lda, bool transA, int m, int mr, int i0, int p0, int mc, int kc, float* dst)
    {
        for (var ir = 0; ir < mc; ir += mr)
        {
            var h = Math.Min(mr, mc - ir);
            var panel = dst + (long)ir * kc;
            if (h < mr) new Span<float>(panel, kc * mr).Clear();
            if (!transA)
            {
                // A full panel eight depths at a time as 8×8 transposes of its rows (six: and two of zeros).
                var kc8 = Avx.IsSupported && h == mr ? kc / 8 * 8 : 0;
                var rows = a + (long)(i0 + ir) * lda + p0;
                for (var p = 0; p < kc8; p += 8) Transpose8x8(rows + p, lda, mr, panel + p * mr, mr, mr);
                for (var i = 0; i < h; i++)
                {
                    var src = rows + (long)i * lda;
                    for (var p = kc8; p < kc; p++) panel[p * mr + i] = src[p];
                }
            }
            else
            {
                // Each depth's mr values are contiguous in A: eight at a time where eight can be read (for six rows the two extra
                // land in the next depth's place, which that depth then overwrites; the last depth stores exactly mr).
                var p = 0;
                if (Avx.IsSupported && h == mr && i0 + ir + 8 <= m)
                    for (; p < kc - 1; p++) Vector256.Load(a + (long)(p0 + p) * lda + i0 + ir).Store(panel + p * mr);
                for (; p < kc; p++)
                {
                    var src = a + (long)(p0 + p) * lda + i0 + ir;
                    var d = panel + p * mr;
                    for (var i = 0; i < h; i++) d[i] = src[i];
                }
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the <paramref name="rows"/> × 8 block at <paramref name="src"/> (rows <paramref name="ld"/>
    /// apart; rows 6 and 7 read as zeros when <paramref name="rows"/> is 6): for each of the 8 columns q, its first
    /// <paramref name="cols"/> values (6 or 8) go to <c>dst + q·dstLd</c>. With 6, each row's store also writes two
    /// floats into the next row's place, which that row then overwrites; the last row stores exactly six.
    /// </summary>
    static void Transpose8x8(float* src, long ld, int rows, float* dst, long dstLd, int cols)
    {
        var r0 = Vector256.Load(src);
        var r1 = Vector256.Load(src + ld);
        var r2 = Vector256.Load(src + 2 * ld);
        var r3 = Vector256.Load(src + 3 * ld);
        var r4 = Vector256.Load(src + 4 * ld);
        var r5 = Vector256.Load(src + 5 * ld);
        var r6 = rows > 6 ? Vector256.Load(src + 6 * ld) : default;
        var r7 = rows > 7 ? Vector256.Load(src + 7 * ld) : default;
        // Pairs of rows interleaved, then quads, then the 128-bit halves swapped into place.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).Store(dst);
        Avx.Permute2x128(s1, s5, 0x20).Store(dst + dstLd);
        Avx.Permute2x128(s2, s6, 0x20).Store(dst + 2 * dstLd);
        Avx.Permute2x128(s3, s7, 0x20).Store(dst + 3 * dstLd);
        Avx.Permute2x128(s0, s4, 0x31).Store(dst + 4 * dstLd);
        Avx.Permute2x128(s1, s5, 0x31).Store(dst + 5 * dstLd);
        Avx.Permute2x128(s2, s6, 0x31).Store(dst + 6 * dstLd);
        var last = Avx.Permute2x128(s3, s7, 0x31);
        var end = dst + 7 * dstLd;
        if (cols == 8)
        {
            last.Store(end);
        }
        else
        {
            last.GetLower().Store(end);
            end[4] = last.GetElement(4);
            end[5] = last.GetElement(5);
        }
    }

    /// <summary>c[0:w] = (overwrite ? 0 : c) + tile[0:w] (+ bias[0:w]): a partial tile's row, stored as the micro-kernel stores a full one.</summary>
    static void StoreEdge(float* tile, float* c, int w, bool overwrite, float* bias)
    {
        for (var j = 0; j < w; j++)
        {
            var value = overwrite ? tile[j] : c[j] + tile[j];
            c[j] = bias is null ? value : value + bias[j];
        }
    }

    static float[] Buffer(ref float[]? slot, int length)
    {
        if (slot is null || slot.Length < length) slot = new float[length];
        return slot;
    }

    /// <summary>c[0:nr] (+)= Σ_p a[p]·B[p, :] for one row of A against one packed panel (1×32 or 1×16).</summary>
    static void RowKernel(bool wide, float* a, float* pb, int kc, float* c, bool overwrite, float* bias)
    {
        if (wide)
        {
            Vector512<float> c0 = default, c1 = default, d0 = default, d1 = default;
            var p = 0;
            for (; p + 1 < kc; p += 2)
            {
                var a0 = Vector512.Create(a[p]);
                var a1 = Vector512.Create(a[p + 1]);
                c0 = Vector512.FusedMultiplyAdd(a0, Vector512.Load(pb), c0);
                c1 = Vector512.FusedMultiplyAdd(a0, Vector512.Load(pb + 16), c1);
                d0 = Vector512.FusedMultiplyAdd(a1, Vector512.Load(pb + 32), d0);
                d1 = Vector512.FusedMultiplyAdd(a1, Vector512.Load(pb + 48), d1);
                pb += 64;
            }
            if (p < kc)
            {
                var a0 = Vector512.Create(a[p]);
                c0 = Vector512.FusedMultiplyAdd(a0, Vector512.Load(pb), c0);
                c1 = Vector512.FusedMultiplyAdd(a0, Vector512.Load(pb + 16), c1);
            }
            Store(c0 + d0, c, overwrite, bias);
            Store(c1 + d1, c + 16, overwrite, bias is null ? null : bias + 16);
        }
        else
        {
            Vector256<float> c0 = default, c1 = default, d0 = default, d1 = default;
            var p = 0;
            for (; p + 1 < kc; p += 2)
            {
                var a0 = Vector256.Create(a[p]);
                var a1 = Vector256.Create(a[p + 1]);
                c0 = Vector256.FusedMultiplyAdd(a0, Vector256.Load(pb), c0);
                c1 = Vector256.FusedMultiplyAdd(a0, Vector256.Load(pb + 8), c1);
                d0 = Vector256.FusedMultiplyAdd(a1, Vector256.Load(pb + 16), d0);
                d1 = Vector256.FusedMultiplyAdd(a1, Vector256.Load(pb + 24), d1);
                pb += 32;
            }
            if (p < kc)
            {
                var a0 = Vector256.Create(a[p]);
                c0 = Vector256.FusedMultiplyAdd(a0, Vector256.Load(pb), c0);
                c1 = Vector256.FusedMultiplyAdd(a0, Vector256.Load(pb + 8), c1);
            }
            Store(c0 + d0, c, overwrite, bias);
            Store(c1 + d1, c + 8, overwrite, bias is null ? null : bias + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void MicroKernel(bool wide, float* pa, float* pb, int kc, float* c, int ldc, bool overwrite, float* bias)
    {
        if (wide) Kernel8x32(pa, pb, kc, c, ldc, overwrite, bias);
        else Kernel6x16(pa, pb, kc, c, ldc, overwrite, bias);
    }

    /// <summary>C[8,32] (+)= Σ_p A[:,p] ⊗ B[p,:] (+ bias[32]) with two Vector512 columns, sixteen accumulators.</summary>
    static void Kernel8x32(float* pa, float* pb, int kc, float* c, int ldc, bool overwrite, float* bias)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(pb);
            var b1 = Vector512.Load(pb + 16);
            var a0 = Vector512.Create(pa[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(pa[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(pa[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(pa[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(pa[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(pa[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(pa[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(pa[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            pa += 8;
            pb += 32;
        }
        var bias1 = bias is null ? null : bias + 16;
        Store(c00, c, overwrite, bias); Store(c01, c + 16, overwrite, bias1); c += ldc;
        Store(c10, c, overwrite, bias); Store(c11, c + 16, overwrite, bias1); c += ldc;
        Store(c20, c, overwrite, bias); Store(c21, c + 16, overwrite, bias1); c += ldc;
        Store(c30, c, overwrite, bias); Store(c31, c + 16, overwrite, bias1); c += ldc;
        Store(c40, c, overwrite, bias); Store(c41, c + 16, overwrite, bias1); c += ldc;
        Store(c50, c, overwrite, bias); Store(c51, c + 16, overwrite, bias1); c += ldc;
        Store(c60, c, overwrite, bias); Store(c61, c + 16, overwrite, bias1); c += ldc;
        Store(c70, c, overwrite, bias); Store(c71, c + 16, overwrite, bias1);
    }

    /// <summary>C[6,16] (+)= Σ_p A[:,p] ⊗ B[p,:] (+ bias[16]) with two Vector256 columns, twelve accumulators.</summary>
    static void Kernel6x16(float* pa, float* pb, int kc, float* c, int ldc, bool overwrite, float* bias)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(pb);
            var b1 = Vector256.Load(pb + 8);
            var a0 = Vector256.Create(pa[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(pa[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(pa[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(pa[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(pa[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(pa[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            pa += 6;
            pb += 16;
        }
        var bias1 = bias is null ? null : bias + 8;
        Store(c00, c, overwrite, bias); Store(c01, c + 8, overwrite, bias1); c += ldc;
        Store(c10, c, overwrite, bias); Store(c11, c + 8, overwrite, bias1); c += ldc;
        Store(c20, c, overwrite, bias); Store(c21, c + 8, overwrite, bias1); c += ldc;
        Store(c30, c, overwrite, bias); Store(c31, c + 8, overwrite, bias1); c += ldc;
        Store(c40, c, overwrite, bias); Store(c41, c + 8, overwrite, bias1); c += ldc;
        Store(c50, c, overwrite, bias); Store(c51, c + 8, overwrite, bias1);
    }

    /// <summary>c = (overwrite ? 0 : c) + acc (+ bias), summed in that order (the reference's order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(Vector512<float> acc, float* c, bool overwrite, float* bias)
    {
        var value = overwrite ? acc : Vector512.Load(c) + acc;
        if (bias is not null) value += Vector512.Load(bias);
        value.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(Vector256<float> acc, float* c, bool overwrite, float* bias)
    {
        var value = overwrite ? acc : Vector256.Load(c) + acc;
        if (bias is not null) value += Vector256.Load(bias);
        value.Store(c);
    }
}
