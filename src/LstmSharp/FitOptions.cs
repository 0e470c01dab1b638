// FitOptions: how Model.Fit trains, with Keras's defaults; and what it reports.
using LstmSharp.Callbacks;

namespace LstmSharp;

/// <summary>Options of <see cref="Model.Fit(Tensor, Tensor, FitOptions?)"/>; defaults follow Keras.</summary>
public sealed record FitOptions
{
    /// <summary>Passes over the training data. Default 1.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per gradient step. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Shuffle the training samples before each epoch. Default true. Set it to false for a stateful model
    /// (<see cref="Layers.RnnOptions.Stateful"/>), whose batches must keep the streams' order.
    /// </summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Zero the state of stateful recurrent layers (<see cref="Layers.RnnOptions.Stateful"/>) at the start of every
    /// epoch and before validation, so each epoch reads its streams from their beginning and validation streams do
    /// not continue training streams. Keras leaves this to a callback; we make it the default because truncated
    /// back-propagation through time wants it (as PyTorch's word-language-model example does). Layers that are not
    /// stateful are unaffected; checkpoints do not store the carried state, so with false a resumed run starts
    /// its epoch from zeros. Default true.
    /// </summary>
    public bool ResetStatesEachEpoch { get; init; } = true;

    /// <summary>Seed of the shuffling. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of the samples, taken from the end before any shuffling, held out for validation. Default 0.</summary>
    public float ValidationSplit { get; init; }

    /// <summary>
    /// Validation inputs and targets (instead of <see cref="ValidationSplit"/>): <c>(x, y)</c> for a one-input,
    /// one-output model, or <c>new ValidationData([x1, x2], [y1, y2])</c>.
    /// </summary>
    public ValidationData? ValidationData { get; init; }

    /// <summary>Validation batches (instead of <see cref="ValidationData"/>), e.g. for <see cref="Model.Fit(IBatchSource, FitOptions?)"/>.</summary>
    public IBatchSource? ValidationBatches { get; init; }

    /// <summary>Called at the start and end of training, epochs and batches.</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];

    /// <summary>
    /// A weight per training sample, <c>[samples]</c>, or per sample and step, <c>[samples, time]</c>, for
    /// per-step targets. Each sample's loss is multiplied by its weight; with several outputs the weights apply to
    /// every output without its own in <see cref="OutputSampleWeights"/>.
    /// </summary>
    public Tensor? SampleWeights { get; init; }

    /// <summary>Sample weights per output name, as Keras's <c>sample_weight={…}</c>.</summary>
    public IReadOnlyDictionary<string, Tensor>? OutputSampleWeights { get; init; }

    /// <summary>
    /// The real length of each training sample, <c>[samples]</c>: steps from that length on are padding, skipped by
    /// recurrent layers and left out of per-step losses and metrics (PyTorch's packed sequences). With several
    /// inputs it masks the first; token inputs mask themselves through <see cref="Layers.Embedding"/>.
    /// </summary>
    public Tensor? Lengths { get; init; }

    /// <summary>The real lengths of <see cref="ValidationData"/>'s samples.</summary>
    public Tensor? ValidationLengths { get; init; }

    /// <summary>A weight per class id (missing classes weigh 1), for imbalanced classification.</summary>
    public IReadOnlyDictionary<int, float>? ClassWeights { get; init; }

    /// <summary>
    /// Throw a <see cref="TrainingDivergedException"/> as soon as a batch's loss or gradient norm, or an epoch's
    /// validation loss, is NaN or infinite, or a batch's loss grows past 10⁶ times the first batch's (or 10⁶, if that
    /// is larger), naming the epoch and batch, instead of training on (Keras leaves this to its <c>TerminateOnNaN</c>
    /// callback). Default false.
    /// </summary>
    public bool ThrowOnDivergence { get; init; }

    /// <summary>
    /// Receives a report after every batch and every epoch, on the thread that runs Fit. Default none: the library
    /// writes nothing by itself; <c>new ConsoleProgress()</c> prints Keras's line per epoch.
    /// </summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>
    /// Scores computed after every epoch (after validation) and added to the epoch's logs before the callbacks and
    /// the history see them — e.g. a translator's <c>val_bleu</c>, which <see cref="Callbacks.EarlyStopping"/> can then monitor.
    /// </summary>
    public Func<Model, IReadOnlyDictionary<string, float>>? EpochScores { get; init; }

    /// <summary>
    /// A checkpoint (<see cref="Model.SaveCheckpoint"/>, or <c>ModelCheckpoint</c> with a path) to continue
    /// from: weights, optimizer state, learning rate, sample order and random generators are restored and
    /// training goes on with the epoch after the saved one, so the result equals an uninterrupted run with the
    /// same options and data. Callbacks start afresh.
    /// </summary>
    public string? ResumeFrom { get; init; }
}

/// <summary>A progress report of <see cref="Model.Fit(Tensor, Tensor, FitOptions?)"/>, after a batch or at the end of an epoch.</summary>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="Epochs">Epochs requested.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="SamplesPerSecond">Training throughput so far in this epoch.</param>
/// <param name="EpochRemaining">Estimated time to the end of this epoch.</param>
/// <param name="Logs">Running mean loss and metrics (after a batch) or the epoch's logs (at its end).</param>
/// <param name="EpochEnd">True for the report that closes an epoch.</param>
/// <param name="Elapsed">Time since the epoch began (at its end: training, validation and <see cref="FitOptions.EpochScores"/>).</param>
public sealed record FitProgress(int Epoch, int Epochs, int Batch, int Batches, double SamplesPerSecond, TimeSpan EpochRemaining,
    IReadOnlyDictionary<string, float> Logs, bool EpochEnd, TimeSpan Elapsed = default);

/// <summary>The logs of every epoch of a <see cref="Model.Fit(Tensor, Tensor, FitOptions?)"/> call.</summary>
public sealed class History
{
    readonly Dictionary<string, List<float>> _values = [];

    /// <summary>Epochs run.</summary>
    public int Epochs { get; private set; }

    /// <summary>The names logged: <c>loss</c>, metrics, <c>val_</c> entries, <c>lr</c>.</summary>
    public IReadOnlyCollection<string> Keys => _values.Keys;

    /// <summary>The value of <paramref name="key"/> in each epoch.</summary>
    public IReadOnlyList<float> this[string key] => _values.TryGetValue(key, out var v)
        ? v
        : throw new KeyNotFoundException($"History has no '{key}'; it has: {string.Join(", ", _values.Keys)}.");

    /// <summary>Training loss per epoch.</summary>
    public IReadOnlyList<float> Loss => this["loss"];

    /// <summary>Validation loss per epoch (empty without validation).</summary>
    public IReadOnlyList<float> ValidationLoss => _values.TryGetValue("val_loss", out var v) ? v : [];

    internal void Add(IReadOnlyDictionary<string, float> logs)
    {
        foreach (var (key, value) in logs)
        {
            if (!_values.TryGetValue(key, out var list)) _values[key] = list = [];
            list.Add(value);
        }
        Epochs++;
    }
}

/// <summary>Validation inputs (one per model input) and targets (one per output).</summary>
/// <param name="X">One tensor per input, <c>[samples, …]</c>.</param>
/// <param name="Y">One target per output, <c>[samples, …]</c>.</param>
public sealed record ValidationData(IReadOnlyList<Tensor> X, IReadOnlyList<Tensor> Y)
{
    /// <summary>The validation data of a one-input, one-output model.</summary>
    public static implicit operator ValidationData((Tensor X, Tensor Y) data) => new([data.X], [data.Y]);
}
