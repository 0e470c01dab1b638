// Parameter: a named trainable tensor and its gradient, named and shaped as in PyTorch.
namespace LstmSharp;

/// <summary>A trainable tensor (PyTorch's name and shape) with its gradient buffer of the same shape.</summary>
public sealed class Parameter
{
    internal Parameter(string name, Tensor value)
    {
        Name = name;
        Value = value;
        Gradient = Tensor.Zeros(value.Shape.ToArray());
    }

    /// <summary>PyTorch's name, e.g. <c>weight_ih_l0</c>, <c>bias</c>, <c>weight</c>.</summary>
    public string Name { get; internal set; }

    /// <summary>The values; update them in place.</summary>
    public Tensor Value { get; }

    /// <summary>∂loss/∂value, accumulated by every backward pass until cleared.</summary>
    public Tensor Gradient { get; }

    /// <summary>
    /// Whether training updates it (PyTorch's <c>requires_grad</c>; set a whole layer's with <see cref="Layers.Layer.Trainable"/>).
    /// A frozen parameter still gets its gradient, but optimizers leave it, and its gradient, out of every step and clip.
    /// </summary>
    public bool Trainable { get; set; } = true;

    /// <summary>
    /// What every optimizer multiplies its learning rate by for this parameter (discriminative fine-tuning, ULMFiT; PyTorch's
    /// per-group <c>lr</c>): default 1, 0 leaves the parameter in place; set a whole layer's with
    /// <see cref="Layers.Layer.LearningRateMultiplier"/> and layer groups' with <see cref="Optimizers.Discriminative.Apply"/>.
    /// </summary>
    public float LearningRateMultiplier
    {
        get;
        set => field = CheckMultiplier(value);
    } = 1f;

    internal static float CheckMultiplier(float value, string name = nameof(LearningRateMultiplier)) => value >= 0f && float.IsFinite(value)
        ? value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0; received {value}.");

    /// <summary>The penalty added to the training loss for this parameter, if any.</summary>
    public Regularizer? Regularizer { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{Tensor.FormatShape(Value.Shape)}]";
}
