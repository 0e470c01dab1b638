// FitOptions: how Sequential.Fit trains, with Keras's defaults.
namespace LstmSharp;

/// <summary>Options of <see cref="Sequential.Fit"/>; defaults follow Keras.</summary>
public sealed record FitOptions
{
    /// <summary>Passes over the training data. Default 1.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per gradient step. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Shuffle the training samples before each epoch. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffling. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of the samples, taken from the end before any shuffling, held out for validation. Default 0.</summary>
    public float ValidationSplit { get; init; }

    /// <summary>Validation inputs and targets (instead of <see cref="ValidationSplit"/>).</summary>
    public (Tensor X, Tensor Y)? ValidationData { get; init; }

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<EpochResult>? Progress { get; init; }
}

/// <summary>What one epoch of <see cref="Sequential.Fit"/> reached.</summary>
/// <param name="Epoch">Epoch number, from 1.</param>
/// <param name="Epochs">Epochs requested.</param>
/// <param name="Loss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationLoss">Loss on the validation data, or null without validation.</param>
/// <param name="Elapsed">Time the epoch took.</param>
public sealed record EpochResult(int Epoch, int Epochs, float Loss, float? ValidationLoss, TimeSpan Elapsed);

/// <summary>Per-epoch results of a <see cref="Sequential.Fit"/> call.</summary>
public sealed class History
{
    readonly List<EpochResult> _epochs = [];

    /// <summary>Every epoch, in order.</summary>
    public IReadOnlyList<EpochResult> Epochs => _epochs;

    /// <summary>Training loss per epoch.</summary>
    public IReadOnlyList<float> Loss => _epochs.Select(e => e.Loss).ToArray();

    /// <summary>Validation loss per epoch (empty without validation).</summary>
    public IReadOnlyList<float> ValidationLoss => _epochs.Where(e => e.ValidationLoss.HasValue).Select(e => e.ValidationLoss!.Value).ToArray();

    internal void Add(EpochResult epoch) => _epochs.Add(epoch);
}
