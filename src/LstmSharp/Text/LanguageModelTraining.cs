// LanguageModelTraining: how LanguageModel.Train runs — epochs, a time budget, where the best epoch's model goes,
// progress and callbacks — and what it reports per epoch and at the end.
using LstmSharp.Callbacks;

namespace LstmSharp.Text;

/// <summary>Options of <see cref="LanguageModel.Train"/>.</summary>
public sealed record LanguageModelTraining
{
    /// <summary>Most epochs. Default 20.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Stop once this much time has passed (the epoch in progress is cut short, then validated). Default null (no limit).</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Save the model here (atomically, with its vocabulary) after every epoch whose validation loss is the best so far. Default null.</summary>
    public string? BestModelPath { get; init; }

    /// <summary>Receives a report after every batch and every epoch (samples are streams: × <see cref="LanguageModel.Steps"/> for tokens).</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>More callbacks, run after the library's own (learning-rate decay, time budget, best epoch).</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];

    /// <summary>Called after every epoch, once it is validated (and saved when it improved).</summary>
    public Action<LanguageModelEpoch>? EpochEnd { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Internals.Guard.Option(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Internals.Guard.Option(MaxDuration is null || MaxDuration > TimeSpan.Zero, nameof(MaxDuration), (object?)MaxDuration ?? "null", "positive, or null for no limit");
    }
}

/// <summary>One trained and validated epoch of <see cref="LanguageModel.Train"/>; losses in nats per token.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainingLoss">Mean cross-entropy over the epoch's training batches.</param>
/// <param name="ValidationLoss">Mean cross-entropy over the validation text.</param>
/// <param name="Improved">True when this is the best validation loss so far (and the model was saved, given a path).</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record LanguageModelEpoch(int Epoch, double TrainingLoss, double ValidationLoss, bool Improved, TimeSpan Elapsed);

/// <summary>What <see cref="LanguageModel.Train"/> did.</summary>
/// <param name="History">The logs of every epoch (<c>loss</c>, <c>val_loss</c>, <c>lr</c>).</param>
/// <param name="BestEpoch">The epoch with the lowest validation loss (0 if none ran).</param>
/// <param name="BestValidationLoss">Its validation loss, nats per token.</param>
/// <param name="OutOfTime">True when <see cref="LanguageModelTraining.MaxDuration"/> ended training.</param>
public sealed record LanguageModelRun(History History, int BestEpoch, double BestValidationLoss, bool OutOfTime);
