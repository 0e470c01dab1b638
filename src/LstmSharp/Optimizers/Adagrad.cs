// Adagrad: per-parameter step sizes that shrink with the sum of past squared gradients (Duchi et al. 2011).
namespace LstmSharp.Optimizers;

/// <summary>
/// Adagrad, as Keras <c>Adagrad</c>: <c>a = a + g²</c>, <c>w = w − lr·g / √(a + ε)</c>, with the accumulator
/// starting at 0.1. Defaults: lr 0.001, ε 1e-7.
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Adagrad with the given step size, initial accumulator and ε.</summary>
    public Adagrad(float learningRate = 0.001f, float initialAccumulator = 0.1f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        if (!(initialAccumulator >= 0f)) throw new ArgumentOutOfRangeException(nameof(initialAccumulator), initialAccumulator, "initialAccumulator must be ≥ 0.");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must be positive; received {epsilon}.");
        InitialAccumulator = initialAccumulator;
        Epsilon = epsilon;
    }

    /// <summary>Starting value of the sum of squares.</summary>
    public float InitialAccumulator { get; }

    /// <summary>Added inside the square root.</summary>
    public float Epsilon { get; }

    /// <inheritdoc />
    protected override int SlotCount => 1;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, float learningRate)
    {
        var w = parameter.Value.Span;
        var g = parameter.Gradient.Span;
        var a = Slot(parameter, 0, InitialAccumulator);
        for (var i = 0; i < w.Length; i++)
        {
            a[i] += g[i] * g[i];
            w[i] -= learningRate * g[i] / MathF.Sqrt(a[i] + Epsilon);
        }
    }
}
