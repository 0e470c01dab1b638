// SimdKernelSet: the fast variants. Overrides only the hot kernels of KernelSet: GEMM (packed, blocked,
// a Vector512 or Vector256 FMA micro-kernel, split across cores) and the fused gate steps (TensorPrimitives
// and explicit vectors). KernelSet stays the oracle these are tested against.
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
        Span<float> c, int ldc, bool accumulate)
        => PackedGemm.Run(wide, a, lda, transA, b, ldb, transB, m, n, k, c, ldc, accumulate);

    public override void Pack(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n, PackedMatrix packed)
    {
        PackedGemm.Pack(wide, b, ldb, transB, k, n, packed);
        packed.Variant = Variant;
    }

    public override void GemmPacked(ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, int m, Span<float> c, int ldc, bool accumulate)
    {
        CheckPacked(b);
        PackedGemm.RunPacked(a, lda, transA, b, m, c, ldc, accumulate);
    }

    public override void AddBias(ReadOnlySpan<float> bias, int rows, int n, Span<float> x)
    {
        for (var r = 0; r < rows; r++)
        {
            var row = x.Slice(r * n, n);
            TensorPrimitives.Add(row, bias[..n], row);
        }
    }

    public override void SumRows(ReadOnlySpan<float> dx, int rows, int n, Span<float> dBias)
    {
        var acc = dBias[..n];
        for (var r = 0; r < rows; r++) TensorPrimitives.Add(acc, dx.Slice(r * n, n), acc);
    }

    public override void LstmCellForward(
        ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int B, int H,
        Span<float> gates, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        // One pass over each row: every gate of a unit is computed while its values are in registers.
        var hasPeep = !peep.IsEmpty;
        var w = Vector256<float>.Count;
        for (var b = 0; b < B; b++)
        {
            var g0 = b * 4 * H;
            var x0 = b * H;
            var j = 0;
            for (; j <= H - w; j += w)
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
            for (; j < H; j++) LstmForwardElement(cPrev, peep, H, b, j, gates, c, tanhC, h);
        }
    }

    /// <summary>σ(x) = 1 / (1 + e^−x); saturates cleanly (e^−x = ∞ gives 0).</summary>
    static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

    /// <summary>tanh(x) = 2σ(2x) − 1.</summary>
    static Vector256<float> Tanh(Vector256<float> x) => Vector256.Create(2f) * Sigmoid(x + x) - Vector256<float>.One;

    public override void LstmCellBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> peep, ReadOnlySpan<float> dh, int B, int H,
        Span<float> dc, Span<float> dGates, Span<float> dPeep)
    {
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
        var w = Vector256<float>.Count;
        for (var b = 0; b < B; b++)
        {
            var g0 = b * 3 * H;
            var x0 = b * H;
            var j = 0;
            for (; j <= H - w; j += w)
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
            for (; j < H; j++) GruForwardElement(xProj, hProj, hPrev, H, b, j, gates, h);
        }
    }

    public override void Tanh(Span<float> y) => TensorPrimitives.Tanh(y, y);

    public override void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dA)
    {
        // dA = dY − dY⊙y⊙y
        TensorPrimitives.Multiply(y, y, dA);
        TensorPrimitives.Multiply(dA, dY, dA);
        TensorPrimitives.Subtract(dY, dA, dA);
    }

    public override void Add(ReadOnlySpan<float> y, Span<float> x) => TensorPrimitives.Add(x, y, x);
}
