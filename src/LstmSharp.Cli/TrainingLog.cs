// TrainingLog: `--log-dir DIR` — each epoch appended to history.jsonl and history.csv as it ends, and loss.png redrawn
// (atomically: a temporary file renamed over it), so a run can be followed from another window or tool.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace LstmSharp.Cli;

internal sealed class TrainingLog
{
    /// <summary>The plot is redrawn after an epoch only when this long has passed since the last one (short epochs would spend their time drawing).</summary>
    static readonly TimeSpan PlotInterval = TimeSpan.FromSeconds(2);

    readonly Stopwatch _sincePlot = new();
    string[]? _columns;

    TrainingLog(string folder) => Folder = folder;

    public string Folder { get; }

    public string Jsonl => Path.Combine(Folder, "history.jsonl");

    public string Csv => Path.Combine(Folder, "history.csv");

    public string Png => Path.Combine(Folder, "loss.png");

    /// <summary>
    /// The log in <paramref name="folder"/> (created when missing; its history files are started afresh), or null for
    /// an empty name. Checked before training.
    /// </summary>
    public static TrainingLog? Open(string folder)
    {
        if (folder.Length == 0) return null;
        if (File.Exists(folder)) throw new CliException($"--log-dir {folder}: is a file; give a folder (it is created when missing).");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--log-dir {folder}: cannot create the folder ({e.Message}).");
        }
        var log = new TrainingLog(folder);
        CliFiles.CheckOutput(log.Jsonl, "--log-dir");
        File.WriteAllText(log.Jsonl, "");
        File.WriteAllText(log.Csv, "");
        return log;
    }

    /// <summary>The log of network <paramref name="network"/> of an ensemble: the same files in the subfolder <c>network-N</c>.</summary>
    public TrainingLog Member(int network) => Open(Path.Combine(Folder, $"network-{network}"))!;

    /// <summary>Appends <paramref name="epoch"/> to both files and redraws the plot when it is due.</summary>
    public void Epoch(TrainingOutcome outcome, EpochRecord epoch)
    {
        var json = new JsonObject { ["epoch"] = epoch.Epoch };
        foreach (var (key, value) in epoch.Logs) json[key] = float.IsFinite(value) ? value : null;
        json["seconds"] = Math.Round(epoch.Seconds, 3);
        json["elapsed_seconds"] = Math.Round(epoch.ElapsedSeconds, 3);
        json["best"] = epoch.Best;
        File.AppendAllText(Jsonl, json.ToJsonString() + "\n");

        var row = new StringBuilder();
        if (_columns is null)
        {
            _columns = [.. epoch.Logs.Keys];
            row.Append("epoch,").AppendJoin(',', _columns).Append(",seconds,elapsed_seconds,best\n");
        }
        row.Append(epoch.Epoch);
        foreach (var key in _columns)
            row.Append(',').Append(epoch.Logs.TryGetValue(key, out var value) ? value.ToString("R", CultureInfo.InvariantCulture) : "");
        row.Append(CultureInfo.InvariantCulture, $",{epoch.Seconds:F3},{epoch.ElapsedSeconds:F3},{(epoch.Best ? 1 : 0)}\n");
        File.AppendAllText(Csv, row.ToString());

        if (!_sincePlot.IsRunning || _sincePlot.Elapsed >= PlotInterval)
        {
            Plots.Save(Plots.Loss(outcome), Png);
            _sincePlot.Restart();
        }
    }

    /// <summary>Draws the final plot (the kept epoch marked).</summary>
    public void Finish(TrainingOutcome outcome)
    {
        if (outcome.Epochs.Count > 0) Plots.Save(Plots.Loss(outcome), Png);
    }
}
