// FloatRange: a real hyper-parameter in an interval, sampled uniformly or log-uniformly (learning rates, dropout).
using System.Globalization;
using LstmSharp.Internals;

namespace LstmSharp.Tuning;

/// <summary>
/// A real hyper-parameter in [<see cref="Min"/>, <see cref="Max"/>]. Random search draws it uniformly, or
/// log-uniformly with <see cref="Log"/> (so 1e-4…1e-3 is as likely as 1e-2…1e-1, as learning rates need). Grid
/// search needs <see cref="Steps"/>: that many evenly spaced values from min to max (geometrically spaced with
/// <see cref="Log"/>). Values are <see cref="double"/>; <see cref="HyperParameters.GetFloat"/> gives them as float.
/// </summary>
public sealed class FloatRange : HyperParameter
{
    /// <summary>Creates the interval [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public FloatRange(string name, double min, double max, bool log = false, int? steps = null)
        : base(name)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min >= max)
            throw new ArgumentException($"FloatRange '{name}' needs finite min < max; received min {min}, max {max}.", nameof(max));
        if (log && min <= 0) throw new ArgumentOutOfRangeException(nameof(min), min, $"FloatRange '{name}' with log sampling needs min > 0; received {min}.");
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"FloatRange '{name}' needs at least 2 grid steps (min and max); received {steps}.");
        (Min, Max, Log, Steps) = (min, max, log, steps);
    }

    /// <summary>The lower end.</summary>
    public double Min { get; }

    /// <summary>The upper end.</summary>
    public double Max { get; }

    /// <summary>Sample (and space grid values) on a log scale.</summary>
    public bool Log { get; }

    /// <summary>Number of grid values from min to max, or null when only random search can use this range.</summary>
    public int? Steps { get; }

    /// <inheritdoc />
    public override bool IsDiscrete => false;

    /// <inheritdoc />
    public override IReadOnlyList<object> GridValues()
    {
        if (Steps is not { } steps)
        {
            throw new InvalidOperationException(
                $"FloatRange '{Name}' has no grid values: give it steps (e.g. new FloatRange(\"{Name}\", {Format(Min)}, {Format(Max)}, steps: 4)) " +
                "or use random search.");
        }
        var values = new object[steps];
        for (var i = 0; i < steps; i++)
        {
            var t = (double)i / (steps - 1);
            values[i] = i == 0 ? Min : i == steps - 1 ? Max
                : Log ? Math.Pow(10, Math.Log10(Min) + t * (Math.Log10(Max) - Math.Log10(Min)))
                : Min + t * (Max - Min);
        }
        return values;
    }

    internal override long? GridCount => Steps;

    internal override object Sample(Rng rng)
    {
        var u = rng.NextDouble();
        var value = Log ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))) : Min + u * (Max - Min);
        return Math.Clamp(value, Min, Max);
    }

    private protected override string Describe() => $"[{Format(Min)}, {Format(Max)}]" + (Log ? " log" : "") + (Steps is { } s ? string.Create(CultureInfo.InvariantCulture, $", {s} grid steps") : "");

    static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
