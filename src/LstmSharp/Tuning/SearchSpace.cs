// SearchSpace: the named hyper-parameters of a search; the grid of all their combinations, or seeded random samples.
using LstmSharp.Internals;

namespace LstmSharp.Tuning;

/// <summary>
/// The hyper-parameters a search explores, each by name:
/// <code>
/// var space = new SearchSpace(
///     new Choice&lt;int&gt;("units", 8, 32),
///     new FloatRange("lr", 1e-4, 1e-1, log: true, steps: 4));
/// </code>
/// </summary>
public sealed class SearchSpace
{
    readonly HyperParameter[] _parameters;

    /// <summary>A space of <paramref name="parameters"/> (at least one, names distinct).</summary>
    public SearchSpace(params HyperParameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length == 0) throw new ArgumentException("A search space needs at least one hyper-parameter.", nameof(parameters));
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i] is null) throw new ArgumentException($"Hyper-parameter {i} is null.", nameof(parameters));
            for (var j = 0; j < i; j++)
            {
                if (parameters[j].Name == parameters[i].Name)
                    throw new ArgumentException($"Two hyper-parameters are named '{parameters[i].Name}' (numbers {j} and {i}); names must be distinct.", nameof(parameters));
            }
        }
        _parameters = (HyperParameter[])parameters.Clone();
    }

    /// <summary>The hyper-parameters, in order.</summary>
    public IReadOnlyList<HyperParameter> Parameters => _parameters;

    /// <summary>
    /// Number of grid combinations (the product of the parameters' grid sizes). Throws when a
    /// <see cref="FloatRange"/> has no steps, or when the product exceeds <see cref="int.MaxValue"/>.
    /// </summary>
    public int GridSize
    {
        get
        {
            long size = 1;
            foreach (var p in _parameters)
            {
                if (p.GridCount is not { } n)
                {
                    p.GridValues(); // throws, naming the parameter and the fix
                    return 0;
                }
                size *= n;
                if (size > int.MaxValue)
                    throw new InvalidOperationException($"The grid has more than {int.MaxValue} combinations; use random search or fewer values.");
            }
            return (int)size;
        }
    }

    /// <summary>
    /// Every combination of the parameters' grid values (the Cartesian product), the last parameter varying fastest.
    /// </summary>
    public IEnumerable<HyperParameters> Grid()
    {
        var size = GridSize;
        var values = _parameters.Select(p => p.GridValues()).ToArray();
        return Enumerable.Range(0, size).Select(index =>
        {
            var pairs = new KeyValuePair<string, object>[values.Length];
            for (var p = values.Length - 1; p >= 0; p--)
            {
                pairs[p] = new(_parameters[p].Name, values[p][index % values[p].Count]);
                index /= values[p].Count;
            }
            return new HyperParameters(pairs);
        });
    }

    /// <summary>
    /// <paramref name="count"/> different candidates drawn at random from generator seed <paramref name="seed"/>
    /// (the same seed gives the same list). When every parameter is discrete and the space has no more than
    /// <paramref name="count"/> combinations, all of them are returned, in a seeded random order.
    /// </summary>
    public IReadOnlyList<HyperParameters> Sample(int count, int seed)
    {
        Guard.Positive(count);
        var rng = new Rng(seed);
        if (_parameters.All(p => p.IsDiscrete) && DiscreteSize() <= count)
        {
            var all = Grid().ToArray();
            var order = Enumerable.Range(0, all.Length).ToArray();
            KFold.Permute(order, rng);
            return order.Select(i => all[i]).ToArray();
        }
        // More combinations than draws: redraw a repeated candidate (rare with a continuous range).
        var seen = new HashSet<HyperParameters>();
        var candidates = new List<HyperParameters>(count);
        while (candidates.Count < count)
        {
            var candidate = new HyperParameters(_parameters.Select(p => new KeyValuePair<string, object>(p.Name, p.Sample(rng))));
            if (seen.Add(candidate)) candidates.Add(candidate);
        }
        return candidates;
    }

    /// <summary>The number of combinations of an all-discrete space, saturating at <see cref="long.MaxValue"/>.</summary>
    long DiscreteSize()
    {
        long size = 1;
        foreach (var p in _parameters)
        {
            var n = p.GridCount ?? long.MaxValue;
            size = size > long.MaxValue / n ? long.MaxValue : size * n;
        }
        return size;
    }

    /// <inheritdoc />
    public override string ToString() => string.Join("; ", _parameters.Select(p => p.ToString()));
}
