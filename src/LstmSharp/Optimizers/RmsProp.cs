// RmsProp: divide the step by a running root-mean-square of recent gradients (Tieleman & Hinton 2012).
namespace LstmSharp.Optimizers;

/// <summary>
/// RMSprop, as Keras <c>RMSprop</c>:
/// <code>
/// v = ρ·v + (1 − ρ)·g²                 (centered: m = ρ·m + (1 − ρ)·g, denominator √(v − m²) + ε)
/// step = lr·g / (√v + ε)               (momentum μ: b = μ·b + step, w = w − b; else w = w − step)
/// </code>
/// Defaults: lr 0.001, ρ 0.9, μ 0, ε 1e-7.
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>RMSprop with the given step size, decay, momentum and centering.</summary>
    public RmsProp(float learningRate = 0.001f, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f, bool centered = false)
        : base(learningRate)
    {
        if (!(rho >= 0f && rho < 1f)) throw new ArgumentOutOfRangeException(nameof(rho), rho, $"rho must be in [0, 1); received {rho}.");
        if (!(momentum >= 0f && momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"momentum must be in [0, 1); received {momentum}.");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must be positive; received {epsilon}.");
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
        Centered = centered;
    }

    /// <summary>Decay of the running mean of squares.</summary>
    public float Rho { get; }

    /// <summary>Momentum factor (0 = none); a schedule with momentum (<see cref="OneCycle"/>) sets it every step.</summary>
    public float Momentum { get; private set; }

    /// <summary>Added to the denominator.</summary>
    public float Epsilon { get; }

    /// <summary>Normalise by the running variance instead of the running mean of squares.</summary>
    public bool Centered { get; }

    /// <inheritdoc />
    protected override int SlotCount => 3;

    private protected override void SetMomentum(float momentum) => Momentum = momentum;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, float learningRate)
    {
        var w = parameter.Value.Span;
        var g = parameter.Gradient.Span;
        var s = (V: Slot(parameter, 0), M: Centered ? Slot(parameter, 1) : null, B: Momentum > 0f ? Slot(parameter, 2) : null);
        for (var i = 0; i < w.Length; i++)
        {
            s.V[i] = Rho * s.V[i] + (1f - Rho) * g[i] * g[i];
            var denominator = s.V[i];
            if (s.M is { } m)
            {
                m[i] = Rho * m[i] + (1f - Rho) * g[i];
                denominator -= m[i] * m[i];
            }
            var step = learningRate * g[i] / (MathF.Sqrt(denominator) + Epsilon);
            if (s.B is { } b)
            {
                b[i] = Momentum * b[i] + step;
                step = b[i];
            }
            w[i] -= step;
        }
    }
}
