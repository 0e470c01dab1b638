// Optimizer: the base of the update rules; each subclass's file shows its own rule.
namespace LstmSharp.Optimizers;

/// <summary>Updates parameters from their gradients. Subclasses keep their per-parameter state themselves.</summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer with step size <paramref name="learningRate"/>.</summary>
    protected Optimizer(float learningRate) => LearningRate = CheckLearningRate(learningRate);

    /// <summary>Step size; schedules change it between steps.</summary>
    public float LearningRate
    {
        get;
        set => field = CheckLearningRate(value);
    }

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>Updates every parameter from its gradient (gradients are left as they are).</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Iterations++;
        for (var i = 0; i < parameters.Count; i++) Update(parameters[i]);
    }

    /// <summary>Applies the rule to one parameter.</summary>
    protected abstract void Update(Parameter parameter);

    static float CheckLearningRate(float value) => value > 0f && float.IsFinite(value)
        ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"The learning rate must be a positive finite number; received {value}.");
}
