// LearningRateScheduler: set the learning rate at the start of each epoch from a function of the epoch.
namespace LstmSharp.Callbacks;

/// <summary>Before each epoch sets the learning rate to <c>schedule(epoch from 0, current rate)</c>, as Keras's callback.</summary>
public sealed class LearningRateScheduler(Func<int, float, float> schedule) : Callback
{
    /// <inheritdoc />
    public override void OnEpochBegin(Model model, int epoch)
    {
        ArgumentNullException.ThrowIfNull(model);
        var optimizer = model.Optimizer!;
        optimizer.LearningRate = schedule(epoch - 1, optimizer.LearningRate);
    }
}
