// SearchSpaceOptions: the hyper-parameters a `tune` command searches — one option per hyper-parameter taking a
// comma-separated list of values, or a small JSON file with lists and ranges — and the search settings.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LstmSharp.Tuning;

namespace LstmSharp.Cli;

internal sealed class SearchSpaceOptions
{
    readonly List<(string Name, Option<string> Option, bool Integer, string[]? Words)> _parameters = [];

    public Option<string> Space { get; } = new("--space")
    {
        Description = "JSON file of the search space, e.g. {\"units\": [16, 32], \"learning_rate\": {\"min\": 1e-3, \"max\": 1e-1, \"log\": true, \"steps\": 3}, " +
            "\"lookback\": {\"min\": 12, \"max\": 36, \"step\": 12}}; it replaces the list options it names (default: none).",
        DefaultValueFactory = _ => "",
    };

    public Option<string> Search { get; } = new("--search") { Description = "grid (every combination) or random (seeded draws).", DefaultValueFactory = _ => "grid" };

    public Option<int> Trials { get; } = new("--trials") { Description = "Most candidates to try (0 = the whole grid, or 10 random draws).", DefaultValueFactory = _ => 0 };

    public Option<double> Minutes { get; } = new("--max-minutes") { Description = "Start no new candidate after this many minutes (0 = no limit).", DefaultValueFactory = _ => 0.0 };

    public Option<int> Folds { get; } = new("--folds") { Description = "Cross-validation folds.", DefaultValueFactory = _ => 3 };

    public Option<string> Results { get; } = new("--results") { Description = "CSV file of every trial.", DefaultValueFactory = _ => "trials.csv" };

    public SearchSpaceOptions() => Search.AcceptOnlyFromAmong("grid", "random");

    /// <summary>Adds an option <c>--name</c> taking a comma-separated list of values (the search space of that hyper-parameter).</summary>
    public void Add(string name, string description, string values, bool integer)
    {
        var option = new Option<string>("--" + name.Replace('_', '-')) { Description = description + " Comma-separated values to try.", DefaultValueFactory = _ => values };
        _parameters.Add((name, option, integer, null));
    }

    /// <summary>Adds an option <c>--name</c> taking a comma-separated list of words, each one of <paramref name="words"/>.</summary>
    public void AddWords(string name, string description, string values, params string[] words)
    {
        var option = new Option<string>("--" + name.Replace('_', '-')) { Description = $"{description} Comma-separated values to try, of {string.Join(", ", words)}.", DefaultValueFactory = _ => values };
        _parameters.Add((name, option, false, words));
    }

    public void AddTo(Command command)
    {
        foreach (var (_, option, _, _) in _parameters) command.Options.Add(option);
        command.Options.Add(Space);
        command.Options.Add(Search);
        command.Options.Add(Trials);
        command.Options.Add(Minutes);
        command.Options.Add(Folds);
        command.Options.Add(Results);
    }

    public SearchSpace Read(ParseResult result)
    {
        var parameters = new Dictionary<string, HyperParameter>();
        foreach (var (name, option, integer, words) in _parameters)
        {
            var text = result.GetValue(option)!;
            var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 0) throw new CliException($"{option.Name} needs at least one value; received '{text}'.");
            parameters[name] = words is not null
                ? new Choice<string>(name, [.. parts.Select(p => Word(p, words, option.Name))])
                : integer
                ? new Choice<int>(name, [.. parts.Select(p => int.TryParse(p, CultureInfo.InvariantCulture, out var v) ? v : throw new CliException($"{option.Name}: '{p}' is not a whole number."))])
                : new Choice<double>(name, [.. parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new CliException($"{option.Name}: '{p}' is not a number."))]);
        }
        var path = result.GetValue(Space)!;
        if (path.Length > 0) ReadJson(path, parameters);
        return new SearchSpace([.. parameters.Values]);
    }

    void ReadJson(string path, Dictionary<string, HyperParameter> parameters)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: file not found.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new CliException($"{path}: expected a JSON object of hyper-parameters.");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var known = _parameters.FindIndex(p => p.Name == property.Name);
                if (known < 0)
                    throw new CliException($"{path}: unknown hyper-parameter '{property.Name}'; this command searches: {string.Join(", ", _parameters.Select(p => p.Name))}.");
                var (_, _, integer, words) = _parameters[known];
                try
                {
                    parameters[property.Name] = words is null ? Parse(property.Name, property.Value, integer)
                        : property.Value.ValueKind == JsonValueKind.Array
                            ? new Choice<string>(property.Name, [.. property.Value.EnumerateArray().Select(v => Word(v.GetString() ?? "", words, property.Name))])
                            : throw new FormatException($"expected a list of {string.Join(", ", words)}; found {property.Value.ValueKind}.");
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
                {
                    throw new CliException($"{path}: '{property.Name}': {CliErrors.Message(e)} Give a list of values or {{\"min\", \"max\", …}}.");
                }
            }
        }
    }

    static string Word(string value, string[] words, string option)
        => words.Contains(value) ? value : throw new CliException($"{option}: '{value}' is not one of {string.Join(", ", words)}.");

    static HyperParameter Parse(string name, JsonElement value, bool integer)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            return integer
                ? new Choice<int>(name, [.. value.EnumerateArray().Select(v => v.GetInt32())])
                : new Choice<double>(name, [.. value.EnumerateArray().Select(v => v.GetDouble())]);
        }
        if (value.ValueKind != JsonValueKind.Object) throw new FormatException($"expected a list or an object; found {value.ValueKind}.");
        if (integer)
            return new IntRange(name, value.GetProperty("min").GetInt32(), value.GetProperty("max").GetInt32(), value.TryGetProperty("step", out var step) ? step.GetInt32() : 1);
        return new FloatRange(name, value.GetProperty("min").GetDouble(), value.GetProperty("max").GetDouble(),
            value.TryGetProperty("log", out var log) && log.GetBoolean(), value.TryGetProperty("steps", out var steps) ? steps.GetInt32() : null);
    }

    /// <summary>A tuner over <paramref name="space"/>; a space the strategy cannot search (a grid over a range without steps) is a usage error.</summary>
    public static Tuner Tuner(SearchSpace space, SearchOptions options)
    {
        try
        {
            return new Tuner(space, options);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
    }

    public SearchOptions Options(ParseResult result, string metric, int seed, IProgress<SearchProgress> progress)
    {
        var trials = result.GetValue(Trials);
        var minutes = result.GetValue(Minutes);
        if (trials < 0) throw new CliException($"--trials must be 0 (default) or more; received {trials}.");
        if (minutes < 0) throw new CliException($"--max-minutes must be 0 (no limit) or more; received {minutes}.");
        return new SearchOptions
        {
            Strategy = result.GetValue(Search) == "random" ? SearchStrategy.Random : SearchStrategy.Grid,
            MaxTrials = trials == 0 ? null : trials,
            MaxDuration = minutes > 0 ? TimeSpan.FromMinutes(minutes) : null,
            Seed = seed,
            Metric = metric,
            Mode = Callbacks.MonitorMode.Auto,
            EarlyStoppingPatience = null,
            Progress = progress,
        };
    }

    /// <summary>A line per fold and trial as the search runs.</summary>
    public static IProgress<SearchProgress> Progress(Terminal terminal, string metric) => new Reporter(p =>
    {
        if (p.Completed is { } trial)
        {
            terminal.Line(trial.Status == TrialStatus.Ok
                ? $"trial {p.Trial}/{p.Trials} [{p.HyperParameters}]: {metric} {trial.Mean.ToString("G4", CultureInfo.InvariantCulture)} ± {trial.Std.ToString("G3", CultureInfo.InvariantCulture)} ({trial.Duration.TotalSeconds:F1} s)"
                : $"trial {p.Trial}/{p.Trials} [{p.HyperParameters}]: failed — {trial.Error}");
        }
    });

    /// <summary>Prints the results table (best first) and writes every trial to the --results CSV.</summary>
    public void Report(Terminal terminal, ParseResult result, SearchResult search, string metric)
    {
        if (search.Trials.Count == 0) throw new CliException("No candidate ran: the --max-minutes budget ended before the first one.");
        var names = search.Trials[0].HyperParameters.Names;
        terminal.Results($"{search.Trials.Count} trial(s), {metric} over the folds (best first)" + (search.Skipped > 0 ? $"; {search.Skipped} not run (budget)" : ""),
            ["rank", .. names, $"mean {metric}", "std", "epochs", "seconds", "status"],
            search.Trials.Select((t, i) => (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), .. names.Select(n => Terminal.Format(t.HyperParameters[n])),
                Terminal.F(t.Mean, "G4"), Terminal.F(t.Std, "G3"), t.MeanBestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "-", Terminal.F(t.Duration.TotalSeconds, "F1"),
                t.Status == TrialStatus.Ok ? "ok" : "failed: " + t.Error]));
        var path = result.GetValue(Results)!;
        search.WriteCsv(path);
        terminal.Line($"Wrote every trial to {path}.");
    }

    /// <summary>The best trial; when every candidate failed, a usage error quoting the first failure.</summary>
    public static Trial Best(SearchResult search)
    {
        if (search.Trials.Count > 0 && search.Trials[0].Status == TrialStatus.Ok) return search.Best;
        throw new CliException($"Every candidate failed; the first: [{search.Trials[0].HyperParameters}] {search.Trials[0].Error}");
    }

    /// <summary>The search's outcome for the --json result.</summary>
    public JsonObject Summary(ParseResult result, SearchResult search, string metric) => new()
    {
        ["metric"] = metric, ["best"] = Best(search).HyperParameters.ToString(), ["best_mean"] = Best(search).Mean, ["best_std"] = Best(search).Std,
        ["trials"] = search.Trials.Count, ["failed"] = search.Trials.Count(t => t.Status == TrialStatus.Failed), ["results"] = result.GetValue(Results),
    };

    sealed class Reporter(Action<SearchProgress> action) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value) => action(value);
    }
}
