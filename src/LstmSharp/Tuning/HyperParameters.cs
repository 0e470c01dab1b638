// HyperParameters: one candidate of a search — hyper-parameter names and their values, with typed getters.
using System.Globalization;

namespace LstmSharp.Tuning;

/// <summary>
/// One candidate configuration: each hyper-parameter's name and value, in the order of the search space.
/// Read values with <see cref="Get{T}"/> (the exact type of the space: int for <see cref="IntRange"/>, double for
/// <see cref="FloatRange"/>, T for <see cref="Choice{T}"/>), or the converting <see cref="GetInt"/>,
/// <see cref="GetFloat"/> and <see cref="GetDouble"/>. Two candidates are equal when names and values are.
/// </summary>
public sealed class HyperParameters : IEquatable<HyperParameters>
{
    readonly KeyValuePair<string, object>[] _values;

    /// <summary>A candidate with the given names and values (names distinct, values not null).</summary>
    public HyperParameters(IEnumerable<KeyValuePair<string, object>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values.ToArray();
        for (var i = 0; i < _values.Length; i++)
        {
            var (name, value) = _values[i];
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"Hyper-parameter {i} has no name.", nameof(values));
            if (value is null) throw new ArgumentException($"Hyper-parameter '{name}' has no value.", nameof(values));
            for (var j = 0; j < i; j++)
            {
                if (_values[j].Key == name) throw new ArgumentException($"Hyper-parameter '{name}' is given twice.", nameof(values));
            }
        }
    }

    /// <summary>The names, in the order of the search space.</summary>
    public IReadOnlyList<string> Names => _values.Select(v => v.Key).ToArray();

    /// <summary>Number of hyper-parameters.</summary>
    public int Count => _values.Length;

    /// <summary>The value of <paramref name="name"/>.</summary>
    public object this[string name] => _values[IndexOf(name)].Value;

    /// <summary>True when the candidate sets <paramref name="name"/>.</summary>
    public bool Contains(string name) => Array.FindIndex(_values, v => v.Key == name) >= 0;

    /// <summary>The value of <paramref name="name"/> as <typeparamref name="T"/>; it must be of that type.</summary>
    public T Get<T>(string name) => this[name] is T value
        ? value
        : throw new InvalidCastException($"Hyper-parameter '{name}' is {this[name].GetType().Name} {Format(this[name])}; requested {typeof(T).Name}.");

    /// <summary>The value of <paramref name="name"/>, an integer (int, long, short or byte that fits in an int).</summary>
    public int GetInt(string name) => this[name] switch
    {
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        short s => s,
        byte b => b,
        var other => throw new InvalidCastException($"Hyper-parameter '{name}' is {other.GetType().Name} {Format(other)}; expected an integer."),
    };

    /// <summary>The value of <paramref name="name"/>, any number, as a double.</summary>
    public double GetDouble(string name) => this[name] switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        decimal m => (double)m,
        var other => throw new InvalidCastException($"Hyper-parameter '{name}' is {other.GetType().Name} {Format(other)}; expected a number."),
    };

    /// <summary>The value of <paramref name="name"/>, any number, as a float (the models' precision).</summary>
    public float GetFloat(string name) => (float)GetDouble(name);

    /// <summary>The candidate as <c>name=value</c> pairs, e.g. <c>units=32, lr=0.01</c>.</summary>
    public override string ToString() => string.Join(", ", _values.Select(v => $"{v.Key}={Format(v.Value)}"));

    /// <inheritdoc />
    public bool Equals(HyperParameters? other) =>
        other is not null && other._values.Length == _values.Length &&
        _values.Zip(other._values).All(p => p.First.Key == p.Second.Key && p.First.Value.Equals(p.Second.Value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as HyperParameters);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (name, value) in _values)
        {
            hash.Add(name);
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    /// <summary>A value as a table shows it: numbers invariant, reals to 4 significant digits.</summary>
    internal static string Format(object? value) => value switch
    {
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    /// <summary>A value exactly, for CSV files (reals round-trip).</summary>
    internal static string FormatExact(object? value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        _ => Format(value),
    };

    int IndexOf(string name)
    {
        var index = Array.FindIndex(_values, v => v.Key == name);
        return index >= 0
            ? index
            : throw new KeyNotFoundException($"No hyper-parameter '{name}'; the candidate has: {string.Join(", ", _values.Select(v => v.Key))}.");
    }
}
