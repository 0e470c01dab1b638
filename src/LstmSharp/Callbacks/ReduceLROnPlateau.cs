// ReduceLROnPlateau: multiply the learning rate by `factor` when a monitored quantity stalls (Keras's rules).
namespace LstmSharp.Callbacks;

/// <summary>
/// After <c>patience</c> epochs without an improvement of more than <c>minDelta</c> in <c>monitor</c>, sets the
/// learning rate to <c>max(lr·factor, minLearningRate)</c>, then waits <c>cooldown</c> epochs before counting again.
/// </summary>
public sealed class ReduceLROnPlateau(string monitor = "val_loss", float factor = 0.1f, int patience = 10, float minDelta = 1e-4f, int cooldown = 0, float minLearningRate = 0f, MonitorMode mode = MonitorMode.Auto) : Callback
{
    readonly Monitor _monitor = new(monitor, mode, Math.Abs(minDelta));
    readonly float _factor = factor is > 0f and < 1f ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor must be in (0, 1); received {factor}.");
    int _wait;
    int _cooldown;

    /// <inheritdoc />
    public override void OnTrainBegin(Model model)
    {
        _monitor.Reset();
        _wait = 0;
        _cooldown = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs)
    {
        ArgumentNullException.ThrowIfNull(model);
        var value = _monitor.Read(logs, nameof(ReduceLROnPlateau));
        if (_cooldown > 0) _cooldown--;
        if (_monitor.Improves(value))
        {
            _wait = 0;
            return;
        }
        if (_cooldown > 0 || ++_wait < patience) return;
        var optimizer = model.Optimizer!;
        var reduced = Math.Max(optimizer.LearningRate * _factor, minLearningRate);
        if (reduced < optimizer.LearningRate && reduced > 0f) optimizer.LearningRate = reduced;
        _cooldown = cooldown;
        _wait = 0;
    }
}
