// AnnealStrategy: how OneCycle moves between two values over a phase.
namespace LstmSharp.Optimizers;

/// <summary>The curve of a <see cref="OneCycle"/> phase from its start value a to its end value b, at fraction p of the phase.</summary>
public enum AnnealStrategy
{
    /// <summary><c>b + (a − b)/2 · (1 + cos(π·p))</c> (PyTorch's <c>"cos"</c>, the default).</summary>
    Cosine,

    /// <summary><c>a + (b − a)·p</c> (PyTorch's <c>"linear"</c>).</summary>
    Linear,
}
