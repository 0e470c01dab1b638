// ModelCheckpoint: keep the weights of the best (or latest) epoch in memory and, given a path, in a model file.
namespace LstmSharp.Callbacks;

/// <summary>
/// After each epoch copies the model's weights: with <c>saveBestOnly</c> only when <c>monitor</c> improves.
/// <see cref="Weights"/> holds the copy; <see cref="Restore"/> puts it back into a model. With a
/// <c>path</c> the model and its training state are also saved there (<see cref="Model.SaveCheckpoint"/>,
/// atomic, so an interrupted save leaves the previous checkpoint intact); <see cref="FitOptions.ResumeFrom"/>
/// continues from it.
/// </summary>
public sealed class ModelCheckpoint(string monitor = "val_loss", bool saveBestOnly = true, MonitorMode mode = MonitorMode.Auto, string? path = null) : Callback
{
    readonly Monitor _monitor = new(monitor, mode, 0f);

    /// <summary>The saved weights, by <c>layer.parameter</c> name, or null before the first save.</summary>
    public IReadOnlyDictionary<string, Tensor>? Weights { get; private set; }

    /// <summary>The epoch (from 1) whose weights are saved, or 0.</summary>
    public int Epoch { get; private set; }

    /// <summary>The monitored value at the saved epoch.</summary>
    public float Value { get; private set; } = float.NaN;

    /// <inheritdoc />
    public override void OnTrainBegin(Model model) => _monitor.Reset();

    /// <inheritdoc />
    public override void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs)
    {
        ArgumentNullException.ThrowIfNull(model);
        var value = _monitor.Read(logs, nameof(ModelCheckpoint));
        if (!_monitor.Improves(value) && saveBestOnly) return;
        Weights = model.GetWeights();
        Epoch = epoch;
        Value = value;
        if (path is not null) model.SaveCheckpoint(path);
    }

    /// <summary>Loads the saved weights into <paramref name="model"/>.</summary>
    public void Restore(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.SetWeights(Weights ?? throw new InvalidOperationException("ModelCheckpoint has saved nothing yet."));
    }
}
