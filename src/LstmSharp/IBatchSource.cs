// IBatchSource: batches that Fit and Evaluate pull one at a time — for data that is not one tensor per input
// (bucketed variable-length batches, truncated-BPTT streams, data generated on the fly).
namespace LstmSharp;

/// <summary>
/// A source of training or evaluation batches (Keras's <c>PyDataset</c>, PyTorch's <c>DataLoader</c>):
/// <see cref="Model.Fit(IBatchSource, FitOptions?)"/> calls <see cref="BeginEpoch"/> before each epoch and then
/// <see cref="GetBatch"/> for 0 … <see cref="BatchCount"/> − 1.
/// </summary>
public interface IBatchSource
{
    /// <summary>Batches per epoch.</summary>
    int BatchCount { get; }

    /// <summary>Called before epoch <paramref name="epoch"/> (from 1): shuffle, or rewind streams.</summary>
    void BeginEpoch(int epoch);

    /// <summary>Batch <paramref name="index"/> of the current epoch; its tensors may be buffers the next call reuses.</summary>
    Batch GetBatch(int index);
}

/// <summary>
/// One batch: a tensor per model input and a target per output, with optional padding masks <c>[batch, time]</c>
/// per input and row weights per output (see <see cref="Losses.Loss.Compute"/>).
/// </summary>
public sealed class Batch
{
    /// <summary>Creates a batch; the lists are kept, not copied, so a source can refill them.</summary>
    public Batch(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> targets, IReadOnlyList<Tensor?>? masks = null, IReadOnlyList<Tensor?>? sampleWeights = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Count == 0) throw new ArgumentException("A batch needs at least one input tensor.", nameof(inputs));
        Inputs = inputs;
        Targets = targets;
        Masks = masks;
        SampleWeights = sampleWeights;
    }

    /// <summary>One tensor per model input, <c>[batch, …]</c>.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>One target per model output, <c>[batch, …]</c>.</summary>
    public IReadOnlyList<Tensor> Targets { get; }

    /// <summary>A padding mask <c>[batch, time]</c> (or null) per input, or null for none.</summary>
    public IReadOnlyList<Tensor?>? Masks { get; }

    /// <summary>Row weights (or null) per output, or null for none.</summary>
    public IReadOnlyList<Tensor?>? SampleWeights { get; }

    /// <summary>Samples in the batch (the first input's batch axis).</summary>
    public int Size => Inputs[0].Dim(0);
}
