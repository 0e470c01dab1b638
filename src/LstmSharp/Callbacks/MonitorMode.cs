// MonitorMode: whether a monitored quantity should fall (losses, errors) or rise (accuracies).
namespace LstmSharp.Callbacks;

/// <summary>Direction of improvement of a monitored quantity.</summary>
public enum MonitorMode
{
    /// <summary>Rise for names containing "acc" (accuracy), fall otherwise — Keras's rule.</summary>
    Auto,
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>Tracks the best value of one log entry.</summary>
internal sealed class Monitor(string name, MonitorMode mode, float minDelta)
{
    readonly bool _higherIsBetter = mode == MonitorMode.Max || (mode == MonitorMode.Auto && name.Contains("acc", StringComparison.OrdinalIgnoreCase));

    public string Name { get; } = name;
    public bool HigherIsBetter => _higherIsBetter;
    public float Best { get; private set; } = float.NaN;

    /// <summary>The monitored value in <paramref name="logs"/>; a clear error when it is not logged.</summary>
    public float Read(IReadOnlyDictionary<string, float> logs, string owner) => logs.TryGetValue(Name, out var value)
        ? value
        : throw new InvalidOperationException(
            $"{owner} monitors '{Name}', which this training does not log; it logs: {string.Join(", ", logs.Keys)}. " +
            "Pass validation data (or a ValidationSplit) to monitor val_ quantities.");

    /// <summary>True (and the new best is kept) when <paramref name="value"/> beats the best by more than minDelta.</summary>
    public bool Improves(float value)
    {
        var better = float.IsNaN(Best) || (_higherIsBetter ? value - Best > minDelta : Best - value > minDelta);
        if (better && !float.IsNaN(value)) Best = value;
        return better && !float.IsNaN(value);
    }

    public void Reset() => Best = float.NaN;
}
