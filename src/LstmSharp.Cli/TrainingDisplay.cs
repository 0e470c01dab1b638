// TrainingDisplay: shows training as it goes — one line per epoch (loss, metrics, validation metrics, the epoch's time,
// '*' at the best epoch so far), under a live bar with the time left on a terminal, plain lines otherwise — then a
// line naming the epoch kept and why training stopped; turns Ctrl-C (or the time budget) into a stop after the batch.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LstmSharp.Callbacks;
using Spectre.Console;

namespace LstmSharp.Cli;

/// <summary>How a training run is watched: what it is called, its budget, and the logged quantity that picks its best epoch.</summary>
/// <param name="Label">Prefix of every line ("forecast", "text", …).</param>
/// <param name="Epochs">Most epochs.</param>
internal sealed record TrainingWatch(string Label, int Epochs)
{
    /// <summary>The logged quantity whose best epoch is marked (and kept, with <see cref="KeepsBest"/>); <c>loss</c> when the run does not log it.</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>True when a larger <see cref="Monitor"/> is better (F1, accuracy).</summary>
    public bool HigherIsBetter { get; init; }

    /// <summary>Early stopping's patience on <see cref="Monitor"/> (0 = no early stopping).</summary>
    public int Patience { get; init; }

    /// <summary>True when the run ends with the weights of its best epoch (early stopping restores them, or the best is saved).</summary>
    public bool KeepsBest { get; init; }

    /// <summary>The time budget (<c>--max-minutes</c>), or null.</summary>
    public TimeSpan? Budget { get; init; }

    /// <summary>Throughput in these units (e.g. tokens, 64 per sample); long epochs then also report every tenth of their batches.</summary>
    public (string Unit, int PerSample)? SamplesAs { get; init; }

    /// <summary>Keep every batch's loss, for a per-batch loss curve (language models).</summary>
    public bool RecordBatches { get; init; }

    /// <summary>An epoch's logs as the epoch line shows them (default: each entry but <c>lr</c>, 4 significant digits).</summary>
    public Func<IReadOnlyDictionary<string, float>, string> Describe { get; init; } = TrainingDisplay.FormatLogs;

    /// <summary>A value of <see cref="Monitor"/> as the closing line shows it (default: 4 significant digits).</summary>
    public Func<float, string> ShowMonitor { get; init; } = v => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A line to print under an epoch's line (a language model's sample), or null.</summary>
    public Func<int, string?>? Note { get; init; }

    /// <summary>The loss plot's title.</summary>
    public string LossTitle { get; init; } = $"{Label}: loss per epoch";

    /// <summary>The loss plot's y axis: which loss, in what units.</summary>
    public string LossAxis { get; init; } = "loss";

    /// <summary>Losses are multiplied by this on the plot (1 / ln 2 for bits).</summary>
    public double LossScale { get; init; } = 1;

    /// <summary>Per-epoch files and refreshed plots (<c>--log-dir</c>), or null.</summary>
    public TrainingLog? Log { get; init; }
}

/// <summary>One finished epoch: its logs, how long it took, and whether it was the best so far by the monitored quantity.</summary>
internal sealed record EpochRecord(int Epoch, IReadOnlyDictionary<string, float> Logs, double Seconds, double ElapsedSeconds, bool Best);

/// <summary>What a watched training run did: its epochs, the one it kept and why it stopped.</summary>
internal sealed class TrainingOutcome(TrainingWatch watch)
{
    public TrainingWatch Watch { get; } = watch;

    public List<EpochRecord> Epochs { get; } = [];

    /// <summary>Each batch's loss with its epoch (with <see cref="TrainingWatch.RecordBatches"/>).</summary>
    public IReadOnlyList<(int Epoch, float Loss)> Batches { get; set; } = [];

    /// <summary>The quantity the best epoch was picked by: the watch's, or <c>loss</c> when the run did not log it.</summary>
    public string Monitor { get; set; } = "loss";

    /// <summary>The epoch with the best <see cref="Monitor"/> (0 before the first).</summary>
    public int BestEpoch { get; set; }

    /// <summary>The epoch whose weights the run ends with: the best with <see cref="TrainingWatch.KeepsBest"/>, else the last.</summary>
    public int KeptEpoch => Watch.KeepsBest && BestEpoch > 0 ? BestEpoch : Epochs.Count;

    /// <summary>Why training stopped: all epochs, early stopping, time budget, interrupted or diverged.</summary>
    public string Stopped { get; set; } = "all epochs";

    /// <summary>The same, said in a sentence.</summary>
    public string Reason { get; set; } = "";

    /// <summary>False when Ctrl-C stopped training.</summary>
    public bool Completed => Stopped != "interrupted";

    public TimeSpan Elapsed { get; set; }

    /// <summary>The closing line: the epoch kept, by what, and why training stopped.</summary>
    public string Summary()
    {
        if (Epochs.Count == 0) return $"{Watch.Label}: no epoch finished; stopped: {Reason}.";
        var kept = Epochs[KeptEpoch - 1];
        var value = kept.Logs.TryGetValue(Monitor, out var v) ? Watch.ShowMonitor(v) : "-";
        var which = KeptEpoch == BestEpoch ? $"the best {Monitor}, {value}" : $"the last; {Monitor} {value}";
        return $"{Watch.Label}: kept epoch {KeptEpoch} of {Epochs.Count} ({which}); stopped: {Reason}.";
    }

    /// <summary>Every logged series per epoch, and <c>seconds</c> (each epoch's time), rounded to 5 decimals, for --json.</summary>
    public JsonObject HistoryJson()
    {
        var json = new JsonObject();
        if (Epochs.Count == 0) return json;
        foreach (var key in Epochs[0].Logs.Keys)
            json[key] = new JsonArray([.. Epochs.Select(e => (JsonNode?)(e.Logs.TryGetValue(key, out var value) && float.IsFinite(value) ? Math.Round(value, 5) : null))]);
        json["seconds"] = new JsonArray([.. Epochs.Select(e => (JsonNode?)Math.Round(e.Seconds, 3))]);
        return json;
    }

    /// <summary>How training went, for --json: epochs run, the epoch kept and by what, why it stopped, how long it took.</summary>
    public JsonObject Json() => new()
    {
        ["epochs_run"] = Epochs.Count, ["kept_epoch"] = KeptEpoch, ["best_epoch"] = BestEpoch, ["monitor"] = Monitor, ["stopped"] = Stopped,
        ["seconds"] = Math.Round(Elapsed.TotalSeconds, 3),
    };

    /// <summary>
    /// The training of one network (<see cref="Json()"/>) or of an ensemble's networks, for --json: then each network's,
    /// with the epochs and kept epochs as lists and the total time.
    /// </summary>
    public static JsonObject Json(IReadOnlyList<TrainingOutcome> trainings) => trainings.Count == 1 ? trainings[0].Json() : new()
    {
        ["networks"] = trainings.Count, ["epochs_run"] = new JsonArray([.. trainings.Select(t => (JsonNode)t.Epochs.Count)]),
        ["kept_epoch"] = new JsonArray([.. trainings.Select(t => (JsonNode)t.KeptEpoch)]), ["stopped"] = new JsonArray([.. trainings.Select(t => (JsonNode)t.Stopped)]), ["seconds"] = Math.Round(trainings.Sum(t => t.Elapsed.TotalSeconds), 3),
        ["members"] = new JsonArray([.. trainings.Select(t => (JsonNode)t.Json())]),
    };

    /// <summary>The history of one network (<see cref="HistoryJson()"/>), or a list of each network's.</summary>
    public static JsonNode HistoryJson(IReadOnlyList<TrainingOutcome> trainings)
        => trainings.Count == 1 ? trainings[0].HistoryJson() : new JsonArray([.. trainings.Select(t => (JsonNode)t.HistoryJson())]);
}

internal static class TrainingDisplay
{
    /// <summary>
    /// Trains the <paramref name="networks"/> of an ensemble one after the other, each under its own display
    /// (<paramref name="watch"/> of its index), until one is interrupted. A network cut short would weigh as much as a
    /// trained one in the average, so it is left out — unless it is the first, which is kept as the run's result — and
    /// the line says so (<paramref name="what"/> names the model that averages them). Returns each kept network and
    /// its training, and whether every network finished.
    /// </summary>
    public static (List<T> Networks, List<TrainingOutcome> Trainings, bool Completed) RunEach<T>(Terminal terminal, int networks, Func<int, TrainingWatch> watch,
        Func<int, IProgress<FitProgress>, StopOnCancel, T> train, string what)
    {
        var (kept, trainings) = (new List<T>(), new List<TrainingOutcome>());
        for (var m = 0; m < networks && trainings.LastOrDefault() is not { Completed: false }; m++)
            trainings.Add(Run(terminal, watch(m), (progress, stop) => kept.Add(train(m, progress, stop))));
        var completed = trainings[^1].Completed;
        if (!completed && trainings.Count > 1)
        {
            kept.RemoveAt(kept.Count - 1);
            trainings.RemoveAt(trainings.Count - 1);
            terminal.Line($"Interrupted: network {trainings.Count + 1} is left out; the {what} averages the {trainings.Count} network(s) that finished.");
        }
        return (kept, trainings, completed);
    }

    /// <summary>
    /// Runs <paramref name="train"/> with a progress reporter and a callback that stops training when Ctrl-C is pressed
    /// or the time budget runs out, showing each epoch as it ends; returns what the run did. A run that diverges prints
    /// the epoch it diverged in and rethrows.
    /// </summary>
    public static TrainingOutcome Run(Terminal terminal, TrainingWatch watch, Action<IProgress<FitProgress>, StopOnCancel> train, StopOnCancel? stop = null)
    {
        stop ??= new StopOnCancel(terminal.Cancel, watch.Budget is { } b ? DateTime.UtcNow + b : null);
        if (watch.RecordBatches) stop.RecordBatches();
        var watcher = new Watcher(terminal, watch, stop);
        try
        {
            if (terminal.LiveProgress)
            {
                terminal.Human.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                    .Start(context =>
                    {
                        watcher.Bar = context.AddTask(Markup.Escape(watch.Label), maxValue: 1);
                        train(watcher, stop);
                    });
            }
            else
            {
                train(watcher, stop);
            }
        }
        catch (TrainingDivergedException)
        {
            watcher.Finish("diverged", $"training diverged during epoch {watcher.Outcome.Epochs.Count + 1}");
            throw;
        }
        watcher.Finish(null, null);
        return watcher.Outcome;
    }

    /// <summary>
    /// How far a run is and the time it has left: to its last epoch, to the epoch where early stopping stops if
    /// the monitored quantity does not improve again, or to the end of the time budget, whichever comes first.
    /// </summary>
    /// <param name="done">Epochs done, with the fraction of the current one.</param>
    /// <param name="elapsed">Time since training started.</param>
    /// <param name="epochs">Most epochs.</param>
    /// <param name="earlyStop">The epoch early stopping ends if nothing improves (best + patience), or null.</param>
    /// <param name="budget">The time budget, or null.</param>
    public static (double Fraction, TimeSpan Left, string Until) Estimate(double done, TimeSpan elapsed, int epochs, int? earlyStop, TimeSpan? budget)
    {
        var target = earlyStop is { } e && e < epochs ? e : epochs;
        var until = target < epochs ? $"to an early stop at epoch {target}" : $"to epoch {epochs}";
        var left = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds / done * Math.Max(0, target - done)) : TimeSpan.MaxValue;
        if (budget is { } b && b - elapsed < left)
        {
            left = b > elapsed ? b - elapsed : TimeSpan.Zero;
            until = "to the time budget";
        }
        if (left == TimeSpan.MaxValue) return (0, left, until);
        var total = elapsed + left;
        return (total > TimeSpan.Zero ? elapsed / total : 1, left, until);
    }

    static string Clock(TimeSpan t) => t == TimeSpan.MaxValue ? "?"
        : t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    static string Rate(FitProgress p, (string Unit, int PerSample)? samplesAs) => samplesAs is { } u
        ? $"{(p.SamplesPerSecond * u.PerSample).ToString("F0", CultureInfo.InvariantCulture)} {u.Unit}/s"
        : $"{p.SamplesPerSecond.ToString("F0", CultureInfo.InvariantCulture)} samples/s";

    public static string FormatLogs(IReadOnlyDictionary<string, float> logs)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in logs)
        {
            if (key == "lr") continue;
            if (text.Length > 0) text.Append("  ");
            text.Append(CultureInfo.InvariantCulture, $"{key} {value:G4}");
        }
        return text.ToString();
    }

    /// <summary>
    /// Receives the reports on the training thread (in order; Progress&lt;T&gt; would post them to the thread pool), keeps
    /// the epochs and prints them. A batch report only updates the bar, at most ten times a second.
    /// </summary>
    sealed class Watcher(Terminal terminal, TrainingWatch watch, StopOnCancel stop) : IProgress<FitProgress>
    {
        static readonly long BarInterval = Stopwatch.Frequency / 10;
        readonly Stopwatch _clock = Stopwatch.StartNew();
        long _lastBar;
        double _lastEpochEnd;
        float _best = float.NaN;
        int _earlyStop;

        public TrainingOutcome Outcome { get; } = new(watch) { Monitor = watch.Monitor };

        public ProgressTask? Bar { get; set; }

        public void Report(FitProgress p)
        {
            if (p.EpochEnd) EpochEnd(p);
            else Batch(p);
        }

        void Batch(FitProgress p)
        {
            if (Bar is not null)
            {
                var now = Stopwatch.GetTimestamp();
                if (now - _lastBar < BarInterval) return;
                _lastBar = now;
                ShowBar(p.Epoch - 1 + (double)p.Batch / Math.Max(p.Batches, 1), $"{p.Epoch}/{p.Epochs} · batch {p.Batch}/{p.Batches}  {watch.Describe(p.Logs)}");
            }
            else if (!terminal.IsQuiet && watch.SamplesAs is { } units && p.Batches >= 20 && p.Batch % (p.Batches / 10) == 0)
            {
                // Long epochs (a language model's) report every tenth of their batches.
                terminal.Human.WriteLine($"{watch.Label} epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches}  {watch.Describe(p.Logs)}  ({Rate(p, units)}, " +
                    $"{p.EpochRemaining.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s left in the epoch)");
            }
        }

        void ShowBar(double done, string text)
        {
            var (fraction, left, until) = Estimate(done, _clock.Elapsed, watch.Epochs, _earlyStop > 0 ? _earlyStop : null, watch.Budget);
            Bar!.Value = Math.Min(fraction, 1);
            Bar.Description = Markup.Escape($"{watch.Label} {text}  ETA {Clock(left)} {until}");
        }

        void EpochEnd(FitProgress p)
        {
            var elapsed = _clock.Elapsed.TotalSeconds;
            var logs = new Dictionary<string, float>(p.Logs);
            if (Outcome.Epochs.Count == 0 && !logs.ContainsKey(watch.Monitor)) Outcome.Monitor = "loss";
            var value = logs.TryGetValue(Outcome.Monitor, out var v) ? v : float.NaN;
            var best = !float.IsNaN(value) && (float.IsNaN(_best) || (watch.HigherIsBetter ? value > _best : value < _best));
            if (best)
            {
                _best = value;
                Outcome.BestEpoch = p.Epoch;
            }
            if (watch.Patience > 0 && Outcome.Monitor == watch.Monitor) _earlyStop = Outcome.BestEpoch + watch.Patience;
            var record = new EpochRecord(p.Epoch, logs, elapsed - _lastEpochEnd, elapsed, best);
            Outcome.Epochs.Add(record);
            // Early stopping (a library callback) has asked the model to stop when neither Ctrl-C nor the budget did.
            if (stop.Model?.StopTraining == true && !stop.Stopped && !stop.OutOfTime && p.Epoch < p.Epochs)
            {
                Outcome.Stopped = "early stopping";
                Outcome.Reason = $"early stopping at epoch {p.Epoch}: {Outcome.Monitor} had not improved for {watch.Patience} epoch(s)";
            }
            if (!terminal.IsQuiet)
            {
                terminal.Human.WriteLine(Line(record, p));
                if (watch.Note?.Invoke(p.Epoch) is { } note) terminal.Human.WriteLine(note);
            }
            if (Bar is not null) ShowBar(p.Epoch, $"{p.Epoch}/{p.Epochs} done");
            watch.Log?.Epoch(Outcome, record);
            // The next epoch's time starts here: printing, plotting and the log are not training.
            _lastEpochEnd = _clock.Elapsed.TotalSeconds;
        }

        string Line(EpochRecord r, FitProgress p) =>
            $"{watch.Label} epoch {r.Epoch}/{p.Epochs}  {watch.Describe(r.Logs)}  {r.Seconds.ToString(r.Seconds < 10 ? "F2" : "F0", CultureInfo.InvariantCulture)} s  " +
            $"({Rate(p, watch.SamplesAs)}){(r.Best ? " *" : "")}";

        /// <summary>Names why training stopped (<paramref name="stopped"/> when already known: divergence) and prints the closing line.</summary>
        public void Finish(string? stopped, string? reason)
        {
            var o = Outcome;
            o.Elapsed = _clock.Elapsed;
            o.Batches = stop.BatchLosses;
            var last = o.Epochs.Count;
            if (stopped is not null) (o.Stopped, o.Reason) = (stopped, reason!);
            else if (stop.Stopped) (o.Stopped, o.Reason) = ("interrupted", $"interrupted (Ctrl-C) during epoch {last}, after the batch in progress");
            else if (stop.OutOfTime) (o.Stopped, o.Reason) = ("time budget", $"the {watch.Budget!.Value.TotalMinutes.ToString("G4", CultureInfo.InvariantCulture)}-minute budget ran out during epoch {last}");
            else if (o.Stopped != "early stopping") o.Reason = last == watch.Epochs ? $"ran all {watch.Epochs} epochs" : $"after epoch {last} of {watch.Epochs}";
            terminal.Line(o.Summary());
            watch.Log?.Finish(o);
        }
    }

    /// <summary>
    /// Stops training after the batch in which Ctrl-C was pressed (or the time budget ran out), and keeps what the
    /// display reads: the model being trained (whose <see cref="Model.StopTraining"/> at an epoch's end tells that early
    /// stopping fired) and, when asked, each batch's loss.
    /// </summary>
    public sealed class StopOnCancel(CancellationToken cancel, DateTime? deadline = null) : Callback
    {
        List<(int Epoch, float Loss)>? _batches;
        int _epoch;

        /// <summary>Stopped by Ctrl-C.</summary>
        public bool Stopped { get; private set; }

        /// <summary>Stopped because the time budget ran out.</summary>
        public bool OutOfTime { get; private set; }

        /// <summary>The model of the training run in progress (or last run).</summary>
        public Model? Model { get; private set; }

        /// <summary>Each batch's loss with its epoch, once <see cref="RecordBatches"/> was called.</summary>
        public IReadOnlyList<(int Epoch, float Loss)> BatchLosses => _batches ?? [];

        /// <summary>Keep every batch's loss from now on.</summary>
        public void RecordBatches() => _batches ??= [];

        /// <summary>True when training should stop now.</summary>
        public bool ShouldStop()
        {
            if (cancel.IsCancellationRequested) Stopped = true;
            else if (deadline is { } d && DateTime.UtcNow >= d) OutOfTime = true;
            return Stopped || OutOfTime;
        }

        public override void OnTrainBegin(Model model) => Model = model;

        public override void OnEpochBegin(Model model, int epoch) => _epoch = epoch;

        public override void OnBatchEnd(Model model, int batch, float loss)
        {
            _batches?.Add((_epoch, loss));
            if (ShouldStop()) model.StopTraining = true;
        }
    }
}
