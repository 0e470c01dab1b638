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
public sealed class Sgd
{
    readonly Dictionary<Parameter, float[]> _velocity = [];

    /// <summary>SGD with learning rate <paramref name="learningRate"/>, <paramref name="momentum"/> in [0, 1).</summary>
    public Sgd(float learningRate, float momentum = 0f, bool nesterov = false)
    {
        if (!(learningRate > 0f) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"Learning rate must be a positive number; received {learningRate}.");
        Guard.Probability(momentum);
        if (nesterov && momentum == 0f)
            throw new ArgumentException("Nesterov momentum needs momentum > 0; received momentum 0.", nameof(nesterov));
        LearningRate = learningRate;
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>Step size.</summary>
    public float LearningRate { get; set; }

    /// <summary>Momentum factor (0 = none).</summary>
    public float Momentum { get; }

    /// <summary>Use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>Updates every parameter from its gradient (the gradients are left as they are).</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var w = p.Value.Span;
            var g = p.Gradient.Span;
            if (Momentum == 0f)
            {
                TensorPrimitives.MultiplyAdd(g, -LearningRate, w, w);
                continue;
            }
            if (!_velocity.TryGetValue(p, out var v))
            {
                v = g.ToArray();
                _velocity[p] = v;
            }
            else
            {
                TensorPrimitives.MultiplyAdd(v, Momentum, g, v);
            }
            if (Nesterov)
            {
                TensorPrimitives.MultiplyAdd(v, -LearningRate * Momentum, w, w);
                TensorPrimitives.MultiplyAdd(g, -LearningRate, w, w);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(v, -LearningRate, w, w);
            }
        }
    }
}
