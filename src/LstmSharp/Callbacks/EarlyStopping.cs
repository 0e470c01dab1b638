// EarlyStopping: stop when a monitored quantity has not improved for `patience` epochs (Keras's rules).
namespace LstmSharp.Callbacks;

/// <summary>
/// Stops training when <c>monitor</c> has not improved by more than <c>minDelta</c> for <c>patience</c> epochs;
/// with <c>restoreBestWeights</c> the model ends with the weights of its best epoch.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 0, float minDelta = 0f, bool restoreBestWeights = false, MonitorMode mode = MonitorMode.Auto) : Callback
{
    readonly Monitor _monitor = new(monitor, mode, Math.Abs(minDelta));
    IReadOnlyDictionary<string, Tensor>? _bestWeights;
    int _wait;

    /// <summary>The epoch (from 1) at which training was stopped, or 0.</summary>
    public int StoppedEpoch { get; private set; }

    /// <summary>The epoch (from 1) with the best monitored value.</summary>
    public int BestEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(Model model)
    {
        _monitor.Reset();
        _wait = 0;
        _bestWeights = null;
        StoppedEpoch = 0;
        BestEpoch = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_monitor.Improves(_monitor.Read(logs, nameof(EarlyStopping))))
        {
            _wait = 0;
            BestEpoch = epoch;
            if (restoreBestWeights) _bestWeights = model.GetWeights();
            return;
        }
        if (++_wait >= Math.Max(1, patience))
        {
            StoppedEpoch = epoch;
            model.StopTraining = true;
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (restoreBestWeights && _bestWeights is not null) model.SetWeights(_bestWeights);
    }
}
