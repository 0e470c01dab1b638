// SimdKernelSet: the fast variants. Overrides only the hot kernels of KernelSet: GEMM (packed, blocked,
// a Vector512 or Vector256 FMA micro-kernel, split across cores), the fused gate steps (TensorPrimitives
// and explicit vectors) and the row softmaxes (exponentials and sums in double vectors). KernelSet stays the oracle
// these are tested against; each override first calls its kernel's KernelSet.Contract (Debug builds only).
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace LstmSharp.Kernels;

internal sealed class SimdKernelSet(bool wide) : KernelSet
{
    public override KernelVariant Variant => wide ? KernelVariant.Vector512 : KernelVariant.Vector256;

    public override void Gemm(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        int m, int n, int k,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias = default)
        => PackedGemm.Run(wide, a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate, bias);   // checks its Contract

    public override void Pack(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n, PackedMatrix packed)
    {
        PackedGemm.Pack(wide, b, ldb, transB, k, n, packed);   // checks its Contract
        packed.Variant = Variant;
    }

    public override void GemmPacked(ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, int m, Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias = default)
    {
        CheckPacked(b);
        PackedGemm.RunPacked(a, lda, transA, b, m, c, ldc, accumulate, bias);   // checks its Contract
    }

    public override void SumRows(ReadOnlySpan<float> dx, int rows, int n, Span<float> dBias)
    {
        Contract.SumRows(dx, rows, n, dBias);
        var acc = dBias[..n];
        for (var r = 0; r < rows; r++) TensorPrimitives.Add(acc, dx.Slice(r * n, n), acc);
    }

    /// <summary>Rows × units above which a gate kernel is split over the worker threads by rows.</summary>
    const int ParallelElements = 8192;

    public override unsafe void LstmCellForward(
        ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int B, int H,
        Span<float> gates, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        Contract.LstmCellForward(cPrev, peep, B, H, gates, c, tanhC, h);
        if (B < 2 || B * H < ParallelElements || WorkerPool.Threads < 2)
        {
            LstmForwardRows(cPrev, peep, H, 0, B, 0, H, gates, c, tanhC, h);
            return;
        }
        fixed (float* pc = cPrev, pp = peep, pg = gates, pcn = c, pt = tanhC, ph = h)
        {
            var job = new CellJob { CPrev = pc, Peep = pp, PeepLength = peep.Length, B = B, H = H, Gates = pg, C = pcn, TanhC = pt, Hidden = ph };
            WorkerPool.Run(&LstmForwardPart, &job, WorkerPool.Threads);
        }
    }

    public override unsafe void LstmStepForward(
        ReadOnlySpan<float> hPrev, int ldh, PackedMatrix recurrent, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int B, int H,
        Span<float> gates, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        var byRows = PackedGemm.SplitsByRows(B, recurrent);
        if (!byRows && !PackedGemm.SplitsByUnits(B, recurrent, blocks: 4))
        {
            base.LstmStepForward(hPrev, ldh, recurrent, cPrev, peep, B, H, gates, c, tanhC, h);
            return;
        }
        Contract.GemmPacked(hPrev, ldh, false, recurrent, B, gates, 4 * H, default);
        Contract.LstmCellForward(cPrev, peep, B, H, gates, c, tanhC, h);
        CheckPacked(recurrent);
        fixed (float* ph = hPrev, pw = recurrent.Data, pc = cPrev, pp = peep, pg = gates, pcn = c, pt = tanhC, phn = h)
        {
            var job = new CellJob
            {
                HPrev = ph, Ldh = ldh, Recurrent = pw, K = recurrent.K, Wide = wide,
                CPrev = pc, Peep = pp, PeepLength = peep.Length, B = B, H = H, Gates = pg, C = pcn, TanhC = pt, Hidden = phn,
            };
            WorkerPool.Run(byRows ? &LstmStepPart : &LstmStepUnitsPart, &job, WorkerPool.Threads);
        }
    }

    /// <summary>Rows of one step: their product with the packed W_hhᵀ, then their cell, on one thread.</summary>
    static unsafe void LstmStepPart(void* state, int part, int parts)
    {
        ref var j = ref *(CellJob*)state;
        var (b0, b1) = PackedGemm.RowPart(j.B, j.Wide, part, parts);
        PackedGemm.RunPackedRows(j.HPrev, j.Ldh, j.Recurrent, wide: j.Wide, 4 * j.H, j.K, j.B, b0, b1, j.Gates, 4 * j.H, accumulate: true);
        int n = j.B * j.H;
        LstmForwardRows(new ReadOnlySpan<float>(j.CPrev, n), new ReadOnlySpan<float>(j.Peep, j.PeepLength), j.H, b0, b1, 0, j.H,
            new Span<float>(j.Gates, 4 * n), new Span<float>(j.C, n), new Span<float>(j.TanhC, n), new Span<float>(j.Hidden, n));
    }

    /// <summary>
    /// Units of one step (a few rows, too few to share out): every row's product with their columns of each gate block,
    /// then their cell, on one thread.
    /// </summary>
    static unsafe void LstmStepUnitsPart(void* state, int part, int parts)
    {
        ref var j = ref *(CellJob*)state;
        var (u0, u1) = PackedGemm.UnitPart(j.H, j.Wide ? 32 : 16, part, parts);
        PackedGemm.RunPackedUnits(j.HPrev, j.Ldh, j.Recurrent, wide: j.Wide, 4 * j.H, j.K, j.B, 4, j.H, u0, u1, j.Gates, 4 * j.H, accumulate: true);
        int n = j.B * j.H;
        LstmForwardRows(new ReadOnlySpan<float>(j.CPrev, n), new ReadOnlySpan<float>(j.Peep, j.PeepLength), j.H, 0, j.B, u0, u1,
            new Span<float>(j.Gates, 4 * n), new Span<float>(j.C, n), new Span<float>(j.TanhC, n), new Span<float>(j.Hidden, n));
    }

    /// <summary>Pointers to one gate-kernel call (and, for a whole step, its product's operands), so its rows can be shared out to the worker threads.</summary>
    unsafe struct CellJob
    {
        public float* CPrev, Peep, Gates, C, TanhC, Hidden, HPrev, Recurrent;
        public int PeepLength, B, H, Ldh, K;
        public bool Wide;
    }

    static unsafe void LstmForwardPart(void* state, int part, int parts)
    {
        ref var j = ref *(CellJob*)state;
        int b0 = j.B * part / parts, b1 = j.B * (part + 1) / parts, n = j.B * j.H;
        LstmForwardRows(new ReadOnlySpan<float>(j.CPrev, n), new ReadOnlySpan<float>(j.Peep, j.PeepLength), j.H, b0, b1, 0, j.H,
            new Span<float>(j.Gates, 4 * n), new Span<float>(j.C, n), new Span<float>(j.TanhC, n), new Span<float>(j.Hidden, n));
    }

    /// <summary>Units j0 … j1−1 of rows b0 … b1−1 of the LSTM forward gate kernel, one pass over each row.</summary>
    static void LstmForwardRows(
        ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int H, int b0, int b1, int j0, int j1,
        Span<float> gates, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        // One pass over each row: every gate of a unit is computed while its values are in registers.
        var hasPeep = !peep.IsEmpty;
        var w = Vector256<float>.Count;
        for (var b = b0; b < b1; b++)
        {
            var g0 = b * 4 * H;
            var x0 = b * H;
            var j = j0;
            for (; j <= j1 - w; j += w)
            {
                var x = x0 + j;
                var cp = Vector256.Create(cPrev.Slice(x, w));
                var ai = Vector256.Create(gates.Slice(g0 + j, w));
                var af = Vector256.Create(gates.Slice(g0 + H + j, w));
                var ag = Vector256.Create(gates.Slice(g0 + 2 * H + j, w));
                var ao = Vector256.Create(gates.Slice(g0 + 3 * H + j, w));
                if (hasPeep)
                {
                    ai += Vector256.Create(peep.Slice(j, w)) * cp;
                    af += Vector256.Create(peep.Slice(H + j, w)) * cp;
                }
                var i = Sigmoid(ai);
                var f = Sigmoid(af);
                var g = Tanh(ag);
                var cNew = f * cp + i * g;
                if (hasPeep) ao += Vector256.Create(peep.Slice(2 * H + j, w)) * cNew;
                var o = Sigmoid(ao);
                var tc = Tanh(cNew);
                i.CopyTo(gates.Slice(g0 + j, w));
                f.CopyTo(gates.Slice(g0 + H + j, w));
                g.CopyTo(gates.Slice(g0 + 2 * H + j, w));
                o.CopyTo(gates.Slice(g0 + 3 * H + j, w));
                cNew.CopyTo(c.Slice(x, w));
                tc.CopyTo(tanhC.Slice(x, w));
                (o * tc).CopyTo(h.Slice(x, w));
            }
            for (; j < j1; j++) LstmForwardElement(cPrev, peep, H, b, j, gates, c, tanhC, h);
        }
    }

    /// <summary>σ(x) = ½ + ½·tanh(x/2).</summary>
    static Vector256<float> Sigmoid(Vector256<float> x)
    {
        var half = Vector256.Create(0.5f);
        return Vector256.FusedMultiplyAdd(half, Tanh(x * half), half);
    }

    /// <summary>
    /// tanh(x) as a rational function p(x)/q(x) of degrees 13/6 on [−9, 9], clamped outside (where tanh is 1 to
    /// float precision): the minimax form used by Eigen and MLAS, within 6e-7 relative of tanh (tested). No exponential, no
    /// division by a value near zero (q ≥ q(0) > 0). An exact division rather than the hardware reciprocal estimate
    /// (rcpps), whose bits differ between CPU models: the cell kernel measured no slower with it (bench breakdown,
    /// three runs each), and the gates stay bit-identical across machines that run the same kernel variant (GEMM sums depend on the cache blocking too; see GemmBlocking).
    /// </summary>
    static Vector256<float> Tanh(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-9f)), Vector256.Create(9f));
        var x2 = x * x;
        var p = Vector256.FusedMultiplyAdd(x2, Vector256.Create(-2.76076847742355e-16f), Vector256.Create(2.00018790482477e-13f));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(-8.60467152213735e-11f));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(5.12229709037114e-08f));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(1.48572235717979e-05f));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(6.37261928875436e-04f));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(4.89352455891786e-03f));
        var q = Vector256.FusedMultiplyAdd(x2, Vector256.Create(1.19825839466702e-06f), Vector256.Create(1.18534705686654e-04f));
        q = Vector256.FusedMultiplyAdd(q, x2, Vector256.Create(2.26843463243900e-03f));
        q = Vector256.FusedMultiplyAdd(q, x2, Vector256.Create(4.89352518554385e-03f));
        return x * p / q;
    }

    /// <summary>The fast tanh on a span (tests compare it with <see cref="MathF.Tanh"/> everywhere).</summary>
    internal static void FastTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        var w = Vector256<float>.Count;
        var i = 0;
        for (; i <= x.Length - w; i += w) Tanh(Vector256.Create(x.Slice(i, w))).CopyTo(y.Slice(i, w));
        for (; i < x.Length; i++) y[i] = MathF.Tanh(x[i]);
    }

    public override void LstmCellBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> peep, ReadOnlySpan<float> dh, int B, int H,
        Span<float> dc, Span<float> dGates, Span<float> dPeep)
    {
        Contract.LstmCellBackward(gates, cPrev, c, tanhC, peep, dh, B, H, dc, dGates, dPeep);
        var hasPeep = !peep.IsEmpty;
        var one = Vector256<float>.One;
        var w = Vector256<float>.Count;
        for (var b = 0; b < B; b++)
        {
            var g0 = b * 4 * H;
            var x0 = b * H;
            var j = 0;
            for (; j <= H - w; j += w)
            {
                var x = x0 + j;
                var i = Vector256.Create(gates.Slice(g0 + j, w));
                var f = Vector256.Create(gates.Slice(g0 + H + j, w));
                var g = Vector256.Create(gates.Slice(g0 + 2 * H + j, w));
                var o = Vector256.Create(gates.Slice(g0 + 3 * H + j, w));
                var tc = Vector256.Create(tanhC.Slice(x, w));
                var dH = Vector256.Create(dh.Slice(x, w));
                var cp = Vector256.Create(cPrev.Slice(x, w));
                var dAo = dH * tc * o * (one - o);
                var dC = Vector256.Create(dc.Slice(x, w)) + dH * o * (one - tc * tc);
                if (hasPeep) dC += dAo * Vector256.Create(peep.Slice(2 * H + j, w));
                var dAi = dC * g * i * (one - i);
                var dAf = dC * cp * f * (one - f);
                var dAg = dC * i * (one - g * g);
                var dCPrev = dC * f;
                if (hasPeep)
                {
                    dCPrev += dAi * Vector256.Create(peep.Slice(j, w)) + dAf * Vector256.Create(peep.Slice(H + j, w));
                    (Vector256.Create(dPeep.Slice(j, w)) + dAi * cp).CopyTo(dPeep.Slice(j, w));
                    (Vector256.Create(dPeep.Slice(H + j, w)) + dAf * cp).CopyTo(dPeep.Slice(H + j, w));
                    (Vector256.Create(dPeep.Slice(2 * H + j, w)) + dAo * Vector256.Create(c.Slice(x, w))).CopyTo(dPeep.Slice(2 * H + j, w));
                }
                dAi.CopyTo(dGates.Slice(g0 + j, w));
                dAf.CopyTo(dGates.Slice(g0 + H + j, w));
                dAg.CopyTo(dGates.Slice(g0 + 2 * H + j, w));
                dAo.CopyTo(dGates.Slice(g0 + 3 * H + j, w));
                dCPrev.CopyTo(dc.Slice(x, w));
            }
            for (; j < H; j++) LstmBackwardElement(gates, cPrev, c, tanhC, peep, dh, H, b, j, dc, dGates, dPeep);
        }
    }

    public override void GruCellForward(
        ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, int B, int H,
        Span<float> gates, Span<float> h)
    {
        Contract.GruCellForward(xProj, hProj, hPrev, B, H, gates, h);
        GruForwardRows(xProj, hProj, hPrev, H, 0, B, 0, H, gates, h);
    }

    public override unsafe void GruStepForward(
        ReadOnlySpan<float> hIn, int ldh, PackedMatrix recurrent, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hPrev, int B, int H,
        Span<float> hProj, Span<float> gates, Span<float> h)
    {
        var byRows = PackedGemm.SplitsByRows(B, recurrent);
        if (!byRows && !PackedGemm.SplitsByUnits(B, recurrent, blocks: 3))
        {
            base.GruStepForward(hIn, ldh, recurrent, biasHh, xProj, hPrev, B, H, hProj, gates, h);
            return;
        }
        Contract.GemmPacked(hIn, ldh, false, recurrent, B, hProj, 3 * H, biasHh);
        Contract.GruCellForward(xProj, hProj, hPrev, B, H, gates, h);
        CheckPacked(recurrent);
        fixed (float* pi = hIn, pw = recurrent.Data, pb = biasHh, px = xProj, pp = hPrev, ph = hProj, pg = gates, pn = h)
        {
            var job = new GruJob { HIn = pi, Ldh = ldh, Recurrent = pw, K = recurrent.K, Wide = wide, Bias = pb, XProj = px, HPrev = pp, B = B, H = H, HProj = ph, Gates = pg, Hidden = pn };
            WorkerPool.Run(byRows ? &GruStepPart : &GruStepUnitsPart, &job, WorkerPool.Threads);
        }
    }

    /// <summary>Pointers to one GRU step, so its rows or units can be shared out to the worker threads.</summary>
    unsafe struct GruJob
    {
        public float* HIn, Recurrent, Bias, XProj, HPrev, HProj, Gates, Hidden;
        public int Ldh, K, B, H;
        public bool Wide;

        public readonly void Cell(int b0, int b1, int j0, int j1)
        {
            int n = B * H;
            GruForwardRows(new ReadOnlySpan<float>(XProj, 3 * n), new ReadOnlySpan<float>(HProj, 3 * n), new ReadOnlySpan<float>(HPrev, n), H, b0, b1, j0, j1,
                new Span<float>(Gates, 3 * n), new Span<float>(Hidden, n));
        }
    }

    /// <summary>Rows of one GRU step: their product with the packed W_hhᵀ (and b_hh), then their cell, on one thread.</summary>
    static unsafe void GruStepPart(void* state, int part, int parts)
    {
        ref var j = ref *(GruJob*)state;
        var (b0, b1) = PackedGemm.RowPart(j.B, j.Wide, part, parts);
        PackedGemm.RunPackedRows(j.HIn, j.Ldh, j.Recurrent, wide: j.Wide, 3 * j.H, j.K, j.B, b0, b1, j.HProj, 3 * j.H, accumulate: false, j.Bias);
        j.Cell(b0, b1, 0, j.H);
    }

    /// <summary>Units of one GRU step (a few rows): every row's product with their columns of the r, z and n blocks, then their cell, on one thread.</summary>
    static unsafe void GruStepUnitsPart(void* state, int part, int parts)
    {
        ref var j = ref *(GruJob*)state;
        var (u0, u1) = PackedGemm.UnitPart(j.H, j.Wide ? 32 : 16, part, parts);
        PackedGemm.RunPackedUnits(j.HIn, j.Ldh, j.Recurrent, wide: j.Wide, 3 * j.H, j.K, j.B, 3, j.H, u0, u1, j.HProj, 3 * j.H, accumulate: false, j.Bias);
        j.Cell(0, j.B, u0, u1);
    }

    /// <summary>Units j0 … j1−1 of rows b0 … b1−1 of the GRU forward gate kernel.</summary>
    static void GruForwardRows(
        ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, int H, int b0, int b1, int j0, int j1,
        Span<float> gates, Span<float> h)
    {
        var w = Vector256<float>.Count;
        for (var b = b0; b < b1; b++)
        {
            var g0 = b * 3 * H;
            var x0 = b * H;
            var j = j0;
            for (; j <= j1 - w; j += w)
            {
                var r = Sigmoid(Vector256.Create(xProj.Slice(g0 + j, w)) + Vector256.Create(hProj.Slice(g0 + j, w)));
                var z = Sigmoid(Vector256.Create(xProj.Slice(g0 + H + j, w)) + Vector256.Create(hProj.Slice(g0 + H + j, w)));
                var n = Tanh(Vector256.Create(xProj.Slice(g0 + 2 * H + j, w)) + r * Vector256.Create(hProj.Slice(g0 + 2 * H + j, w)));
                r.CopyTo(gates.Slice(g0 + j, w));
                z.CopyTo(gates.Slice(g0 + H + j, w));
                n.CopyTo(gates.Slice(g0 + 2 * H + j, w));
                // h = n + z⊙(h_prev − n)
                (n + z * (Vector256.Create(hPrev.Slice(x0 + j, w)) - n)).CopyTo(h.Slice(x0 + j, w));
            }
            for (; j < j1; j++) GruForwardElement(xProj, hProj, hPrev, H, b, j, gates, h);
        }
    }

    public override void Tanh(Span<float> y) => TensorPrimitives.Tanh(y, y);

    public override void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dA)
    {
        Contract.TanhBackward(y, dY, dA);
        // dA = dY − dY⊙y⊙y
        TensorPrimitives.Multiply(y, y, dA);
        TensorPrimitives.Multiply(dA, dY, dA);
        TensorPrimitives.Subtract(dY, dA, dA);
    }

    public override void Add(ReadOnlySpan<float> y, Span<float> x)
    {
        Contract.Add(y, x);
        TensorPrimitives.Add(x, y, x);
    }

    public override void SoftMax(ReadOnlySpan<float> x, int rows, int n, Span<float> y)
    {
        Contract.Rows(x, rows, n, y);
        if (n == 0) return;
        for (var r = 0; r < rows; r++) SoftMaxRow(x.Slice(r * n, n), y.Slice(r * n, n));
    }

    public override void LogSoftMax(ReadOnlySpan<float> x, int rows, int n, Span<float> y)
    {
        Contract.Rows(x, rows, n, y);
        if (n == 0) return;
        for (var r = 0; r < rows; r++)
        {
            var row = x.Slice(r * n, n);
            var yr = y.Slice(r * n, n);
            var max = TensorPrimitives.Max(row);
            var log = (float)Math.Log(ExpSum(row, max, default));   // before y is written: y may be x
            TensorPrimitives.Subtract(row, max, yr);
            TensorPrimitives.Subtract(yr, log, yr);
        }
    }

    public override void LogSumExp(ReadOnlySpan<float> x, int rows, int n, Span<float> lse)
    {
        Contract.LogSumExp(x, rows, n, lse);
        for (var r = 0; r < rows; r++)
        {
            if (n == 0)
            {
                lse[r] = float.NegativeInfinity;
                continue;
            }
            var row = x.Slice(r * n, n);
            var max = TensorPrimitives.Max(row);
            lse[r] = (float)(max + Math.Log(ExpSum(row, max, default)));
        }
    }

    public override void MaskedSoftMax(ReadOnlySpan<float> scores, ReadOnlySpan<float> mask, int rows, int n, Span<float> y)
    {
        Contract.MaskedSoftMax(scores, mask, rows, n, y);
        if (rows == 0 || n == 0) return;
        var share = rows / (mask.Length / n);   // score rows per mask row
        for (var r = 0; r < rows; r++)
        {
            // Masked scores become −∞ (e^−∞ = 0 exactly), then the row is a plain softmax.
            var m = mask.Slice(r / share * n, n);
            var yr = y.Slice(r * n, n);
            var kept = false;
            for (var j = 0; j < n; j++)
            {
                kept |= m[j] != 0f;
                yr[j] = m[j] != 0f ? scores[r * n + j] : float.NegativeInfinity;
            }
            if (kept) SoftMaxRow(yr, yr);
            else yr.Clear();
        }
    }

    public override void SoftMaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, int rows, int n, Span<float> dX)
    {
        Contract.SoftMaxBackward(y, dY, rows, n, dX);
        for (var r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * n, n);
            var dXr = dX.Slice(r * n, n);
            var dot = (float)Dot(yr, dY.Slice(r * n, n));
            TensorPrimitives.Subtract(dY.Slice(r * n, n), dot, dXr);
            TensorPrimitives.Multiply(dXr, yr, dXr);
        }
    }

    /// <summary>One non-empty row of <see cref="SoftMax"/>: y = e^(x − max) rounded to float, then y / Σ e^(x − max).</summary>
    static void SoftMaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        var max = TensorPrimitives.Max(x);
        var sum = ExpSum(x, max, y);
        TensorPrimitives.Divide(y, (float)sum, y);
    }

    /// <summary>
    /// Σ_j e^(x_j − shift) with the exponentials and the sum in double, eight floats at a time as two vectors of four
    /// doubles; also writes each e^(x_j − shift), rounded to float, to <paramref name="y"/> unless it is empty (y may
    /// be x). Double, although its exponential is slower, because the float one is an ulp out even at 0
    /// (Vector256.Exp(0f) is 1.0000001): in log Σ that is 1e-7, the whole of −log p for a confident row.
    /// </summary>
    static double ExpSum(ReadOnlySpan<float> x, float shift, Span<float> y)
    {
        var store = !y.IsEmpty;
        var s = Vector256.Create((double)shift);
        Vector256<double> accLo = default, accHi = default;
        var w = Vector256<float>.Count;
        var j = 0;
        for (; j <= x.Length - w; j += w)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Create(x.Slice(j, w)));
            lo = Vector256.Exp(lo - s);
            hi = Vector256.Exp(hi - s);
            accLo += lo;
            accHi += hi;
            if (store) Vector256.Narrow(lo, hi).CopyTo(y.Slice(j, w));
        }
        var sum = Vector256.Sum(accLo + accHi);
        for (; j < x.Length; j++)
        {
            var e = Math.Exp((double)x[j] - shift);
            sum += e;
            if (store) y[j] = (float)e;
        }
        return sum;
    }

    /// <summary>Σ a⊙b in double, eight lanes at a time: the floats widen and their products are exact, only the additions round.</summary>
    static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var w = Vector256<float>.Count;
        Vector256<double> lo = default, hi = default;
        var i = 0;
        for (; i <= a.Length - w; i += w)
        {
            var (a0, a1) = Vector256.Widen(Vector256.Create(a.Slice(i, w)));
            var (b0, b1) = Vector256.Widen(Vector256.Create(b.Slice(i, w)));
            lo += a0 * b0;
            hi += a1 * b1;
        }
        var sum = Vector256.Sum(lo + hi);
        for (; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}
