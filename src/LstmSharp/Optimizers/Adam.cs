// Adam: adaptive moment estimation (Kingma & Ba 2015), with PyTorch's / Keras's bias correction.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LstmSharp.Optimizers;

/// <summary>
/// Adam, as <c>torch.optim.Adam</c> (L2-free) and Keras <c>Adam</c>:
/// <code>
/// m = β1·m + (1 − β1)·g        v = β2·v + (1 − β2)·g²
/// w = w − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
/// </code>
/// with t the parameter's own step count (<see cref="Optimizer.Steps"/>: a parameter frozen for a while starts from
/// t = 1 when unfrozen, as in PyTorch). Defaults: lr 0.001, β1 0.9, β2 0.999, ε 1e-7 (Keras; PyTorch uses 1e-8).
/// </summary>
public sealed class Adam : Optimizer
{
    /// <summary>Adam with the given step size and decay rates.</summary>
    public Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, $"beta1 must be in [0, 1); received {beta1}.");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, $"beta2 must be in [0, 1); received {beta2}.");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must be positive; received {epsilon}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>
    /// Decay of the first moment; a schedule with momentum (<see cref="OneCycle"/>) sets it every step, and the bias
    /// correction 1 − β1^t then uses the current β1, as PyTorch's does.
    /// </summary>
    public float Beta1 { get; private set; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public float Epsilon { get; }

    /// <inheritdoc />
    protected override int SlotCount => 2;

    private protected override void SetMomentum(float momentum) => Beta1 = momentum;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, float learningRate)
        => Step(parameter.Value.Span, parameter.Gradient.Span, Slot(parameter, 0), Slot(parameter, 1), learningRate, Beta1, Beta2, Epsilon, Steps(parameter));

    /// <summary>
    /// The Adam step at step number <paramref name="t"/> (from 1) on weights w with gradient g and moments m, v: in
    /// 256-bit vectors, each lane the same operations in the same order as <see cref="StepScalar"/> (no fused multiply-add;
    /// the square root and division are correctly rounded), so the result is bit for bit the scalar one.
    /// </summary>
    internal static void Step(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float learningRate, float beta1, float beta2, float epsilon, long t)
    {
        var (stepSize, vScale) = Corrections(learningRate, beta1, beta2, t);
        var i = 0;
        if (Vector256.IsHardwareAccelerated && w.Length >= Vector256<float>.Count)
        {
            if (g.Length != w.Length || m.Length != w.Length || v.Length != w.Length) throw new ArgumentException("The weights, gradient and moments differ in length.");
            var (b1, c1, b2, c2) = (Vector256.Create(beta1), Vector256.Create(1f - beta1), Vector256.Create(beta2), Vector256.Create(1f - beta2));
            var (step, scale, eps) = (Vector256.Create(stepSize), Vector256.Create(vScale), Vector256.Create(epsilon));
            ref var wr = ref MemoryMarshal.GetReference(w);
            ref var gr = ref MemoryMarshal.GetReference(g);
            ref var mr = ref MemoryMarshal.GetArrayDataReference(m);
            ref var vr = ref MemoryMarshal.GetArrayDataReference(v);
            for (; i <= w.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var gi = Vector256.LoadUnsafe(ref gr, (nuint)i);
                var mi = b1 * Vector256.LoadUnsafe(ref mr, (nuint)i) + c1 * gi;
                var vi = b2 * Vector256.LoadUnsafe(ref vr, (nuint)i) + c2 * gi * gi;
                mi.StoreUnsafe(ref mr, (nuint)i);
                vi.StoreUnsafe(ref vr, (nuint)i);
                (Vector256.LoadUnsafe(ref wr, (nuint)i) - step * mi / (Vector256.Sqrt(vi) * scale + eps)).StoreUnsafe(ref wr, (nuint)i);
            }
        }
        Scalar(w[i..], g[i..], m.AsSpan(i), v.AsSpan(i), stepSize, vScale, beta1, beta2, epsilon);
    }

    /// <summary>The reference: <see cref="Step"/> one element at a time.</summary>
    internal static void StepScalar(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float learningRate, float beta1, float beta2, float epsilon, long t)
    {
        var (stepSize, vScale) = Corrections(learningRate, beta1, beta2, t);
        Scalar(w, g, m, v, stepSize, vScale, beta1, beta2, epsilon);
    }

    /// <summary>The bias-corrected step size lr / (1 − β1^t) and the scale 1 / √(1 − β2^t) of √v.</summary>
    static (float StepSize, float VScale) Corrections(float learningRate, float beta1, float beta2, long t) =>
        ((float)(learningRate / (1 - Math.Pow(beta1, t))), (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, t))));

    static void Scalar(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize, float vScale, float beta1, float beta2, float epsilon)
    {
        for (var i = 0; i < w.Length; i++)
        {
            m[i] = beta1 * m[i] + (1f - beta1) * g[i];
            v[i] = beta2 * v[i] + (1f - beta2) * g[i] * g[i];
            w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) * vScale + epsilon);
        }
    }
}
