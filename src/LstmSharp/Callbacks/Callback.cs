// Callback: hooks into Model.Fit(Tensor, Tensor, FitOptions?) at the start and end of training, of each epoch and of each batch.
namespace LstmSharp.Callbacks;

/// <summary>
/// Runs at points of <see cref="Model.Fit(Tensor, Tensor, FitOptions?)"/>. Epoch logs hold <c>loss</c>, each metric, <c>val_loss</c>
/// and <c>val_</c>-prefixed metrics when there is validation data, and <c>lr</c>. Set
/// <see cref="Model.StopTraining"/> to end training after the current epoch (or batch).
/// </summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(Model model) { }

    /// <summary>Before epoch <paramref name="epoch"/> (from 1).</summary>
    public virtual void OnEpochBegin(Model model, int epoch) { }

    /// <summary>After each training batch, with its loss.</summary>
    public virtual void OnBatchEnd(Model model, int batch, float loss) { }

    /// <summary>After epoch <paramref name="epoch"/> (from 1) with its logs.</summary>
    public virtual void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs) { }

    /// <summary>After the last epoch.</summary>
    public virtual void OnTrainEnd(Model model) { }
}
