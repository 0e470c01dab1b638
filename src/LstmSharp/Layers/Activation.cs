// Activation: the element-wise (softmax: row-wise) functions a Dense layer can apply.
namespace LstmSharp.Layers;

/// <summary>Output activation of a <see cref="Dense"/> layer.</summary>
public enum Activation
{
    /// <summary>Identity.</summary>
    Linear,
    /// <summary>max(0, x).</summary>
    Relu,
    /// <summary>tanh(x).</summary>
    Tanh,
    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,
    /// <summary>e^x / Σ e^x over the last axis.</summary>
    Softmax,
}
