// Tuner.Tensors: the common case — candidates are models trained on tensors x, y; each fold fits on its
// training samples with early stopping on its validation samples; the best candidate is retrained on all the data.
using System.Globalization;
using LstmSharp.Callbacks;
using LstmSharp.Data;

namespace LstmSharp.Tuning;

public sealed partial class Tuner
{
    /// <summary>
    /// Scores every candidate on every fold of samples <paramref name="x"/> <c>[samples, …]</c>,
    /// <paramref name="y"/> <c>[samples, …]</c>. For each fold, <paramref name="buildModel"/> builds and compiles a
    /// fresh model for the candidate, which is fitted on the fold's training samples with
    /// <paramref name="fitOptions"/> (epochs, batch size, seed, callbacks, …) while <see cref="SearchOptions.Metric"/>
    /// is logged on the fold's validation samples; <see cref="SearchOptions.EarlyStoppingPatience"/> stops it early.
    /// The fold's score is the metric at the best epoch. Training that diverges (a NaN or infinite loss) fails the
    /// candidate. Per-sample <see cref="FitOptions.SampleWeights"/> and <see cref="FitOptions.Lengths"/> are split
    /// with the samples; the fit options must leave validation data, validation split and resuming to the tuner.
    /// </summary>
    public SearchResult Search(Tensor x, Tensor y, IReadOnlyList<Fold> folds, Func<HyperParameters, Model> buildModel, Func<HyperParameters, FitOptions> fitOptions)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(folds);
        ArgumentNullException.ThrowIfNull(buildModel);
        ArgumentNullException.ThrowIfNull(fitOptions);
        if (x.Rank == 0 || y.Rank == 0 || x.Dim(0) != y.Dim(0))
            throw new ArgumentException($"Inputs and targets need the same number of samples; received inputs [{Tensor.FormatShape(x.Shape)}] and targets [{Tensor.FormatShape(y.Shape)}].", nameof(y));
        if (!Options.Metric.StartsWith("val_", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The search scores candidates on each fold's validation samples, so Metric must be a validation log entry such as val_loss or val_accuracy; received '{Options.Metric}'.",
                nameof(x));
        }
        var samples = x.Dim(0);
        for (var f = 0; f < folds.Count; f++)
        {
            foreach (var index in folds[f].Train.Concat(folds[f].Validation))
            {
                if ((uint)index >= (uint)samples)
                    throw new ArgumentException($"Fold {f + 1} holds sample {index}, but the data has samples 0 … {samples - 1}.", nameof(folds));
            }
            if (folds[f].Train.Length == 0 || folds[f].Validation.Length == 0)
                throw new ArgumentException($"Fold {f + 1} has {folds[f].Train.Length} training and {folds[f].Validation.Length} validation samples; both need at least one.", nameof(folds));
        }
        return Search(folds, (candidate, fold, _) => FitFold(x, y, fold, buildModel(candidate) ?? throw new InvalidOperationException("buildModel returned null."),
            fitOptions(candidate) ?? throw new InvalidOperationException("fitOptions returned null.")));
    }

    /// <summary>
    /// Builds the best candidate of <paramref name="result"/> with <paramref name="buildModel"/> and fits it on all of
    /// <paramref name="x"/>, <paramref name="y"/> (scikit-learn's refit): for the mean of its folds' best epochs when
    /// known, otherwise for the epochs of <paramref name="fitOptions"/>. Returns the trained model.
    /// </summary>
    public static TModel RetrainBest<TModel>(SearchResult result, Tensor x, Tensor y, Func<HyperParameters, TModel> buildModel, Func<HyperParameters, FitOptions> fitOptions)
        where TModel : Model
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(buildModel);
        ArgumentNullException.ThrowIfNull(fitOptions);
        var best = result.Best;
        var model = buildModel(best.HyperParameters) ?? throw new InvalidOperationException("buildModel returned null.");
        var options = fitOptions(best.HyperParameters) ?? throw new InvalidOperationException("fitOptions returned null.");
        if (best.MeanBestEpoch is { } epochs) options = options with { Epochs = epochs };
        model.Fit(x, y, options);
        return model;
    }

    FoldScore FitFold(Tensor x, Tensor y, Fold fold, Model model, FitOptions options)
    {
        if (options.ValidationData is not null || options.ValidationSplit != 0f || options.ResumeFrom is not null)
        {
            throw new ArgumentException(
                "The tuner validates on each fold's validation samples; leave FitOptions.ValidationData, ValidationSplit and ResumeFrom unset.", nameof(options));
        }
        var nan = new TerminateOnNaN();
        List<Callback> callbacks = [.. options.Callbacks, nan];
        if (Options.EarlyStoppingPatience is { } patience) callbacks.Add(new EarlyStopping(Options.Metric, patience, mode: Options.Mode));
        var history = model.Fit(Samples.Gather(x, fold.Train), Samples.Gather(y, fold.Train), options with
        {
            ValidationData = (Samples.Gather(x, fold.Validation), Samples.Gather(y, fold.Validation)),
            Callbacks = callbacks,
            SampleWeights = options.SampleWeights is { } w ? Samples.Gather(w, fold.Train) : null,
            Lengths = options.Lengths is { } lengths ? Samples.Gather(lengths, fold.Train) : null,
            ValidationLengths = options.Lengths is { } all ? Samples.Gather(all, fold.Validation) : null,
        });
        if (nan.StoppedAtBatch > 0)
        {
            throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
                $"training diverged: the loss became {history.Loss[^1]} in epoch {history.Epochs}, batch {nan.StoppedAtBatch}."));
        }
        var monitor = new Callbacks.Monitor(Options.Metric, Options.Mode, 0f);
        var values = history[Options.Metric];
        var bestEpoch = 0;
        for (var e = 0; e < values.Count; e++)
        {
            if (monitor.Improves(values[e])) bestEpoch = e + 1;
        }
        return bestEpoch > 0
            ? new FoldScore(values[bestEpoch - 1], bestEpoch)
            : throw new TrainingDivergedException($"{Options.Metric} was never finite (last {values[^1]}).");
    }
}
