// Guard: argument checks at the public boundary, with messages that give the value and the allowed range.
using System.Runtime.CompilerServices;

namespace LstmSharp.Internals;

static class Guard
{
    public static void InRange(int value, int min, int max, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be in [{min}, {max}]; received {value}.");
    }

    public static void Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be positive; received {value}.");
    }

    public static void Probability(float value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0f && value < 1f))
            throw new ArgumentOutOfRangeException(name, value, $"'{name}' must be in [0, 1); received {value}.");
    }

    /// <summary>Checks one field of an options record: the message names the field, the value and what is allowed.</summary>
    public static void Option(bool ok, string name, object value, string allowed)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} must be {allowed}; received {value}.");
    }
}
