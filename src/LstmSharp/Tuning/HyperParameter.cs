// HyperParameter: one named dimension of a search space — the values a grid tries and how random search samples it.
using LstmSharp.Internals;

namespace LstmSharp.Tuning;

/// <summary>
/// A named hyper-parameter and its possible values: <see cref="Choice{T}"/> (a list), <see cref="IntRange"/>
/// (integers with a step) or <see cref="FloatRange"/> (a real interval, uniform or log-uniform).
/// </summary>
public abstract class HyperParameter
{
    private protected HyperParameter(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A hyper-parameter needs a name; received an empty one.", nameof(name));
        Name = name;
    }

    /// <summary>The name by which candidates give the value (<see cref="HyperParameters.Get{T}"/>).</summary>
    public string Name { get; }

    /// <summary>
    /// The values grid search tries, in order. Throws for a <see cref="FloatRange"/> without <c>steps</c>, whose
    /// values cannot be listed.
    /// </summary>
    public abstract IReadOnlyList<object> GridValues();

    /// <summary>True when <see cref="GridValues"/> lists every value random search can draw (lists and integer ranges).</summary>
    public abstract bool IsDiscrete { get; }

    /// <summary>Number of grid values, or null when they cannot be listed (a float range without steps).</summary>
    internal abstract long? GridCount { get; }

    /// <summary>One value drawn at random: uniformly from a list or range, log-uniformly from a log range.</summary>
    internal abstract object Sample(Rng rng);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Describe()}";

    /// <summary>The values in words, for <see cref="ToString"/>.</summary>
    private protected abstract string Describe();
}
