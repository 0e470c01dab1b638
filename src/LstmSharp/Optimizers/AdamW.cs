// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019).
namespace LstmSharp.Optimizers;

/// <summary>
/// AdamW, as <c>torch.optim.AdamW</c> / Keras <c>AdamW</c>: first <c>w = w − lr·λ·w</c>, then the
/// <see cref="Adam"/> step. The lr of both is the parameter's (times its <see cref="Parameter.LearningRateMultiplier"/>),
/// so a multiplier scales the decay too, as a PyTorch parameter group's <c>lr</c> does. Defaults: lr 0.001, λ 0.004 (Keras), β1 0.9, β2 0.999, ε 1e-7.
/// </summary>
public sealed class AdamW : Optimizer
{
    readonly float _beta2, _epsilon;
    float _beta1;

    /// <summary>AdamW with the given step size, decoupled weight decay and Adam parameters.</summary>
    public AdamW(float learningRate = 0.001f, float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        if (!(weightDecay >= 0f)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"weightDecay must be ≥ 0; received {weightDecay}.");
        WeightDecay = weightDecay;
        var check = new Adam(learningRate, beta1, beta2, epsilon); // validates the Adam parameters
        (_beta1, _beta2, _epsilon) = (check.Beta1, check.Beta2, check.Epsilon);
    }

    /// <summary>Decoupled weight decay λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Decay of the first moment; a schedule with momentum (<see cref="OneCycle"/>) sets it every step, as in <see cref="Adam"/>.</summary>
    public float Beta1 => _beta1;

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 => _beta2;

    /// <summary>Added to the denominator for stability.</summary>
    public float Epsilon => _epsilon;

    /// <inheritdoc />
    protected override int SlotCount => 2;

    private protected override void SetMomentum(float momentum) => _beta1 = momentum;

    /// <inheritdoc />
    protected override void Update(Parameter parameter, float learningRate)
    {
        var w = parameter.Value.Span;
        var keep = 1f - learningRate * WeightDecay;
        for (var i = 0; i < w.Length; i++) w[i] *= keep;
        Adam.Step(w, parameter.Gradient.Span, Slot(parameter, 0), Slot(parameter, 1), learningRate, _beta1, _beta2, _epsilon, Steps(parameter));
    }
}
