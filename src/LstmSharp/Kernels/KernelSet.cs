// KernelSet: the raw math of the library on spans, as a readable scalar reference. Fast variants derive
// from it and override only the hot kernels; tests run every variant against this one.
//
// Legend used in every kernel: B batch rows, H units, m/n/k matrix sizes, ld* row strides (leading dims).
// Argument order: inputs, then sizes, then outputs. Gradients carry a `d` prefix.
// Each kernel given sizes, in every variant, first calls its Contract method: span sizes, checked in Debug builds only.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LstmSharp.Internals;

namespace LstmSharp.Kernels;

/// <summary>The kernel variants that <c>LSTMSHARP_KERNELS</c> can force.</summary>
public enum KernelVariant
{
    /// <summary>The readable scalar reference: plain loops, the test oracle for the fast kernels.</summary>
    Scalar,

    /// <summary>Packed, blocked, multi-threaded GEMM with a 6×16 Vector256 FMA micro-kernel (AVX2/FMA); vectorised gates.</summary>
    Vector256,

    /// <summary>As <see cref="Vector256"/> with an 8×32 Vector512 micro-kernel (AVX-512).</summary>
    Vector512,
}

internal class KernelSet
{
    public const string EnvironmentVariable = "LSTMSHARP_KERNELS";

    public static readonly KernelSet Scalar = new();
    static readonly KernelSet s_vector256 = new SimdKernelSet(wide: false);
    static readonly KernelSet s_vector512 = new SimdKernelSet(wide: true);

    /// <summary>The variants this machine can run, reference first, widest last.</summary>
    public static IReadOnlyList<KernelVariant> Supported { get; } =
        Enum.GetValues<KernelVariant>().Where(IsSupported).ToArray();

    /// <summary>The fastest variant this machine runs.</summary>
    public static KernelSet Fastest { get; } = For(Supported[^1]);

    static KernelSet? s_default;

    /// <summary>
    /// The kernels used by default: <see cref="Fastest"/>, unless <c>LSTMSHARP_KERNELS</c> names a variant. Read on first
    /// use rather than in the type initializer, so a bad value throws its own <see cref="EnvironmentVariableException"/>
    /// (each time) instead of a TypeInitializationException that breaks the type for good.
    /// </summary>
    public static KernelSet Default => s_default ??= FromEnvironment(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public virtual KernelVariant Variant => KernelVariant.Scalar;

    public static bool IsSupported(KernelVariant variant) => variant switch
    {
        KernelVariant.Scalar => true,
        KernelVariant.Vector256 => Vector256.IsHardwareAccelerated,
        KernelVariant.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    public static KernelSet For(KernelVariant variant)
    {
        if (!IsSupported(variant))
        {
            throw new PlatformNotSupportedException(
                $"Kernel variant '{variant}' needs hardware this machine lacks; it runs: {string.Join(", ", Supported)}.");
        }
        return variant switch
        {
            KernelVariant.Vector256 => s_vector256,
            KernelVariant.Vector512 => s_vector512,
            _ => Scalar,
        };
    }

    /// <summary>The kernels <c>LSTMSHARP_KERNELS</c>=<paramref name="value"/> asks for: a variant's name in any case, or unset (null, blank) for <see cref="Fastest"/>.</summary>
    public static KernelSet FromEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Fastest;
        // By name only: Enum.TryParse would also take "1" or "Scalar, Vector256" (numbers and flag combinations).
        var name = Enum.GetNames<KernelVariant>().FirstOrDefault(n => n.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            throw new EnvironmentVariableException(EnvironmentVariable, value,
                $"{EnvironmentVariable}='{value}' is not a kernel variant; accepted: {string.Join(", ", Enum.GetNames<KernelVariant>())} (any case), or unset for the fastest this machine runs ({Fastest.Variant}).");
        }
        var variant = Enum.Parse<KernelVariant>(name);
        if (!IsSupported(variant))
        {
            throw new EnvironmentVariableException(EnvironmentVariable, value,
                $"{EnvironmentVariable}='{value}' needs hardware this machine lacks; accepted here: {string.Join(", ", Supported)}, or unset for the fastest ({Fastest.Variant}).");
        }
        return For(variant);
    }

    /// <summary>
    /// C[m,n] = (accumulate ? C : 0) + op(A)[m,k] · op(B)[k,n] (+ bias[n] on every row, when given), where op(A) = A [m,k]
    /// (row stride lda) or, with transA, Aᵀ for A stored [k,m]; op(B) = B [k,n] (row stride ldb) or, with transB, Bᵀ
    /// for B stored [n,k]. The bias is added last, after the accumulated product.
    /// </summary>
    public virtual void Gemm(
        ReadOnlySpan<float> a, int lda, bool transA,
        ReadOnlySpan<float> b, int ldb, bool transB,
        int m, int n, int k,
        Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias = default)
    {
        Contract.Gemm(a, lda, transA, b, ldb, transB, m, n, k, c, ldc, bias);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0f;
                for (var p = 0; p < k; p++)
                {
                    var av = transA ? a[p * lda + i] : a[i * lda + p];
                    var bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                var value = accumulate ? c[i * ldc + j] + sum : sum;
                c[i * ldc + j] = bias.IsEmpty ? value : value + bias[j];
            }
        }
    }

    /// <summary>
    /// Packs op(B) [k, n] (B stored [k, n], or [n, k] with <paramref name="transB"/>) for repeated products with
    /// <see cref="GemmPacked"/>. The reference keeps a dense row-major copy.
    /// </summary>
    public virtual void Pack(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n, PackedMatrix packed)
    {
        Contract.Pack(b, ldb, transB, k, n);
        packed.Resize(k, n, n);
        packed.Variant = Variant;
        var d = packed.Data;
        for (var p = 0; p < k; p++)
            for (var j = 0; j < n; j++)
                d[p * n + j] = transB ? b[j * ldb + p] : b[p * ldb + j];
    }

    /// <summary>
    /// Packs op(B) [k, n] with B the values of <paramref name="source"/> from <paramref name="offset"/> on, as
    /// <see cref="Pack(ReadOnlySpan{float}, int, bool, int, int, PackedMatrix)"/> does, unless <paramref name="packed"/>
    /// already holds exactly that: packed by this variant from the same part of the same storage, which has not been
    /// written since (<see cref="Tensor.Span"/>). A weight is then packed once per update, not once per pass.
    /// </summary>
    public void Pack(Tensor source, int offset, int ldb, bool transB, int k, int n, PackedMatrix packed)
    {
        var wanted = new PackSource(source.Stamp, offset, ldb, transB, k, n, Variant);
        if (packed.Source == wanted) return;
        Pack(source.Values[offset..], ldb, transB, k, n, packed);
        packed.Source = wanted;
        PacksOnThisThread++;
    }

    /// <summary>How many times <see cref="Pack(Tensor, int, int, bool, int, int, PackedMatrix)"/> packed on this thread (tests count the repacks).</summary>
    [ThreadStatic] internal static int PacksOnThisThread;

    /// <summary>C[m, n] = (accumulate ? C : 0) + op(A)[m, k] · B (+ bias[n]), with B packed by <see cref="Pack(ReadOnlySpan{float}, int, bool, int, int, PackedMatrix)"/> of this variant.</summary>
    public virtual void GemmPacked(ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, int m, Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias = default)
    {
        Contract.GemmPacked(a, lda, transA, b, m, c, ldc, bias);
        CheckPacked(b);
        Gemm(a, lda, transA, b.Data, b.N, false, m, b.N, b.K, c, ldc, accumulate, bias);
    }

    /// <summary>Throws when <paramref name="b"/> was packed by another variant (its layout would be misread).</summary>
    protected void CheckPacked(PackedMatrix b)
    {
        if (b.Variant != Variant)
            throw new InvalidOperationException($"A matrix packed by the {b.Variant} kernels cannot be used by the {Variant} kernels.");
    }

    /// <summary>dBias[j] += Σ_r dX[r, j] over a [rows, n] block.</summary>
    public virtual void SumRows(ReadOnlySpan<float> dx, int rows, int n, Span<float> dBias)
    {
        Contract.SumRows(dx, rows, n, dBias);
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < n; j++)
                dBias[j] += dx[r * n + j];
    }

    /// <summary>
    /// LSTM step, pointwise part. On entry gates [B,4H] holds the pre-activations a (i, f, g, o blocks of H);
    /// on exit the activations. peep [3H] is (p_i, p_f, p_o) or empty.
    ///   i = σ(a_i + p_i⊙c_prev), f = σ(a_f + p_f⊙c_prev), g = tanh(a_g),
    ///   c = f⊙c_prev + i⊙g,      o = σ(a_o + p_o⊙c),       h = o⊙tanh(c).
    /// </summary>
    public virtual void LstmCellForward(
        ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int B, int H,
        Span<float> gates, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        Contract.LstmCellForward(cPrev, peep, B, H, gates, c, tanhC, h);
        for (var b = 0; b < B; b++)
            for (var j = 0; j < H; j++)
                LstmForwardElement(cPrev, peep, H, b, j, gates, c, tanhC, h);
    }

    /// <summary>
    /// One whole LSTM step: gates [B, 4H] += hPrev [B, H] (row stride <paramref name="ldh"/>) · W_hhᵀ packed in
    /// <paramref name="recurrent"/>, then <see cref="LstmCellForward"/>. Fast variants share the rows out to the worker
    /// threads, each thread running its rows' product and cell back to back, with one hand-off per step.
    /// </summary>
    public virtual void LstmStepForward(
        ReadOnlySpan<float> hPrev, int ldh, PackedMatrix recurrent, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int B, int H,
        Span<float> gates, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        GemmPacked(hPrev, ldh, false, recurrent, B, gates, 4 * H, accumulate: true);
        LstmCellForward(cPrev, peep, B, H, gates, c, tanhC, h);
    }

    /// <summary>One element (row b, unit j) of <see cref="LstmCellForward"/>; fast variants use it for their tails.</summary>
    protected static void LstmForwardElement(
        ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int H, int b, int j,
        Span<float> gates, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        var hasPeep = !peep.IsEmpty;
        var g0 = b * 4 * H;
        var cp = cPrev[b * H + j];
        var i = Sigmoid(gates[g0 + j] + (hasPeep ? peep[j] * cp : 0f));
        var f = Sigmoid(gates[g0 + H + j] + (hasPeep ? peep[H + j] * cp : 0f));
        var g = MathF.Tanh(gates[g0 + 2 * H + j]);
        var cNew = f * cp + i * g;
        var o = Sigmoid(gates[g0 + 3 * H + j] + (hasPeep ? peep[2 * H + j] * cNew : 0f));
        var tc = MathF.Tanh(cNew);
        gates[g0 + j] = i;
        gates[g0 + H + j] = f;
        gates[g0 + 2 * H + j] = g;
        gates[g0 + 3 * H + j] = o;
        c[b * H + j] = cNew;
        tanhC[b * H + j] = tc;
        h[b * H + j] = o * tc;
    }

    /// <summary>
    /// LSTM step backward, pointwise part. dh [B,H] is the whole gradient reaching h_t; dc [B,H] holds on entry
    /// the gradient reaching c_t from step t+1 and on exit the gradient reaching c_{t-1}. Writes dGates [B,4H]
    /// (gradient w.r.t. the pre-activations a) and adds the peephole gradients to dPeep [3H] when peep is given.
    /// </summary>
    public virtual void LstmCellBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> peep, ReadOnlySpan<float> dh, int B, int H,
        Span<float> dc, Span<float> dGates, Span<float> dPeep)
    {
        Contract.LstmCellBackward(gates, cPrev, c, tanhC, peep, dh, B, H, dc, dGates, dPeep);
        for (var b = 0; b < B; b++)
            for (var j = 0; j < H; j++)
                LstmBackwardElement(gates, cPrev, c, tanhC, peep, dh, H, b, j, dc, dGates, dPeep);
    }

    /// <summary>One element (row b, unit j) of <see cref="LstmCellBackward"/>; fast variants use it for their tails.</summary>
    protected static void LstmBackwardElement(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> peep, ReadOnlySpan<float> dh, int H, int b, int j,
        Span<float> dc, Span<float> dGates, Span<float> dPeep)
    {
        var hasPeep = !peep.IsEmpty;
        var g0 = b * 4 * H;
        var x = b * H + j;
        float i = gates[g0 + j], f = gates[g0 + H + j], g = gates[g0 + 2 * H + j], o = gates[g0 + 3 * H + j];
        var tc = tanhC[x];
        var dO = dh[x] * tc;
        var dAo = dO * o * (1f - o);
        var dC = dc[x] + dh[x] * o * (1f - tc * tc) + (hasPeep ? dAo * peep[2 * H + j] : 0f);
        var cp = cPrev[x];
        var dAi = dC * g * i * (1f - i);
        var dAf = dC * cp * f * (1f - f);
        var dAg = dC * i * (1f - g * g);
        var dCPrev = dC * f;
        if (hasPeep)
        {
            dCPrev += dAi * peep[j] + dAf * peep[H + j];
            dPeep[j] += dAi * cp;
            dPeep[H + j] += dAf * cp;
            dPeep[2 * H + j] += dAo * c[x];
        }
        dGates[g0 + j] = dAi;
        dGates[g0 + H + j] = dAf;
        dGates[g0 + 2 * H + j] = dAg;
        dGates[g0 + 3 * H + j] = dAo;
        dc[x] = dCPrev;
    }

    /// <summary>
    /// One whole GRU step (reset-after form): hProj [B, 3H] = hIn [B, H] (row stride <paramref name="ldh"/>; the state,
    /// or its dropped copy) · W_hhᵀ packed in <paramref name="recurrent"/> + <paramref name="biasHh"/> (none when empty),
    /// then <see cref="GruCellForward"/> with the state <paramref name="hPrev"/>. Fast variants share the rows (or, for a
    /// few rows, the units) out to the worker threads, each running its product and cell back to back, one hand-off per step.
    /// </summary>
    public virtual void GruStepForward(
        ReadOnlySpan<float> hIn, int ldh, PackedMatrix recurrent, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> xProj, ReadOnlySpan<float> hPrev, int B, int H,
        Span<float> hProj, Span<float> gates, Span<float> h)
    {
        GemmPacked(hIn, ldh, false, recurrent, B, hProj, 3 * H, accumulate: false, biasHh);
        GruCellForward(xProj, hProj, hPrev, B, H, gates, h);
    }

    /// <summary>
    /// GRU step (PyTorch / Keras reset_after form), pointwise part. xProj [B,3H] = x·W_ihᵀ + b_ih and
    /// hProj [B,3H] = h_prev·W_hhᵀ + b_hh, blocks (r, z, n):
    ///   r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r⊙h_n), h = (1−z)⊙n + z⊙h_prev.
    /// Writes the activated gates [B,3H] (r, z, n) and h [B,H].
    /// </summary>
    public virtual void GruCellForward(
        ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, int B, int H,
        Span<float> gates, Span<float> h)
    {
        Contract.GruCellForward(xProj, hProj, hPrev, B, H, gates, h);
        for (var b = 0; b < B; b++)
            for (var j = 0; j < H; j++)
                GruForwardElement(xProj, hProj, hPrev, H, b, j, gates, h);
    }

    /// <summary>One element (row b, unit j) of <see cref="GruCellForward"/>; fast variants use it for their tails.</summary>
    protected static void GruForwardElement(
        ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, int H, int b, int j,
        Span<float> gates, Span<float> h)
    {
        var g0 = b * 3 * H;
        var r = Sigmoid(xProj[g0 + j] + hProj[g0 + j]);
        var z = Sigmoid(xProj[g0 + H + j] + hProj[g0 + H + j]);
        var nGate = MathF.Tanh(xProj[g0 + 2 * H + j] + r * hProj[g0 + 2 * H + j]);
        gates[g0 + j] = r;
        gates[g0 + H + j] = z;
        gates[g0 + 2 * H + j] = nGate;
        h[b * H + j] = (1f - z) * nGate + z * hPrev[b * H + j];
    }

    /// <summary>
    /// GRU step backward, pointwise part. gates [B,3H] are the activations (r, z, n), hProj [B,3H] the
    /// recurrent projection of the forward step, dh [B,H] the whole gradient reaching h_t. Writes dXProj [B,3H], dHProj [B,3H] (gradients of the
    /// two projections) and dhPrev [B,H] = the direct part z⊙dh (the caller adds dHProj·W_hh).
    /// </summary>
    public virtual void GruCellBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh, int B, int H,
        Span<float> dXProj, Span<float> dHProj, Span<float> dhPrev)
    {
        Contract.GruCellBackward(gates, hProj, hPrev, dh, B, H, dXProj, dHProj, dhPrev);
        for (var b = 0; b < B; b++)
        {
            for (var j = 0; j < H; j++)
            {
                var g0 = b * 3 * H;
                var x = b * H + j;
                float r = gates[g0 + j], z = gates[g0 + H + j], nGate = gates[g0 + 2 * H + j];
                var dH = dh[x];
                var dAn = dH * (1f - z) * (1f - nGate * nGate);
                var dAz = dH * (hPrev[x] - nGate) * z * (1f - z);
                var dAr = dAn * hProj[g0 + 2 * H + j] * r * (1f - r);
                dXProj[g0 + j] = dAr;
                dXProj[g0 + H + j] = dAz;
                dXProj[g0 + 2 * H + j] = dAn;
                dHProj[g0 + j] = dAr;
                dHProj[g0 + H + j] = dAz;
                dHProj[g0 + 2 * H + j] = dAn * r;
                dhPrev[x] = dH * z;
            }
        }
    }

    /// <summary>
    /// GRU reset-before step, first part. xProj [B,3H] = x·W_ihᵀ + b_ih + b_hh, hProj [B,3H] whose r, z blocks
    /// hold h_in·W_h(rz)ᵀ: r = σ(x_r + h_r), z = σ(x_z + h_z) into the r, z blocks of gates [B,3H], and
    /// rh [B,H] = r⊙h_in, the input of the n block's recurrent product (h_in: h_{t−1}, after recurrent dropout).
    /// </summary>
    public virtual void GruResetGates(
        ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hIn, int B, int H,
        Span<float> gates, Span<float> rh)
    {
        Contract.GruResetGates(xProj, hProj, hIn, B, H, gates, rh);
        for (var b = 0; b < B; b++)
        {
            var g0 = b * 3 * H;
            for (var j = 0; j < H; j++)
            {
                var r = Sigmoid(xProj[g0 + j] + hProj[g0 + j]);
                gates[g0 + j] = r;
                gates[g0 + H + j] = Sigmoid(xProj[g0 + H + j] + hProj[g0 + H + j]);
                rh[b * H + j] = r * hIn[b * H + j];
            }
        }
    }

    /// <summary>
    /// GRU reset-before step, second part, once hProj's n block holds (r⊙h_in)·W_hnᵀ: n = tanh(x_n + h_n) into
    /// the n block of gates, and h = (1−z)⊙n + z⊙h_prev.
    /// </summary>
    public virtual void GruResetBeforeCellForward(
        ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, int B, int H,
        Span<float> gates, Span<float> h)
    {
        Contract.GruResetGates(xProj, hProj, hPrev, B, H, gates, h);
        for (var b = 0; b < B; b++)
        {
            var g0 = b * 3 * H;
            for (var j = 0; j < H; j++)
            {
                var nGate = MathF.Tanh(xProj[g0 + 2 * H + j] + hProj[g0 + 2 * H + j]);
                var z = gates[g0 + H + j];
                gates[g0 + 2 * H + j] = nGate;
                h[b * H + j] = (1f - z) * nGate + z * hPrev[b * H + j];
            }
        }
    }

    /// <summary>
    /// GRU reset-before step backward, first part. From the gates [B,3H] and the whole gradient dh [B,H] reaching
    /// h_t: the pre-activation gradients dA_z and dA_n into the z and n blocks of dGates [B,3H], and
    /// dhPrev [B,H] = z⊙dh, the direct part of ∂loss/∂h_{t−1}.
    /// </summary>
    public virtual void GruResetBeforeCellBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh, int B, int H,
        Span<float> dGates, Span<float> dhPrev)
    {
        Contract.GruResetBeforeCellBackward(gates, hPrev, dh, B, H, dGates, dhPrev);
        for (var b = 0; b < B; b++)
        {
            var g0 = b * 3 * H;
            for (var j = 0; j < H; j++)
            {
                var x = b * H + j;
                float z = gates[g0 + H + j], nGate = gates[g0 + 2 * H + j], dH = dh[x];
                dGates[g0 + H + j] = dH * (hPrev[x] - nGate) * z * (1f - z);
                dGates[g0 + 2 * H + j] = dH * (1f - z) * (1f - nGate * nGate);
                dhPrev[x] = dH * z;
            }
        }
    }

    /// <summary>
    /// GRU reset-before step backward, second part. Given dRh [B,H] = ∂loss/∂(r⊙h_in): dA_r = dRh⊙h_in⊙r(1−r)
    /// into the r block of dGates [B,3H], and dRh becomes r⊙dRh, its share of ∂loss/∂h_in (in place).
    /// </summary>
    public virtual void GruResetGatesBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hIn, int B, int H,
        Span<float> dRh, Span<float> dGates)
    {
        Contract.GruResetGatesBackward(gates, hIn, B, H, dRh, dGates);
        for (var b = 0; b < B; b++)
        {
            var g0 = b * 3 * H;
            for (var j = 0; j < H; j++)
            {
                var x = b * H + j;
                var r = gates[g0 + j];
                dGates[g0 + j] = dRh[x] * hIn[x] * r * (1f - r);
                dRh[x] *= r;
            }
        }
    }

    /// <summary>y = tanh(y) in place (the simple RNN step on its summed projections).</summary>
    public virtual void Tanh(Span<float> y)
    {
        for (var i = 0; i < y.Length; i++) y[i] = MathF.Tanh(y[i]);
    }

    /// <summary>dA = dY ⊙ (1 − y²): backward of y = tanh(a) given y.</summary>
    public virtual void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dA)
    {
        Contract.TanhBackward(y, dY, dA);
        for (var i = 0; i < y.Length; i++) dA[i] = dY[i] * (1f - y[i] * y[i]);
    }

    /// <summary>x += y elementwise.</summary>
    public virtual void Add(ReadOnlySpan<float> y, Span<float> x)
    {
        Contract.Add(y, x);
        for (var i = 0; i < x.Length; i++) x[i] += y[i];
    }

    /// <summary>
    /// Softmax of each row of a [rows, n] block: y[r, j] = e^(x[r, j] − m_r) / Σ_k e^(x[r, k] − m_r), with m_r = max_k x[r, k].
    /// y may be x (in place); it must not overlap it otherwise.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Subtracting the row maximum first leaves the result unchanged and keeps every exponent ≤ 0, so no term
    /// overflows, and the largest is exactly 1, so the sum is at least 1 (Blanchard, Higham &amp; Higham, "Accurately
    /// computing the log-sum-exp and softmax functions", IMA J. Numer. Anal. 41, 2021). TensorPrimitives.SoftMax
    /// does not subtract it: a logit above 88 overflows there.
    /// </para>
    /// <para>
    /// The exponentials and their sum are taken in double, as the losses always did: the reference rounds once; the
    /// fast variants (double vectors) round e^x and the sum to float before dividing, within two float ulps of it.
    /// A float exponential would not do: it is an ulp out even at 0, and a float sum of a vocabulary's worth of
    /// terms loses more. A row holding NaN or +∞, or only −∞, gives NaN, as in PyTorch; an empty row writes nothing.
    /// </para>
    /// </remarks>
    public virtual void SoftMax(ReadOnlySpan<float> x, int rows, int n, Span<float> y)
    {
        Contract.Rows(x, rows, n, y);
        for (var r = 0; r < rows; r++) SoftMaxRow(x.Slice(r * n, n), default, y.Slice(r * n, n));
    }

    /// <summary>
    /// Log-softmax of each row of a [rows, n] block: y[r, j] = (x[r, j] − m_r) − log Σ_k e^(x[r, k] − m_r), with
    /// m_r = max_k x[r, k] (as <see cref="SoftMax"/>, whose logarithm it is). y may be x (in place).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Cross-entropy and perplexity read −log p from here rather than as log-sum-exp minus the logit: in a confident
    /// row both can be near 10 and their difference near 0, so the float rounding of the log-sum-exp would swamp it; here
    /// the shift by m_r is exact for the largest entry and log Σ (≥ 0, near 0 for such a row) keeps its digits.
    /// </para>
    /// <para>log Σ is computed in double in every variant; the fast variants then subtract in float, in two roundings.</para>
    /// </remarks>
    public virtual void LogSoftMax(ReadOnlySpan<float> x, int rows, int n, Span<float> y)
    {
        Contract.Rows(x, rows, n, y);
        for (var r = 0; r < rows; r++)
        {
            var row = x.Slice(r * n, n);
            var (max, sum) = ExpSum(row, default);
            var log = Math.Log(sum);
            var yr = y.Slice(r * n, n);
            for (var j = 0; j < n; j++) yr[j] = (float)(((double)row[j] - max) - log);
        }
    }

    /// <summary>
    /// Log-sum-exp of each row of a [rows, n] block: lse[r] = m_r + log Σ_k e^(x[r, k] − m_r), m_r = max_k x[r, k];
    /// lse [rows]. An empty row gives −∞ (the log of an empty sum).
    /// </summary>
    /// <remarks>
    /// The exponentials and the sum are in double in every variant, rounded once. For −log p of one entry prefer
    /// <see cref="LogSoftMax"/>: log-sum-exp minus a logit cancels when p is near 1.
    /// </remarks>
    public virtual void LogSumExp(ReadOnlySpan<float> x, int rows, int n, Span<float> lse)
    {
        Contract.LogSumExp(x, rows, n, lse);
        for (var r = 0; r < rows; r++)
        {
            var (max, sum) = ExpSum(x.Slice(r * n, n), default);
            lse[r] = (float)(max + Math.Log(sum));
        }
    }

    /// <summary>
    /// Softmax of each row of scores [rows, n] over the entries its mask keeps: y[r, j] = 0 where mask[·, j] = 0,
    /// otherwise e^(s[r, j] − m_r) / Σ_{k kept} e^(s[r, k] − m_r) with m_r the largest kept score. mask [r, n] holds
    /// one row per rows / r consecutive score rows: a key mask [B, Tk] serves attention scores [B·Tq, Tk]; r = rows
    /// gives every row its own (causal masks). y may be scores (in place).
    /// </summary>
    /// <remarks>
    /// <para>
    /// A masked entry gets exactly 0, whatever its score (even NaN or ±∞), and takes no part in the maximum or
    /// the sum. A row whose mask keeps nothing gives all zeros: the attention context of a query with nothing to
    /// attend to is then 0 and no gradient reaches the padding. Keras differs on purpose here: it replaces masked
    /// scores with −1e9 (keras.layers.Softmax, and Attention subtracts 1e9), so a fully masked row comes out
    /// uniform, 1/n on every padded position; PyTorch's −∞ convention gives NaN. Otherwise rows match Keras's masked softmax.
    /// </para>
    /// <para>
    /// <see cref="SoftMaxBackward"/> is also this kernel's backward: masked entries have y = 0, so their gradient is 0.
    /// </para>
    /// </remarks>
    public virtual void MaskedSoftMax(ReadOnlySpan<float> scores, ReadOnlySpan<float> mask, int rows, int n, Span<float> y)
    {
        Contract.MaskedSoftMax(scores, mask, rows, n, y);
        if (rows == 0 || n == 0) return;
        var share = rows / (mask.Length / n);   // score rows per mask row
        for (var r = 0; r < rows; r++)
            SoftMaxRow(scores.Slice(r * n, n), mask.Slice(r / share * n, n), y.Slice(r * n, n));
    }

    /// <summary>
    /// Backward of y = softmax(x) for each row of a [rows, n] block: dX[r, j] = y[r, j]·(dY[r, j] − Σ_k dY[r, k]·y[r, k]),
    /// i.e. dX = (diag(y) − y yᵀ)·dY per row (PyTorch's softmax_backward_data). Serves <see cref="MaskedSoftMax"/> too.
    /// dX may be dY (in place), not y.
    /// </summary>
    /// <remarks>The dot product is summed in double in every variant: dY − Σ cancels when dY is nearly uniform.</remarks>
    public virtual void SoftMaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, int rows, int n, Span<float> dX)
    {
        Contract.SoftMaxBackward(y, dY, rows, n, dX);
        for (var r = 0; r < rows; r++)
        {
            double dot = 0;
            for (var j = 0; j < n; j++) dot += (double)dY[r * n + j] * y[r * n + j];
            for (var j = 0; j < n; j++) dX[r * n + j] = (float)(y[r * n + j] * (dY[r * n + j] - dot));
        }
    }

    /// <summary>One row of <see cref="SoftMax"/> (empty mask) or <see cref="MaskedSoftMax"/>, in double.</summary>
    static void SoftMaxRow(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y)
    {
        var (max, sum) = ExpSum(x, mask);
        if (sum == 0)
        {
            y.Clear();   // nothing kept (a fully masked row, or n = 0)
            return;
        }
        for (var j = 0; j < x.Length; j++) y[j] = Keeps(mask, j) ? (float)(Math.Exp((double)x[j] - max) / sum) : 0f;
    }

    /// <summary>
    /// The largest kept entry of a row and Σ e^(x − max) over the kept entries, in double; (−∞, 0) when nothing is
    /// kept. An empty mask keeps every entry. The sum is ≥ 1 whenever an entry is kept and the maximum is finite.
    /// </summary>
    static (float Max, double Sum) ExpSum(ReadOnlySpan<float> x, ReadOnlySpan<float> mask)
    {
        var max = float.NegativeInfinity;
        for (var j = 0; j < x.Length; j++)
            if (Keeps(mask, j)) max = MathF.Max(max, x[j]);
        double sum = 0;
        for (var j = 0; j < x.Length; j++)
            if (Keeps(mask, j)) sum += Math.Exp((double)x[j] - max);
        return (max, sum);
    }

    static bool Keeps(ReadOnlySpan<float> mask, int j) => mask.IsEmpty || mask[j] != 0f;

    protected static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>
    /// The span sizes each kernel needs, one method per kernel and named after it, checked in Debug builds only
    /// (<see cref="KernelGuard"/>). Every variant calls its kernel's on entry, before any pointer is taken.
    /// </summary>
    internal static class Contract
    {
        /// <summary>op(A) [m, k] is A [m, k] (or, transposed, A stored [k, m]) with row stride lda; likewise B and C [m, n].</summary>
        [Conditional("DEBUG")]
        public static void Gemm(
            ReadOnlySpan<float> a, int lda, bool transA, ReadOnlySpan<float> b, int ldb, bool transB,
            int m, int n, int k, ReadOnlySpan<float> c, int ldc, ReadOnlySpan<float> bias)
        {
            KernelGuard.Matrix(a, transA ? k : m, transA ? m : k, lda);
            KernelGuard.Matrix(b, transB ? n : k, transB ? k : n, ldb);
            KernelGuard.Matrix(c, m, n, ldc);
            if (!bias.IsEmpty) KernelGuard.Length(bias, n);
        }

        [Conditional("DEBUG")]
        public static void Pack(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n)
            => KernelGuard.Matrix(b, transB ? n : k, transB ? k : n, ldb);

        [Conditional("DEBUG")]
        public static void GemmPacked(ReadOnlySpan<float> a, int lda, bool transA, PackedMatrix b, int m, ReadOnlySpan<float> c, int ldc, ReadOnlySpan<float> bias)
        {
            KernelGuard.Matrix(a, transA ? b.K : m, transA ? m : b.K, lda);
            KernelGuard.AtLeast(b.Data, b.K * b.PaddedN);
            KernelGuard.Matrix(c, m, b.N, ldc);
            if (!bias.IsEmpty) KernelGuard.Length(bias, b.N);
        }

        [Conditional("DEBUG")]
        public static void SumRows(ReadOnlySpan<float> dx, int rows, int n, ReadOnlySpan<float> dBias)
        {
            KernelGuard.Length(dx, rows * n);
            KernelGuard.Length(dBias, n);
        }

        [Conditional("DEBUG")]
        public static void LstmCellForward(
            ReadOnlySpan<float> cPrev, ReadOnlySpan<float> peep, int B, int H,
            ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> h)
        {
            KernelGuard.Length(cPrev, B * H);
            if (!peep.IsEmpty) KernelGuard.Length(peep, 3 * H);
            KernelGuard.Length(gates, B * 4 * H);
            KernelGuard.Length(c, B * H);
            KernelGuard.Length(tanhC, B * H);
            KernelGuard.Length(h, B * H);
        }

        [Conditional("DEBUG")]
        public static void LstmCellBackward(
            ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> tanhC,
            ReadOnlySpan<float> peep, ReadOnlySpan<float> dh, int B, int H,
            ReadOnlySpan<float> dc, ReadOnlySpan<float> dGates, ReadOnlySpan<float> dPeep)
        {
            KernelGuard.Length(gates, B * 4 * H);
            KernelGuard.Length(cPrev, B * H);
            KernelGuard.Length(c, B * H);
            KernelGuard.Length(tanhC, B * H);
            if (!peep.IsEmpty) KernelGuard.Length(peep, 3 * H);
            KernelGuard.Length(dh, B * H);
            KernelGuard.Length(dc, B * H);
            KernelGuard.Length(dGates, B * 4 * H);
            KernelGuard.Length(dPeep, peep.Length);
        }

        [Conditional("DEBUG")]
        public static void GruCellForward(
            ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, int B, int H,
            ReadOnlySpan<float> gates, ReadOnlySpan<float> h)
        {
            KernelGuard.Length(xProj, B * 3 * H);
            KernelGuard.Length(hProj, B * 3 * H);
            KernelGuard.Length(hPrev, B * H);
            KernelGuard.Length(gates, B * 3 * H);
            KernelGuard.Length(h, B * H);
        }

        [Conditional("DEBUG")]
        public static void GruCellBackward(
            ReadOnlySpan<float> gates, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh, int B, int H,
            ReadOnlySpan<float> dXProj, ReadOnlySpan<float> dHProj, ReadOnlySpan<float> dhPrev)
        {
            KernelGuard.Length(gates, B * 3 * H);
            KernelGuard.Length(hProj, B * 3 * H);
            KernelGuard.Length(hPrev, B * H);
            KernelGuard.Length(dh, B * H);
            KernelGuard.Length(dXProj, B * 3 * H);
            KernelGuard.Length(dHProj, B * 3 * H);
            KernelGuard.Length(dhPrev, B * H);
        }

        /// <summary>The reset-before GRU's forward parts: two [B,3H] inputs, a [B,H] input, [B,3H] gates and a [B,H] output.</summary>
        [Conditional("DEBUG")]
        public static void GruResetGates(
            ReadOnlySpan<float> xProj, ReadOnlySpan<float> hProj, ReadOnlySpan<float> hIn, int B, int H,
            ReadOnlySpan<float> gates, ReadOnlySpan<float> output, [CallerMemberName] string kernel = "")
        {
            KernelGuard.Length(xProj, B * 3 * H, kernel: kernel);
            KernelGuard.Length(hProj, B * 3 * H, kernel: kernel);
            KernelGuard.Length(hIn, B * H, kernel: kernel);
            KernelGuard.Length(gates, B * 3 * H, kernel: kernel);
            KernelGuard.Length(output, B * H, kernel: kernel);
        }

        [Conditional("DEBUG")]
        public static void GruResetBeforeCellBackward(
            ReadOnlySpan<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh, int B, int H,
            ReadOnlySpan<float> dGates, ReadOnlySpan<float> dhPrev)
        {
            KernelGuard.Length(gates, B * 3 * H);
            KernelGuard.Length(hPrev, B * H);
            KernelGuard.Length(dh, B * H);
            KernelGuard.Length(dGates, B * 3 * H);
            KernelGuard.Length(dhPrev, B * H);
        }

        [Conditional("DEBUG")]
        public static void GruResetGatesBackward(
            ReadOnlySpan<float> gates, ReadOnlySpan<float> hIn, int B, int H, ReadOnlySpan<float> dRh, ReadOnlySpan<float> dGates)
        {
            KernelGuard.Length(gates, B * 3 * H);
            KernelGuard.Length(hIn, B * H);
            KernelGuard.Length(dRh, B * H);
            KernelGuard.Length(dGates, B * 3 * H);
        }

        [Conditional("DEBUG")]
        public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, ReadOnlySpan<float> dA)
        {
            KernelGuard.Length(dY, y.Length);
            KernelGuard.Length(dA, y.Length);
        }

        [Conditional("DEBUG")]
        public static void Add(ReadOnlySpan<float> y, ReadOnlySpan<float> x) => KernelGuard.Length(y, x.Length);

        /// <summary>A row-wise kernel from x [rows, n] to y [rows, n] (<see cref="SoftMax"/>, <see cref="LogSoftMax"/>).</summary>
        [Conditional("DEBUG")]
        public static void Rows(ReadOnlySpan<float> x, int rows, int n, ReadOnlySpan<float> y, [CallerMemberName] string kernel = "")
        {
            KernelGuard.Length(x, rows * n, kernel: kernel);
            KernelGuard.Length(y, rows * n, kernel: kernel);
        }

        [Conditional("DEBUG")]
        public static void LogSumExp(ReadOnlySpan<float> x, int rows, int n, ReadOnlySpan<float> lse)
        {
            KernelGuard.Length(x, rows * n);
            KernelGuard.Length(lse, rows);
        }

        [Conditional("DEBUG")]
        public static void MaskedSoftMax(ReadOnlySpan<float> scores, ReadOnlySpan<float> mask, int rows, int n, ReadOnlySpan<float> y)
        {
            KernelGuard.Length(scores, rows * n);
            KernelGuard.RowsDividing(mask, rows, n);
            KernelGuard.Length(y, rows * n);
        }

        [Conditional("DEBUG")]
        public static void SoftMaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, int rows, int n, ReadOnlySpan<float> dX)
        {
            KernelGuard.Length(y, rows * n);
            KernelGuard.Length(dY, rows * n);
            KernelGuard.Length(dX, rows * n);
        }
    }
}
