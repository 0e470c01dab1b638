// SearchResult: every trial of a search sorted by score, the best one, the budget used, as a table or CSV.
using System.Globalization;
using System.Text;

namespace LstmSharp.Tuning;

/// <summary>
/// The trials of a search, best first: successful trials by mean score (ties by trial number), failed trials last.
/// </summary>
public sealed class SearchResult
{
    readonly Trial[] _trials;

    internal SearchResult(IEnumerable<Trial> trials, string metric, bool higherIsBetter, int planned, TimeSpan elapsed)
    {
        var run = trials.ToArray();
        _trials = run.Where(t => t.Status == TrialStatus.Ok)
            .OrderBy(t => higherIsBetter ? -t.Mean : t.Mean).ThenBy(t => t.Number)
            .Concat(run.Where(t => t.Status == TrialStatus.Failed).OrderBy(t => t.Number))
            .ToArray();
        Metric = metric;
        HigherIsBetter = higherIsBetter;
        Skipped = planned - run.Length;
        Elapsed = elapsed;
    }

    /// <summary>Every trial run, best first, failed trials last.</summary>
    public IReadOnlyList<Trial> Trials => _trials;

    /// <summary>The trial with the best mean score.</summary>
    public Trial Best => _trials.Length > 0 && _trials[0].Status == TrialStatus.Ok
        ? _trials[0]
        : throw new InvalidOperationException(_trials.Length == 0
            ? "The search ran no trial (its time budget ended first)."
            : $"All {_trials.Length} trials failed; trial {_trials[0].Number} ({_trials[0].HyperParameters}): {_trials[0].Error}");

    /// <summary>The score's name (<see cref="SearchOptions.Metric"/>).</summary>
    public string Metric { get; }

    /// <summary>Whether higher scores are better.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>Candidates not tried because <see cref="SearchOptions.MaxTrials"/> or <see cref="SearchOptions.MaxDuration"/> ran out.</summary>
    public int Skipped { get; }

    /// <summary>Wall-clock time of the search.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>
    /// A text table of every trial, best first: rank, trial number, each hyper-parameter, mean and standard
    /// deviation of the score, mean best epoch (when known), each fold's score, seconds and status.
    /// </summary>
    public string ToTable()
    {
        var rows = Rows(exact: false);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0) sb.Append("  ");
                var last = c == row.Length - 1;
                sb.Append(last ? row[c] : row[c].PadRight(widths[c]));
            }
            sb.Append('\n');
        }
        if (Skipped > 0) sb.Append(CultureInfo.InvariantCulture, $"({Skipped} candidate(s) skipped: budget reached)\n");
        return sb.ToString();
    }

    /// <summary>Writes every trial as CSV (the columns of <see cref="ToTable"/>, reals round-trip) to <paramref name="writer"/>.</summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var row in Rows(exact: true)) writer.Write(string.Join(",", row.Select(Quote)) + "\n");
    }

    /// <summary>Writes every trial as CSV to the file <paramref name="path"/> (replacing it).</summary>
    public void WriteCsv(string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        WriteCsv(writer);
    }

    /// <summary>The header and one row per trial.</summary>
    List<string[]> Rows(bool exact)
    {
        var names = _trials.SelectMany(t => t.HyperParameters.Names).Distinct().ToArray();
        var folds = _trials.Length == 0 ? 0 : _trials.Max(t => t.FoldScores.Count);
        string Number(double v) => double.IsNaN(v) ? "" : v.ToString(exact ? "R" : "G6", CultureInfo.InvariantCulture);
        var header = new List<string> { "rank", "trial" };
        header.AddRange(names);
        header.AddRange(["mean_" + Metric, "std_" + Metric, "epochs"]);
        header.AddRange(Enumerable.Range(1, folds).Select(f => "fold" + f.ToString(CultureInfo.InvariantCulture)));
        header.AddRange(["seconds", "status"]);
        var rows = new List<string[]> { header.ToArray() };
        for (var i = 0; i < _trials.Length; i++)
        {
            var t = _trials[i];
            var row = new List<string>
            {
                t.Status == TrialStatus.Ok ? (i + 1).ToString(CultureInfo.InvariantCulture) : "",
                t.Number.ToString(CultureInfo.InvariantCulture),
            };
            foreach (var name in names)
            {
                var value = t.HyperParameters.Contains(name) ? t.HyperParameters[name] : null;
                row.Add(exact ? HyperParameters.FormatExact(value) : HyperParameters.Format(value));
            }
            row.Add(Number(t.Mean));
            row.Add(Number(t.Std));
            row.Add(t.MeanBestEpoch is { } epochs ? epochs.ToString(CultureInfo.InvariantCulture) : "");
            for (var f = 0; f < folds; f++) row.Add(f < t.FoldScores.Count ? Number(t.FoldScores[f]) : "");
            row.Add(t.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture));
            row.Add(t.Status == TrialStatus.Ok ? "ok" : "failed: " + t.Error);
            rows.Add(row.ToArray());
        }
        return rows;
    }

    static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
