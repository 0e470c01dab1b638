// TerminateOnNaN: stop as soon as a batch's loss is NaN or infinite.
namespace LstmSharp.Callbacks;

/// <summary>Stops training at the first batch whose loss is NaN or infinite.</summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The batch (from 1, within its epoch) whose loss was not finite, or 0.</summary>
    public int StoppedAtBatch { get; private set; }

    /// <inheritdoc />
    public override void OnBatchEnd(Model model, int batch, float loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (float.IsFinite(loss)) return;
        StoppedAtBatch = batch;
        model.StopTraining = true;
    }
}
