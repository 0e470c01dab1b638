// Choice: a hyper-parameter that takes one of a list of values (units, optimizer names, batch sizes, …).
using LstmSharp.Internals;

namespace LstmSharp.Tuning;

/// <summary>A hyper-parameter taking one of <see cref="Values"/>, e.g. <c>new Choice&lt;int&gt;("units", 16, 32, 64)</c>.</summary>
/// <typeparam name="T">The type of the values; <see cref="HyperParameters.Get{T}"/> returns it.</typeparam>
public sealed class Choice<T> : HyperParameter
    where T : notnull
{
    readonly T[] _values;

    /// <summary>Creates a choice among <paramref name="values"/> (at least one, all different).</summary>
    public Choice(string name, params T[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) throw new ArgumentException($"Choice '{name}' needs at least one value; received none.", nameof(values));
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is null) throw new ArgumentException($"Choice '{name}': value {i} is null.", nameof(values));
            for (var j = 0; j < i; j++)
            {
                if (EqualityComparer<T>.Default.Equals(values[i], values[j]))
                    throw new ArgumentException($"Choice '{name}' lists {HyperParameters.Format(values[i])} twice (values {j} and {i}).", nameof(values));
            }
        }
        _values = (T[])values.Clone();
    }

    /// <summary>The possible values, in order.</summary>
    public IReadOnlyList<T> Values => _values;

    /// <inheritdoc />
    public override bool IsDiscrete => true;

    /// <inheritdoc />
    public override IReadOnlyList<object> GridValues() => _values.Select(v => (object)v).ToArray();

    internal override long? GridCount => _values.Length;

    internal override object Sample(Rng rng) => _values[rng.NextInt(_values.Length)];

    private protected override string Describe() => "{" + string.Join(", ", _values.Select(v => HyperParameters.Format(v))) + "}";
}
