// TrainingDisplay: shows training progress — a live bar with loss, metrics and ETA on a terminal, one line per
// epoch otherwise — and turns Ctrl-C into a clean stop after the current batch.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LstmSharp.Callbacks;
using Spectre.Console;

namespace LstmSharp.Cli;

internal static class TrainingDisplay
{
    /// <summary>
    /// Runs <paramref name="train"/> with a progress reporter for <paramref name="epochs"/> epochs and a callback
    /// that stops training when Ctrl-C is pressed. Returns true when training ran to its end (not interrupted).
    /// With <paramref name="samplesAs"/> (e.g. tokens, 64 per sample) throughput is shown in those units, and long
    /// epochs also report every tenth of their batches.
    /// </summary>
    public static bool Run(Terminal terminal, string label, int epochs, Action<IProgress<FitProgress>, StopOnCancel> train, StopOnCancel? stop = null,
        (string Unit, int PerSample)? samplesAs = null)
    {
        stop ??= new StopOnCancel(terminal.Cancel);
        if (terminal.LiveProgress)
        {
            terminal.Human.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(label), maxValue: epochs);
                    train(new Reporter(p =>
                    {
                        task.Value = p.Epoch - 1 + (double)p.Batch / Math.Max(p.Batches, 1);
                        task.Description = Markup.Escape($"{label} {p.Epoch}/{p.Epochs} {FormatLogs(p.Logs)}");
                    }), stop);
                    task.Value = epochs;
                });
        }
        else
        {
            var every = Math.Max(1, epochs / 20);
            var last = 0;
            train(new Reporter(p =>
            {
                if (terminal.IsQuiet) return;
                if (!p.EpochEnd)
                {
                    // Long epochs (a language model's) report every tenth of their batches.
                    if (samplesAs is { } units && p.Batches >= 20 && p.Batch % (p.Batches / 10) == 0)
                        terminal.Human.WriteLine($"{label} epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches}  {FormatLogs(p.Logs)}  ({Rate(p, samplesAs)}, {p.EpochRemaining.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s left)");
                    return;
                }
                last = p.Epoch;
                if (p.Epoch % every == 0 || p.Epoch == p.Epochs || p.Epoch == 1)
                    terminal.Human.WriteLine($"{label} epoch {p.Epoch}/{p.Epochs}  {FormatLogs(p.Logs)}  ({Rate(p, samplesAs)})");
            }), stop);
        }
        if (stop.Stopped) terminal.Line("Interrupted (Ctrl-C): training stopped after the current batch.");
        return !stop.Stopped;
    }

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

    /// <summary>Runs its action on the reporting thread, so lines print in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    sealed class Reporter(Action<FitProgress> action) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => action(value);
    }

    /// <summary>Stops training after the batch in which Ctrl-C was pressed (or a time budget ran out).</summary>
    public sealed class StopOnCancel(CancellationToken cancel, DateTime? deadline = null) : Callback
    {
        /// <summary>Stopped by Ctrl-C.</summary>
        public bool Stopped { get; private set; }

        /// <summary>Stopped because the time budget ran out.</summary>
        public bool OutOfTime { get; private set; }

        /// <summary>True when training should stop now.</summary>
        public bool ShouldStop()
        {
            if (cancel.IsCancellationRequested) Stopped = true;
            else if (deadline is { } d && DateTime.UtcNow >= d) OutOfTime = true;
            return Stopped || OutOfTime;
        }

        public override void OnBatchEnd(Model model, int batch, float loss)
        {
            if (ShouldStop()) model.StopTraining = true;
        }
    }

    /// <summary>Every logged series of a training history, rounded to 5 decimals, for --json.</summary>
    public static JsonObject HistoryJson(History history)
    {
        var json = new JsonObject();
        foreach (var key in history.Keys)
            json[key] = new JsonArray([.. history[key].Select(v => (JsonNode?)JsonValue.Create(Math.Round(v, 5)))]);
        return json;
    }
}
