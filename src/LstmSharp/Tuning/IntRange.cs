// IntRange: an integer hyper-parameter from min to max in steps (layers, look-back, units).
using System.Globalization;
using LstmSharp.Internals;

namespace LstmSharp.Tuning;

/// <summary>
/// An integer hyper-parameter taking <see cref="Min"/>, <see cref="Min"/>+<see cref="Step"/>, … up to at most
/// <see cref="Max"/>; grid search tries each, random search draws one uniformly.
/// </summary>
public sealed class IntRange : HyperParameter
{
    /// <summary>Creates the range <paramref name="min"/> … <paramref name="max"/> (inclusive) in steps of <paramref name="step"/>.</summary>
    public IntRange(string name, int min, int max, int step = 1)
        : base(name)
    {
        if (min > max) throw new ArgumentException($"IntRange '{name}' needs min ≤ max; received min {min}, max {max}.", nameof(max));
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, $"IntRange '{name}' needs a step ≥ 1; received {step}.");
        (Min, Max, Step) = (min, max, step);
    }

    /// <summary>The smallest value.</summary>
    public int Min { get; }

    /// <summary>The upper bound (reached when <c>max − min</c> is a multiple of the step).</summary>
    public int Max { get; }

    /// <summary>The distance between values.</summary>
    public int Step { get; }

    int Count => (int)(((long)Max - Min) / Step + 1);

    internal override long? GridCount => Count;

    /// <inheritdoc />
    public override bool IsDiscrete => true;

    /// <inheritdoc />
    public override IReadOnlyList<object> GridValues() => Enumerable.Range(0, Count).Select(i => (object)(Min + i * Step)).ToArray();

    internal override object Sample(Rng rng) => Min + rng.NextInt(Count) * Step;

    private protected override string Describe() => Step == 1
        ? string.Create(CultureInfo.InvariantCulture, $"{Min}..{Max}")
        : string.Create(CultureInfo.InvariantCulture, $"{Min}..{Max} step {Step}");
}
