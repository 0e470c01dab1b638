// Model.Fit: the Keras workflow — Compile, Fit, Evaluate, Predict, TrainOnBatch — for any number of inputs and
// outputs (one loss per output, weighted, with its own metrics), over tensors or a batch source.
using System.Diagnostics;
using System.Numerics.Tensors;
using LstmSharp.Internals;
using LstmSharp.Losses;
using LstmSharp.Metrics;
using LstmSharp.Optimizers;

namespace LstmSharp;

public partial class Model
{
    Loss[] _losses = [];
    float[] _lossWeights = [];
    Metric[][] _outputMetrics = [];
    Tensor?[] _dPredicted = [];           // per output: ∂loss/∂predictions of the last batch
    Tensor?[] _maskedWeights = [];        // per output: loss weights with the padding mask folded in
    double[] _outputLoss = [];            // per output: the last batch's loss
    readonly Tensor[] _x1 = new Tensor[1], _y1 = new Tensor[1];
    readonly Tensor?[] _w1 = new Tensor?[1], _m1 = new Tensor?[1];
    TensorBatches? _fitData;              // during Fit on tensors: the shuffling and sample order checkpoints save
    int _fitEpoch;

    /// <summary>The optimizer set by <see cref="Compile(Optimizer, Loss, Metric[])"/>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss of the (first) output set by <c>Compile</c>.</summary>
    public Loss? Loss => _losses.Length == 0 ? null : _losses[0];

    /// <summary>The loss of each output, in the order of <see cref="Outputs"/>.</summary>
    public IReadOnlyList<Loss> Losses => _losses;

    /// <summary>The weight of each output's loss in the total (default 1).</summary>
    public IReadOnlyList<float> LossWeights => _lossWeights;

    /// <summary>The metrics of the (first) output set by <c>Compile</c>.</summary>
    public IReadOnlyList<Metric> Metrics => _outputMetrics.Length == 0 ? [] : _outputMetrics[0];

    /// <summary>The metrics of each output, in the order of <see cref="Outputs"/>.</summary>
    public IReadOnlyList<IReadOnlyList<Metric>> OutputMetrics => _outputMetrics;

    /// <summary>Set by a callback (or you) to end <see cref="Fit(Tensor, Tensor, FitOptions?)"/> after the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// Chooses how the model learns and what it reports beside the loss. <paramref name="loss"/> applies to every
    /// output; <paramref name="metrics"/> need a single-output model (give a model with several outputs its
    /// metrics per output with the other overload).
    /// </summary>
    public void Compile(Optimizer optimizer, Loss loss, params Metric[] metrics)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(metrics);
        if (_outputs.Length > 1 && metrics.Length > 0)
        {
            throw new ArgumentException(
                $"Model '{Name}' has {_outputs.Length} outputs ({OutputNames()}); give metrics per output with Compile(optimizer, losses, lossWeights, metrics).", nameof(metrics));
        }
        SetCompiled(optimizer, [.. _outputs.Select(_ => loss)], [.. _outputs.Select(_ => 1f)], [.. _outputs.Select((_, o) => o == 0 ? (Metric[])metrics.Clone() : [])]);
    }

    /// <summary>
    /// Chooses one loss per output, keyed by output name (<see cref="Symbol.Name"/>), as Keras's
    /// <c>compile(loss={…}, loss_weights={…}, metrics={…})</c>: the model minimises Σ weight·loss (weights default
    /// to 1); logs name each part <c>{output}_loss</c> and <c>{output}_{metric}</c>.
    /// </summary>
    public void Compile(Optimizer optimizer, IReadOnlyDictionary<string, Loss> losses, IReadOnlyDictionary<string, float>? lossWeights = null,
        IReadOnlyDictionary<string, Metric[]>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(losses);
        CheckOutputKeys(losses.Keys, nameof(losses));
        if (lossWeights is not null) CheckOutputKeys(lossWeights.Keys, nameof(lossWeights));
        if (metrics is not null) CheckOutputKeys(metrics.Keys, nameof(metrics));
        var missing = _outputs.Where(o => !losses.ContainsKey(o.Name)).Select(o => $"'{o.Name}'").ToArray();
        if (missing.Length > 0) throw new ArgumentException($"Every output needs a loss; none is given for {string.Join(", ", missing)}.", nameof(losses));
        SetCompiled(optimizer,
            [.. _outputs.Select(o => losses[o.Name] ?? throw new ArgumentException($"The loss of output '{o.Name}' is null.", nameof(losses)))],
            [.. _outputs.Select(o => lossWeights?.GetValueOrDefault(o.Name, 1f) ?? 1f)],
            [.. _outputs.Select(o => metrics?.GetValueOrDefault(o.Name) is { } m ? (Metric[])m.Clone() : [])]);
    }

    void CheckOutputKeys(IEnumerable<string> keys, string name)
    {
        foreach (var key in keys)
        {
            if (!_outputs.Any(o => o.Name == key))
                throw new ArgumentException($"Model '{Name}' has no output '{key}'; its outputs are {OutputNames()}.", name);
        }
    }

    string OutputNames() => string.Join(", ", _outputs.Select(o => $"'{o.Name}'"));

    void SetCompiled(Optimizer optimizer, Loss[] losses, float[] weights, Metric[][] metrics)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var w in weights)
            if (!(w >= 0f && float.IsFinite(w))) throw new ArgumentOutOfRangeException(nameof(weights), w, $"Loss weights must be finite and at least 0; received {w}.");
        var all = metrics.SelectMany(m => m).ToArray();
        if (all.Any(m => m is null)) throw new ArgumentException("A metric is null.", nameof(metrics));
        if (all.Distinct().Count() != all.Length) throw new ArgumentException("A metric object is given twice; each output needs its own instance (metrics accumulate).", nameof(metrics));
        for (var o = 0; o < metrics.Length; o++)
        {
            var names = metrics[o].Select(m => m.Name).ToArray();
            if (names.Distinct().Count() != names.Length || names.Contains("loss") || names.Contains("lr"))
                throw new ArgumentException($"Metric names must be distinct and not 'loss' or 'lr'; received: {string.Join(", ", names)}.", nameof(metrics));
        }
        Optimizer = optimizer;
        _losses = losses;
        _lossWeights = weights;
        _outputMetrics = metrics;
        _dPredicted = new Tensor?[_outputs.Length];
        _maskedWeights = new Tensor?[_outputs.Length];
        _outputLoss = new double[_outputs.Length];
    }

    /// <summary>
    /// One gradient step on one batch of a one-input, one-output model: returns the batch's loss (with
    /// regularisation penalties) before the step. <paramref name="rowWeights"/> weighs each row of the predictions
    /// (see <see cref="Losses.Loss.Compute"/>); <paramref name="mask"/> <c>[batch, time]</c> marks padded steps.
    /// Padded steps of per-step outputs count in neither the loss (which is the mean over real steps) nor the metrics.
    /// </summary>
    public float TrainOnBatch(Tensor x, Tensor y, Tensor? rowWeights = null, Tensor? mask = null)
    {
        (_x1[0], _y1[0], _w1[0], _m1[0]) = (x, y, rowWeights, mask);
        return TrainOnBatch(_x1, _y1, _w1, _m1);
    }

    /// <summary>
    /// One gradient step on one batch: <paramref name="x"/> one tensor per input, <paramref name="y"/> one target per
    /// output, optional row weights per output and masks per input. Returns Σ weight·loss (with regularisation
    /// penalties) before the step; each output's part is in the logs of <c>Fit</c>.
    /// </summary>
    public float TrainOnBatch(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, IReadOnlyList<Tensor?>? rowWeights = null, IReadOnlyList<Tensor?>? masks = null)
    {
        var optimizer = Compiled();
        CheckTargetCount(y, rowWeights);
        ZeroGradients();
        var predicted = Forward(x, training: true, masks);
        double value = 0;
        for (var o = 0; o < _outputs.Length; o++) value += _lossWeights[o] * OutputLoss(o, predicted[o], y[o], rowWeights?[o], scaleGradient: true);
        Backward(_dPredicted);
        var parameters = Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.Regularizer is { } r) value += r.Apply(p.Value.Span, p.Gradient.Span);
        }
        optimizer.Step(parameters);
        return (float)value;
    }

    /// <summary>Output <paramref name="o"/>'s loss on a batch: writes its gradient (times its weight) and updates its metrics.</summary>
    double OutputLoss(int o, Tensor predicted, Tensor target, Tensor? rowWeights, bool scaleGradient)
    {
        var dPredicted = Ensure(ref _dPredicted[o], predicted.Shape);
        var rowMask = RowMask(predicted, _outputMasks[o]);
        double value = _losses[o].Compute(predicted, target, dPredicted, MaskedWeights(o, predicted, rowWeights, rowMask));
        if (scaleGradient && _lossWeights[o] != 1f)
        {
            TensorPrimitives.Multiply(dPredicted.Span, _lossWeights[o], dPredicted.Span);
            _losses[o].ScaleParameterGradients(_lossWeights[o]);
        }
        var metrics = _outputMetrics[o];
        for (var i = 0; i < metrics.Length; i++) metrics[i].Update(predicted, target, rowMask);
        _outputLoss[o] = value;
        return value;
    }

    /// <summary>
    /// Trains a one-input, one-output model on <paramref name="x"/> <c>[samples, …]</c> and targets
    /// <paramref name="y"/> <c>[samples, …]</c> for <see cref="FitOptions.Epochs"/> epochs of mini-batches; returns
    /// the logs of every epoch.
    /// </summary>
    public History Fit(Tensor x, Tensor y, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Fit([x], [y], options);
    }

    /// <summary>
    /// Trains on one tensor per input <paramref name="x"/> and one target per output <paramref name="y"/> (all with
    /// the same samples) for <see cref="FitOptions.Epochs"/> epochs of mini-batches; returns the logs of every epoch
    /// (<c>loss</c>, and for several outputs <c>{output}_loss</c>, metrics <c>{output}_{metric}</c>, with
    /// <c>val_</c> versions on validation data).
    /// </summary>
    public History Fit(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, FitOptions? options = null)
    {
        options ??= new FitOptions();
        Compiled();
        Guard.Positive(options.Epochs);
        Guard.Positive(options.BatchSize);
        if (!(options.ValidationSplit >= 0f && options.ValidationSplit < 1f))
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationSplit, $"ValidationSplit must be in [0, 1); received {options.ValidationSplit}.");
        CheckData(x, y);
        var samples = x[0].Dim(0);
        var weights = SampleWeightsPerOutput(options, samples);
        if (options.ClassWeights is not null && _outputs.Length > 1)
            throw new ArgumentException($"ClassWeights need a single-output model; model '{Name}' has {_outputs.Length} outputs. Give per-output SampleWeights instead.", nameof(options));

        var mask = MaskFromLengths(x[0], options.Lengths, nameof(options));
        var validation = options.ValidationData;
        var validationLengths = options.ValidationLengths;
        var trainCount = samples;
        if (validation is null && options.ValidationSplit > 0f)
        {
            var held = (int)(samples * options.ValidationSplit);
            trainCount = samples - held;
            if (held == 0 || trainCount == 0)
                throw new ArgumentException($"ValidationSplit {options.ValidationSplit} of {samples} samples leaves {held} for validation and {trainCount} for training; both need at least one.", nameof(options));
            validation = new ValidationData([.. x.Select(t => t.Slice(trainCount, held))], [.. y.Select(t => t.Slice(trainCount, held))]);
            validationLengths = options.Lengths?.Slice(trainCount, held);
        }
        else if (validation is not null)
        {
            CheckData(validation.X, validation.Y);
        }
        if (validation is not null && options.ValidationBatches is not null)
            throw new ArgumentException("Give validation data either as tensors (ValidationData, ValidationSplit) or as ValidationBatches, not both.", nameof(options));

        var train = new TensorBatches(this, x, y, trainCount, options.BatchSize, options.Shuffle, new Rng(options.Seed), mask, weights, options.ClassWeights);
        var firstEpoch = options.ResumeFrom is { } resume ? RestoreCheckpoint(resume, train) + 1 : 1;
        var checkedValidation = validation is null ? options.ValidationBatches
            : TensorBatches.InOrder(this, validation.X, validation.Y, options.BatchSize, MaskFromLengths(validation.X[0], validationLengths, nameof(options)));
        _fitData = train;
        try
        {
            return FitLoop(train, checkedValidation, firstEpoch, options);
        }
        finally
        {
            _fitData = null;
        }
    }

    /// <summary>
    /// Trains on tensors keyed by input name and targets keyed by output name (<see cref="Symbol.Name"/>), as Keras's
    /// <c>fit({"title": …}, {"priority": …})</c>; otherwise as <see cref="Fit(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, FitOptions?)"/>.
    /// </summary>
    public History Fit(IReadOnlyDictionary<string, Tensor> x, IReadOnlyDictionary<string, Tensor> y, FitOptions? options = null)
        => Fit(ByName(x, _inputs, "input"), ByName(y, _outputs, "output"), options);

    /// <summary>The loss and metrics on tensors keyed by input name and targets keyed by output name.</summary>
    public IReadOnlyDictionary<string, float> Evaluate(IReadOnlyDictionary<string, Tensor> x, IReadOnlyDictionary<string, Tensor> y, int batchSize = 32, Tensor? lengths = null)
        => Evaluate(ByName(x, _inputs, "input"), ByName(y, _outputs, "output"), batchSize, lengths);

    /// <summary>The outputs, keyed by output name, for tensors keyed by input name.</summary>
    public IReadOnlyDictionary<string, Tensor> Predict(IReadOnlyDictionary<string, Tensor> x, int batchSize = 32, Tensor? lengths = null)
    {
        var outputs = Predict(ByName(x, _inputs, "input"), batchSize, lengths);
        return _outputs.Select((o, k) => (o.Name, outputs[k])).ToDictionary(p => p.Name, p => p.Item2);
    }

    /// <summary>The tensors of <paramref name="byName"/> in the order of <paramref name="symbols"/>; every name given once, none unknown.</summary>
    Tensor[] ByName(IReadOnlyDictionary<string, Tensor> byName, IReadOnlyList<Symbol> symbols, string what)
    {
        ArgumentNullException.ThrowIfNull(byName);
        var names = string.Join(", ", symbols.Select(s => $"'{s.Name}'"));
        foreach (var key in byName.Keys)
        {
            if (!symbols.Any(s => s.Name == key))
                throw new ArgumentException($"Model '{Name}' has no {what} '{key}'; its {what}s are {names}.", nameof(byName));
        }
        return [.. symbols.Select(s => byName.TryGetValue(s.Name, out var t) ? t : throw new ArgumentException($"No tensor is given for {what} '{s.Name}' (the {what}s are {names}).", nameof(byName)))];
    }

    /// <summary>
    /// Trains on the batches of <paramref name="batches"/> (an interface you implement, e.g. for bucketed
    /// variable-length batches or truncated-BPTT streams) for <see cref="FitOptions.Epochs"/> epochs, validating on
    /// <see cref="FitOptions.ValidationBatches"/> or <see cref="FitOptions.ValidationData"/>; returns the logs of
    /// every epoch. A checkpoint of such a run (<see cref="FitOptions.ResumeFrom"/>) restores weights, optimizer,
    /// epoch and layer random generators; the source keeps its own order.
    /// </summary>
    public History Fit(IBatchSource batches, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        options ??= new FitOptions();
        Compiled();
        Guard.Positive(options.Epochs);
        if (options.ValidationSplit != 0f)
            throw new ArgumentException("ValidationSplit needs tensors; give a batch source its validation as ValidationBatches or ValidationData.", nameof(options));
        if (options.SampleWeights is not null || options.OutputSampleWeights is not null || options.ClassWeights is not null || options.Lengths is not null)
            throw new ArgumentException("SampleWeights, OutputSampleWeights, ClassWeights and Lengths apply to tensors; a batch source gives each Batch its own masks and row weights.", nameof(options));
        var validation = options.ValidationBatches;
        if (options.ValidationData is { } data)
        {
            if (validation is not null) throw new ArgumentException("Give validation data either as ValidationData or as ValidationBatches, not both.", nameof(options));
            CheckData(data.X, data.Y);
            validation = TensorBatches.InOrder(this, data.X, data.Y, options.BatchSize, MaskFromLengths(data.X[0], options.ValidationLengths, nameof(options)));
        }
        var firstEpoch = options.ResumeFrom is { } resume ? RestoreCheckpoint(resume, null) + 1 : 1;
        return FitLoop(batches, validation, firstEpoch, options);
    }

    /// <summary>
    /// Ends a diverged run as any other ends — callbacks get <see cref="Callbacks.Callback.OnTrainEnd"/>, so early stopping
    /// restores its best (finite) weights and logs are closed — and returns the exception that says where.
    /// </summary>
    TrainingDivergedException Diverged(string where, FitOptions options)
    {
        foreach (var c in options.Callbacks) c.OnTrainEnd(this);
        return new TrainingDivergedException($"{where}; lower the learning rate or clip gradients.");
    }

    /// <summary>How many times its first value (or 1, if larger) a loss may grow before <see cref="FitOptions.ThrowOnDivergence"/> calls it diverged.</summary>
    const float DivergenceGrowth = 1e6f;

    History FitLoop(IBatchSource train, IBatchSource? validation, int firstEpoch, FitOptions options)
    {
        var optimizer = Optimizer!;
        var history = new History();
        var batches = train.BatchCount;
        if (batches <= 0) throw new ArgumentException($"The batch source has {batches} batches per epoch; it needs at least one.", nameof(train));
        var sums = new double[_outputs.Length];
        float? firstLoss = null;
        StopTraining = false;
        foreach (var c in options.Callbacks) c.OnTrainBegin(this);
        for (var epoch = firstEpoch; epoch <= options.Epochs && !StopTraining; epoch++)
        {
            _fitEpoch = epoch;
            if (options.ResetStatesEachEpoch) ResetStates();
            foreach (var c in options.Callbacks) c.OnEpochBegin(this, epoch);
            var clock = Stopwatch.StartNew();
            train.BeginEpoch(epoch);
            ResetMetrics();
            double sum = 0;
            Array.Clear(sums);
            var seen = 0;
            for (var b = 0; b < batches && !StopTraining; b++)
            {
                var batch = train.GetBatch(b);
                var batchLoss = TrainOnBatch(batch.Inputs, batch.Targets, batch.SampleWeights, batch.Masks);
                if (options.ThrowOnDivergence && !float.IsFinite(batchLoss))
                    throw Diverged($"The loss became {batchLoss} at batch {b + 1} of epoch {epoch}", options);
                if (firstLoss is null) firstLoss = batchLoss;
                else if (options.ThrowOnDivergence && batchLoss > DivergenceGrowth * Math.Max(firstLoss.Value, 1f))
                    throw Diverged($"The loss grew to {batchLoss} at batch {b + 1} of epoch {epoch}, over {DivergenceGrowth:0e0} times its first value ({firstLoss})", options);
                if (options.ThrowOnDivergence && !float.IsFinite(optimizer.LastGradientNorm))
                    throw Diverged($"The gradient norm became {optimizer.LastGradientNorm} at batch {b + 1} of epoch {epoch}", options);
                var size = batch.Size;
                sum += (double)batchLoss * size;
                for (var o = 0; o < sums.Length; o++) sums[o] += _outputLoss[o] * size;
                seen += size;
                foreach (var c in options.Callbacks) c.OnBatchEnd(this, b + 1, batchLoss);
                if (options.Progress is { } progress)
                {
                    var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    progress.Report(new FitProgress(epoch, options.Epochs, b + 1, batches, seen / seconds,
                        TimeSpan.FromSeconds(seconds * (batches - b - 1) / (b + 1)), Logs("", sum / seen, sums, seen), EpochEnd: false, clock.Elapsed));
                }
            }
            var logs = Logs("", sum / Math.Max(seen, 1), sums, Math.Max(seen, 1));
            if (validation is not null)
            {
                if (options.ResetStatesEachEpoch) ResetStates();
                foreach (var (key, value) in Evaluate(validation)) logs["val_" + key] = value;
                if (options.ThrowOnDivergence && logs.TryGetValue("val_loss", out var validationLoss) && !float.IsFinite(validationLoss))
                    throw Diverged($"The validation loss became {validationLoss} after epoch {epoch} (the last batch's step left the weights non-finite)", options);
            }
            if (options.EpochScores is { } scores)
                foreach (var (key, value) in scores(this)) logs[key] = value;
            logs["lr"] = optimizer.LearningRate;
            history.Add(logs);
            foreach (var c in options.Callbacks) c.OnEpochEnd(this, epoch, logs);
            options.Progress?.Report(new FitProgress(epoch, options.Epochs, batches, batches, seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), TimeSpan.Zero, logs, EpochEnd: true, clock.Elapsed));
        }
        foreach (var c in options.Callbacks) c.OnTrainEnd(this);
        _fitEpoch = 0;
        return history;
    }

    /// <summary>
    /// The loss and metrics of a one-input, one-output model on <paramref name="x"/>, <paramref name="y"/>, in
    /// batches, without training; <paramref name="lengths"/> <c>[samples]</c> gives each sample's real length (the
    /// rest is padding). Stateful layers continue from their current state (call <see cref="ResetStates"/> first to
    /// start afresh).
    /// </summary>
    public IReadOnlyDictionary<string, float> Evaluate(Tensor x, Tensor y, int batchSize = 32, Tensor? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Evaluate([x], [y], batchSize, lengths);
    }

    /// <summary>
    /// The loss and metrics on one tensor per input and one target per output, in batches, without training;
    /// <paramref name="lengths"/> gives the real lengths of the first input's samples.
    /// </summary>
    public IReadOnlyDictionary<string, float> Evaluate(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize = 32, Tensor? lengths = null)
    {
        Compiled();
        Guard.Positive(batchSize);
        CheckData(x, y);
        return Evaluate(TensorBatches.InOrder(this, x, y, batchSize, MaskFromLengths(x[0], lengths, nameof(lengths))));
    }

    /// <summary>The loss and metrics over every batch of <paramref name="batches"/>, without training.</summary>
    public IReadOnlyDictionary<string, float> Evaluate(IBatchSource batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        Compiled();
        ResetMetrics();
        var sums = new double[_outputs.Length];
        double sum = 0;
        var samples = 0;
        batches.BeginEpoch(1);
        for (var b = 0; b < batches.BatchCount; b++)
        {
            var batch = batches.GetBatch(b);
            CheckTargetCount(batch.Targets, batch.SampleWeights);
            var predicted = Forward(batch.Inputs, false, batch.Masks);
            double total = 0;
            for (var o = 0; o < _outputs.Length; o++)
            {
                var value = OutputLoss(o, predicted[o], batch.Targets[o], batch.SampleWeights?[o], scaleGradient: false);
                total += _lossWeights[o] * value;
                sums[o] += value * batch.Size;
            }
            sum += total * batch.Size;
            samples += batch.Size;
        }
        if (samples == 0) throw new ArgumentException("The data has no samples.", nameof(batches));
        return Logs("", sum / samples, sums, samples);
    }

    /// <summary>
    /// The outputs of a one-input, one-output model for <paramref name="x"/> <c>[samples, …]</c>, computed in
    /// batches, as a new tensor; <paramref name="lengths"/> <c>[samples]</c> gives each sample's real length (the
    /// rest is padding). Stateful layers continue from their current state and keep the final one, so feeding a
    /// prompt and then one token at a time generates text; <see cref="Layers.Layer.Forward(Tensor, bool, Tensor?)"/> does
    /// the same without allocating the result.
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 32, Tensor? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireSingle("Predict(IReadOnlyList<Tensor>)");
        return Predict([x], batchSize, lengths)[0];
    }

    /// <summary>
    /// The outputs for one tensor per input (all with the same samples), computed in batches, as new tensors (one
    /// per output); <paramref name="lengths"/> gives the real lengths of the first input's samples.
    /// </summary>
    public IReadOnlyList<Tensor> Predict(IReadOnlyList<Tensor> x, int batchSize = 32, Tensor? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        Guard.Positive(batchSize);
        CheckInputs(x);
        for (var i = 0; i < x.Count; i++) CheckFinite(x[i], "input");
        var mask = MaskFromLengths(x[0], lengths, nameof(lengths));
        var samples = x[0].Dim(0);
        var results = new Tensor?[_outputs.Length];
        var batch = new Tensor[x.Count];
        var masks = new Tensor?[x.Count];
        for (var start = 0; start < samples; start += batchSize)
        {
            var count = Math.Min(batchSize, samples - start);
            var whole = count == samples;   // one batch (e.g. a token at a time): no views to allocate
            for (var i = 0; i < x.Count; i++) batch[i] = whole ? x[i] : x[i].Slice(start, count);
            masks[0] = whole ? mask : mask?.Slice(start, count);
            var predicted = Forward(batch, false, masks);
            for (var o = 0; o < predicted.Count; o++)
            {
                results[o] ??= Tensor.Zeros([samples, .. predicted[o].Shape[1..]]);
                predicted[o].Span.CopyTo(results[o]!.Span[(start * (predicted[o].Length / count))..]);
            }
        }
        return [.. results.Select((r, o) => r ?? Tensor.Zeros([0, .. _outputs[o].Shape.Select(d => Math.Max(d, 0))]))];
    }

    void ResetMetrics()
    {
        foreach (var metrics in _outputMetrics)
            foreach (var m in metrics) m.Reset();
    }

    /// <summary>The logs: the total loss, each output's loss (several outputs) and each metric, Keras's names.</summary>
    Dictionary<string, float> Logs(string prefix, double loss, double[] outputSums, int samples)
    {
        var logs = new Dictionary<string, float> { [prefix + "loss"] = (float)loss };
        var several = _outputs.Length > 1;
        for (var o = 0; o < _outputs.Length; o++)
        {
            if (several) logs[$"{prefix}{_outputs[o].Name}_loss"] = (float)(outputSums[o] / samples);
            foreach (var m in _outputMetrics[o]) logs[several ? $"{prefix}{_outputs[o].Name}_{m.Name}" : prefix + m.Name] = m.Result();
        }
        return logs;
    }

    /// <summary>The output mask when it has one value per row of <paramref name="predicted"/> (per-step outputs).</summary>
    static Tensor? RowMask(Tensor predicted, Tensor? mask) =>
        mask is { } m && predicted.Rank == 3 && m.Length == predicted.Length / predicted.Dim(-1) ? m : null;

    /// <summary>
    /// Row weights with the padding mask folded in and rescaled, so the loss is the (weighted) mean over real
    /// rows: wᵣ·maskᵣ·rows / Σmask.
    /// </summary>
    Tensor? MaskedWeights(int output, Tensor predicted, Tensor? rowWeights, Tensor? rowMask)
    {
        if (rowMask is null) return rowWeights;
        var m = rowMask.Span;
        var real = 0;
        foreach (var v in m) real += v != 0f ? 1 : 0;
        var scale = real == 0 || !_losses[output].AveragesRows ? 1f : (float)m.Length / real;
        var w = Ensure(ref _maskedWeights[output], predicted.Shape[..^1]).Span;
        for (var r = 0; r < w.Length; r++) w[r] = m[r] * scale * (rowWeights is null ? 1f : rowWeights.Span[r]);
        return _maskedWeights[output];
    }

    /// <summary>Each output's sample weights: its own from <see cref="FitOptions.OutputSampleWeights"/>, else <see cref="FitOptions.SampleWeights"/>.</summary>
    Tensor?[] SampleWeightsPerOutput(FitOptions options, int samples)
    {
        if (options.OutputSampleWeights is { } byName) CheckOutputKeys(byName.Keys, nameof(options));
        var weights = new Tensor?[_outputs.Length];
        for (var o = 0; o < _outputs.Length; o++)
        {
            var w = options.OutputSampleWeights?.GetValueOrDefault(_outputs[o].Name) ?? options.SampleWeights;
            if (w is not null && (w.Rank is < 1 or > 2 || w.Dim(0) != samples))
                throw new ArgumentException($"SampleWeights must be [samples] or [samples, time] with {samples} samples; received [{Tensor.FormatShape(w.Shape)}].", nameof(options));
            // Weights per step fit only an output with a step axis (its rows are [samples, time]).
            if (w is not null && w.Rank == 2 && _outputs[o].Shape.Count < 2)
            {
                throw new ArgumentException(
                    $"Sample weights [{Tensor.FormatShape(w.Shape)}] weigh steps, but output '{_outputs[o].Name}' {_outputs[o].Describe()} has one row per sample; " +
                    "give it per-sample weights in OutputSampleWeights.", nameof(options));
            }
            weights[o] = w;
        }
        return weights;
    }

    /// <summary>The padding mask <c>[samples, time]</c> of <paramref name="x"/> from per-sample lengths, or null.</summary>
    static Tensor? MaskFromLengths(Tensor x, Tensor? lengths, string name)
    {
        if (lengths is null) return null;
        if (x.Rank < 2) throw new ArgumentException("Lengths need inputs with a time axis [samples, time, …].", name);
        if (lengths.Length != x.Dim(0))
            throw new ArgumentException($"Expected one length per sample ({x.Dim(0)}); received [{Tensor.FormatShape(lengths.Shape)}].", name);
        return Data.Masks.FromLengths(lengths, x.Dim(1));
    }

    Optimizer Compiled() =>
        Optimizer is null || _losses.Length == 0
            ? throw new InvalidOperationException("Call Compile(optimizer, loss) before training or evaluating the model.")
            : Optimizer;

    void CheckTargetCount(IReadOnlyList<Tensor> y, IReadOnlyList<Tensor?>? rowWeights)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.Count != _outputs.Length)
            throw new ArgumentException($"Model '{Name}' has {_outputs.Length} output(s) ({OutputNames()}); received {y.Count} target tensor(s).", nameof(y));
        if (rowWeights is not null && rowWeights.Count != _outputs.Length)
            throw new ArgumentException($"Model '{Name}' takes row weights per output ({_outputs.Length}); received {rowWeights.Count}.", nameof(rowWeights));
    }

    void CheckInputs(IReadOnlyList<Tensor> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count != _inputs.Length)
            throw new ArgumentException($"Model '{Name}' takes {_inputs.Length} input(s) ({string.Join(", ", _inputs.Select(i => i.Name))}); received {x.Count}.", nameof(x));
        for (var i = 0; i < x.Count; i++)
        {
            CheckInput(x[i], i);
            if (x[i].Dim(0) != x[0].Dim(0))
                throw new ArgumentException($"Every input needs the same number of samples; '{_inputs[0].Name}' has {x[0].Dim(0)}, '{_inputs[i].Name}' {x[i].Dim(0)}.", nameof(x));
        }
    }

    void CheckData(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y)
    {
        CheckInputs(x);
        CheckTargetCount(y, null);
        for (var o = 0; o < y.Count; o++)
        {
            if (y[o] is null || y[o].Rank == 0 || y[o].Dim(0) != x[0].Dim(0))
            {
                var targets = _outputs.Length == 1 ? "targets" : $"targets of '{_outputs[o].Name}'";
                throw new ArgumentException($"Inputs and targets need the same number of samples; received inputs [{Tensor.FormatShape(x[0].Shape)}] and {targets} [{(y[o] is null ? "null" : Tensor.FormatShape(y[o].Shape))}].", nameof(y));
            }
        }
        if (x[0].Dim(0) == 0) throw new ArgumentException("The data has no samples.", nameof(x));
        foreach (var t in x) CheckFinite(t, "input");
        foreach (var t in y) CheckFinite(t, "target");
    }

    static void CheckFinite(Tensor t, string what)
    {
        var span = t.Span;
        for (var i = 0; i < span.Length; i++)
        {
            if (!float.IsFinite(span[i]))
            {
                throw new ArgumentException(
                    $"The {what} holds {span[i]} at {t.IndexOf(i)} (sample {i / (t.Length / t.Dim(0))}). Remove or fill missing values before training.");
            }
        }
    }
}
