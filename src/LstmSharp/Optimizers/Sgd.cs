// Sgd: stochastic gradient descent with optional momentum and Nesterov momentum, PyTorch's update rule.
using System.Numerics.Tensors;
using LstmSharp.Internals;

namespace LstmSharp.Optimizers;

/// <summary>
/// Stochastic gradient descent, as <c>torch.optim.SGD</c>:
/// <code>
/// v = momentum·v + g            (v = g on the first step)
/// w = w − lr·(nesterov ? g + momentum·v : v)      (w = w − lr·g without momentum)
/// </code>
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>SGD with learning rate <paramref name="learningRate"/>, <paramref name="momentum"/> in [0, 1).</summary>
    public Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false)
        : base(learningRate)
    {
        Guard.Probability(momentum);
        if (nesterov && momentum == 0f)
            throw new ArgumentException("Nesterov momentum needs momentum > 0; received momentum 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>Momentum factor (0 = none); a schedule with momentum (<see cref="OneCycle"/>) sets it every step.</summary>
    public float Momentum { get; private set; }

    /// <summary>Use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    /// <remarks>One even without momentum, as a schedule may turn it on (the velocity is only made once it is used).</remarks>
    protected override int SlotCount => 1;

    private protected override void SetMomentum(float momentum) => Momentum = momentum;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, float learningRate)
    {
        var w = parameter.Value.Span;
        var g = parameter.Gradient.Span;
        if (Momentum == 0f)
        {
            TensorPrimitives.MultiplyAdd(g, -learningRate, w, w);
            return;
        }
        var v = Slot(parameter, 0);
        TensorPrimitives.MultiplyAdd(v, Momentum, g, v); // v = g on the first step, as v starts at 0
        if (Nesterov)
        {
            TensorPrimitives.MultiplyAdd(v, -learningRate * Momentum, w, w);
            TensorPrimitives.MultiplyAdd(g, -learningRate, w, w);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(v, -learningRate, w, w);
        }
    }
}
