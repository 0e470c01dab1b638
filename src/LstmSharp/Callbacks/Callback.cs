// Callback: hooks into Sequential.Fit at the start and end of training, of each epoch and of each batch.
namespace LstmSharp.Callbacks;

/// <summary>
/// Runs at points of <see cref="Sequential.Fit"/>. Epoch logs hold <c>loss</c>, each metric, <c>val_loss</c>
/// and <c>val_</c>-prefixed metrics when there is validation data, and <c>lr</c>. Set
/// <see cref="Sequential.StopTraining"/> to end training after the current epoch (or batch).
/// </summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(Sequential model) { }

    /// <summary>Before epoch <paramref name="epoch"/> (from 1).</summary>
    public virtual void OnEpochBegin(Sequential model, int epoch) { }

    /// <summary>After each training batch, with its loss.</summary>
    public virtual void OnBatchEnd(Sequential model, int batch, float loss) { }

    /// <summary>After epoch <paramref name="epoch"/> (from 1) with its logs.</summary>
    public virtual void OnEpochEnd(Sequential model, int epoch, IReadOnlyDictionary<string, float> logs) { }

    /// <summary>After the last epoch.</summary>
    public virtual void OnTrainEnd(Sequential model) { }
}
