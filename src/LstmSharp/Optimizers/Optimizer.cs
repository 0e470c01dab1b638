// Optimizer: the base of the update rules (each subclass's file shows its own rule), plus what every rule
// shares: a learning rate or schedule, each parameter's learning-rate multiplier, and gradient clipping by global
// norm or by value.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace LstmSharp.Optimizers;

/// <summary>
/// Updates parameters from their gradients. Before the rule runs, gradients are clipped: by value to
/// [−<see cref="ClipValue"/>, <see cref="ClipValue"/>], then all together to a global L2 norm of at most
/// <see cref="GlobalClipNorm"/> (Pascanu et al. 2013). A <see cref="Schedule"/> sets the learning rate of each step
/// (and, with <see cref="OneCycle"/>, the momentum). Each parameter is stepped with <see cref="LearningRate"/> times its
/// <see cref="Parameter.LearningRateMultiplier"/> (discriminative fine-tuning; PyTorch's per-group <c>lr</c>), in every rule:
/// wherever a rule says lr, that product is meant, AdamW's decay term included.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer with step size <paramref name="learningRate"/>.</summary>
    protected Optimizer(float learningRate) => LearningRate = CheckLearningRate(learningRate);

    /// <summary>Step size; a <see cref="Schedule"/> or callback may change it between steps.</summary>
    public float LearningRate
    {
        get;
        set => field = CheckLearningRate(value);
    }

    /// <summary>
    /// Sets the learning rate of every step from the step number (0-based), overriding <see cref="LearningRate"/>; a schedule
    /// with a <see cref="LearningRateSchedule.Momentum"/> also sets the momentum (<see cref="Sgd.Momentum"/>,
    /// <see cref="RmsProp.Momentum"/>, Adam's and AdamW's β1), which <see cref="Adagrad"/> does not have.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Scale all gradients together so their global L2 norm is at most this (null = no clipping).</summary>
    public float? GlobalClipNorm
    {
        get;
        init => field = value is null or > 0f ? value : throw new ArgumentOutOfRangeException(nameof(GlobalClipNorm), value, "GlobalClipNorm must be positive.");
    }

    /// <summary>Clip every gradient element to [−v, v] (null = no clipping).</summary>
    public float? ClipValue
    {
        get;
        init => field = value is null or > 0f ? value : throw new ArgumentOutOfRangeException(nameof(ClipValue), value, "ClipValue must be positive.");
    }

    readonly Dictionary<Parameter, float[][]> _slots = [];

    /// <summary>Number of <see cref="Step"/> calls so far (the step number schedules see).</summary>
    public long Iterations { get; internal set; }

    readonly Dictionary<Parameter, long> _steps = [];

    /// <summary>
    /// How many steps have updated <paramref name="parameter"/>, this one included: <see cref="Iterations"/> for a parameter
    /// that was never frozen, fewer for one frozen for some steps (PyTorch's per-parameter <c>state["step"]</c>, which Adam's
    /// bias correction counts, so a layer unfrozen late starts its moments as a fresh one would).
    /// </summary>
    protected long Steps(Parameter parameter) => _steps.GetValueOrDefault(parameter);

    /// <summary>Every parameter's step count, for checkpoints.</summary>
    internal IEnumerable<(Parameter Parameter, long Steps)> ExportSteps() => _steps.Select(s => (s.Key, s.Value));

    /// <summary>Restores one parameter's step count from a checkpoint.</summary>
    internal void ImportSteps(Parameter parameter, long steps) => _steps[parameter] = steps;

    /// <summary>
    /// Per-parameter state number <paramref name="index"/> (moments, velocities, accumulators), created with
    /// <paramref name="initial"/> on first use. Kept here so checkpoints can save and restore every optimizer alike.
    /// </summary>
    protected float[] Slot(Parameter parameter, int index, float initial = 0f)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!_slots.TryGetValue(parameter, out var slots))
        {
            slots = new float[SlotCount][];
            _slots[parameter] = slots;
        }
        if (slots[index] is null)
        {
            slots[index] = new float[parameter.Value.Length];
            if (initial != 0f) Array.Fill(slots[index], initial);
        }
        return slots[index];
    }

    /// <summary>How many state arrays each parameter has (0 for plain SGD).</summary>
    protected virtual int SlotCount => 0;

    /// <summary>Every state array, for checkpoints.</summary>
    internal IEnumerable<(Parameter Parameter, int Index, float[] Values)> ExportSlots()
    {
        foreach (var (parameter, slots) in _slots)
            for (var i = 0; i < slots.Length; i++)
                if (slots[i] is { } values) yield return (parameter, i, values);
    }

    /// <summary>Restores one state array from a checkpoint.</summary>
    internal void ImportSlot(Parameter parameter, int index, float[] values)
    {
        if ((uint)index >= (uint)SlotCount || values.Length != parameter.Value.Length)
            throw new InvalidDataException($"Optimizer state {index} of '{parameter.Name}' does not fit {GetType().Name} ({values.Length} values for {parameter.Value.Length}).");
        Slot(parameter, index);
        _slots[parameter][index] = values;
    }

    /// <summary>The global gradient norm seen by the last step, before clipping.</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>Clips the gradients, then updates every trainable parameter from its gradient (frozen ones are left out of both).</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (Schedule is not null)
        {
            LearningRate = Schedule.Rate(Iterations);
            if (Schedule.Momentum(Iterations) is { } momentum) SetMomentum(momentum);
        }
        Iterations++;
        if (ClipValue is { } clip)
        {
            for (var i = 0; i < parameters.Count; i++)
            {
                if (!parameters[i].Trainable) continue;
                var g = parameters[i].Gradient.Span;
                TensorPrimitives.Clamp(g, -clip, clip, g);
            }
        }
        double squares = 0;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!parameters[i].Trainable) continue;
            var g = parameters[i].Gradient.Span;
            squares += TensorPrimitives.Dot(g, g);
        }
        LastGradientNorm = (float)Math.Sqrt(squares);
        if (GlobalClipNorm is { } max && LastGradientNorm > max)
        {
            var scale = max / LastGradientNorm;
            for (var i = 0; i < parameters.Count; i++)
            {
                if (!parameters[i].Trainable) continue;
                var g = parameters[i].Gradient.Span;
                TensorPrimitives.Multiply(g, scale, g);
            }
        }
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!parameters[i].Trainable) continue;
            CollectionsMarshal.GetValueRefOrAddDefault(_steps, parameters[i], out _)++;
            Update(parameters[i], LearningRate * parameters[i].LearningRateMultiplier);
        }
    }

    /// <summary>
    /// Applies the rule to one parameter with step size <paramref name="learningRate"/> (<see cref="LearningRate"/> times the
    /// parameter's <see cref="Parameter.LearningRateMultiplier"/>, so 0 for a multiplier of 0); <see cref="Iterations"/> and
    /// <see cref="Steps"/> already count this step.
    /// </summary>
    protected abstract void Update(Parameter parameter, float learningRate);

    /// <summary>Sets the momentum (or β1) to the schedule's value for this step; rules without one refuse.</summary>
    private protected virtual void SetMomentum(float momentum) =>
        throw new InvalidOperationException($"{GetType().Name} has no momentum for its schedule ({Schedule!.GetType().Name}) to set; use Sgd, RmsProp, Adam or AdamW, or a schedule without momentum (OneCycle with cycleMomentum: false).");

    static float CheckLearningRate(float value) => value > 0f && float.IsFinite(value)
        ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"The learning rate must be a positive finite number; received {value}.");
}
