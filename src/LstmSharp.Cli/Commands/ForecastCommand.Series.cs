// `lstm forecast` over several series of one file (long format with --series-column, or wide with several --target
// columns): each series split and scored on its own, one season for all, the scores per series and their mean.
using System.Text.Json.Nodes;
using LstmSharp.Data;
using LstmSharp.Forecasting;

namespace LstmSharp.Cli.Commands;

internal static partial class ForecastCommand
{
    /// <summary>Series plotted one file each, the first ones in the file; the rest are scored but not drawn.</summary>
    const int MostPlots = 8;

    /// <summary>One series of the data: its id (null for the only one), its rows, their dates for calendar features, and where its test part starts.</summary>
    sealed record Part(string? Id, TimeSeries Series, IReadOnlyList<DateTime>? Dates, int TestStart)
    {
        /// <summary>How messages name it: the file, and the series when there are several.</summary>
        public static string Where(string path, string? id) => id is null ? path : $"{path} (series '{CliFiles.Quote(id)}')";
    }

    /// <summary>The parts of a file's series split as <see cref="Split"/> does each; their common season and the seasons detected in at least half of them.</summary>
    sealed record Parts(IReadOnlyList<Part> All, int Season, int[] Seasons)
    {
        public bool Global => All[0].Id is not null;

        /// <summary>The shortest training part (with validation), which the automatic look-back must fit.</summary>
        public int TrainRows => All.Min(p => p.TestStart);
    }

    /// <summary>
    /// Splits every series (<see cref="Split"/>; the same <paramref name="test"/> rows of each, 0 = 10 % of the shortest
    /// series and at least the horizon when there are several) and finds the season they share: the given one, else the
    /// season detected in most series (the shorter on a tie). Dates are read for calendar features.
    /// </summary>
    static Parts SplitAll(string path, IReadOnlyList<SeriesRead> read, ForecastOptions options, int test, int season, int history)
    {
        if (read.Count > 1 && test == 0) test = Math.Max(options.Horizon, (int)Math.Round(0.1 * read.Min(p => p.Series.Rows)));
        var parts = new List<Part>();
        var detected = new List<(int Season, int[] Seasons)>();
        foreach (var (id, series) in read)
        {
            var where = Part.Where(path, id);
            var dates = CalendarDates(where, series, options);
            var (testStart, found, seasons) = Split(where, series, options.Horizon, test, season, history);
            parts.Add(new Part(id, series, dates, testStart));
            detected.Add((found, seasons));
        }
        if (parts.Count == 1) return new Parts(parts, detected[0].Season, detected[0].Seasons);
        var common = season != 0 ? season : detected.GroupBy(d => d.Season).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        foreach (var part in parts)
        {
            if (common >= part.TestStart)
                throw new CliException($"{Part.Where(path, part.Id)}: the season {common} (found in most series) needs more than {common} rows before the test part; this series has {part.TestStart}.");
        }
        int[] shared = season != 0 ? (season >= 2 ? [season] : [])
            : [.. detected.SelectMany(d => d.Seasons).GroupBy(s => s).Where(g => 2 * g.Count() >= parts.Count).Select(g => g.Key).Order()];
        return new Parts(parts, common, shared);
    }

    /// <summary>`--transform auto` over every series: the seasonal difference when it suits more than half of them (<see cref="ChooseSeasonalDifference"/>).</summary>
    static (bool Seasonal, string Why) ChooseSeasonalDifference(Parts parts)
    {
        var votes = parts.All.Select(p => ChooseSeasonalDifference(p.Series.Columns[0].AsSpan(0, p.TestStart), parts.Season)).ToArray();
        if (votes.Length == 1) return votes[0];
        var yes = votes.Count(v => v.Seasonal);
        return (2 * yes > votes.Length, parts.Season < 2 ? "no season"
            : $"season {parts.Season}: its changes vary less than the steps in {yes} of {votes.Length} series");
    }

    /// <summary>
    /// Forecasts and scores every series' test part; shows the scores (one series: its table; several: MASE per series,
    /// then the mean of every score over the series) and adds them to <paramref name="json"/>: <c>test</c> and, for quantiles,
    /// <c>intervals</c> (the means over the series when there are several), and <c>series</c> (each one's scores) for several.
    /// </summary>
    static ForecastEvaluation[] ScoreAll(Terminal terminal, Forecaster forecaster, Parts parts, JsonObject json)
    {
        var h = forecaster.Options.Horizon;
        var evaluations = parts.All.Select(p => ForecastEvaluation.Run(forecaster, p.Series.Columns, p.TestStart, parts.Season, p.Dates, p.Id)).ToArray();
        foreach (var (p, e) in parts.All.Zip(evaluations)) WarnFarOutside(terminal, p.Series.Columns[0].AsSpan(0, p.TestStart), e.Forecasts.SelectMany(f => f), p.Id);
        if (!parts.Global)
        {
            var (part, evaluation) = (parts.All[0], evaluations[0]);
            ShowScores(terminal, $"test: {part.Series.Rows - part.TestStart} rows, {evaluation.Origins.Count} origin(s) × {h} step(s)", evaluation.Scores, parts.Season, evaluation.Intervals);
            json["test"] = ScoresJson(evaluation.Scores);
            if (evaluation.Intervals is not null) json["intervals"] = IntervalsJson(evaluation.Intervals);
            return evaluations;
        }
        var names = evaluations[0].Scores.Keys.ToArray();
        var rows = parts.All.Zip(evaluations, (p, e) => (IReadOnlyList<string>)[p.Id!, $"{p.Series.Rows - p.TestStart}", .. names.Select(n => Terminal.F(e.Scores[n].Mase))]).ToList();
        terminal.Results($"test per series (MASE): {parts.All.Count} series", ["series", "test rows", .. names], rows);
        var mean = names.ToDictionary(n => n, n => new ForecastScores(
            evaluations.Average(e => e.Scores[n].Mae), evaluations.Average(e => e.Scores[n].Rmse), evaluations.Average(e => e.Scores[n].Mape),
            evaluations.Average(e => e.Scores[n].Smape), evaluations.Average(e => e.Scores[n].Mase)));
        var wins = evaluations.Count(e => e.Scores.Values.All(s => e.Scores[ForecastEvaluation.ModelName].Mase <= s.Mase));
        // Every series has as many test rows, so the mean of the series' coverages is the coverage over all of them.
        var intervals = evaluations[0].Intervals is null ? null : new ForecastIntervalScores(
            [.. evaluations[0].Intervals!.Intervals.Select((c, i) => c with
            {
                Observed = evaluations.Average(e => e.Intervals!.Intervals[i].Observed), MeanWidth = evaluations.Average(e => e.Intervals!.Intervals[i].MeanWidth),
            })],
            evaluations.Average(e => e.Intervals!.Wis), evaluations.Average(e => e.Intervals!.ScaledWis), evaluations.Average(e => e.Intervals!.QuantileLoss));
        ShowScores(terminal, $"test: mean over the {parts.All.Count} series, each {evaluations[0].Origins.Count} origin(s) × {h} step(s)", mean, parts.Season, intervals);
        terminal.Line($"The LSTM has the lowest MASE of every forecast on {wins} of the {parts.All.Count} series.");
        json["test"] = ScoresJson(mean);
        if (intervals is not null) json["intervals"] = IntervalsJson(intervals);
        json["series"] = new JsonArray([.. parts.All.Zip(evaluations, (p, e) =>
        {
            var one = new JsonObject { ["id"] = p.Id, ["rows"] = p.Series.Rows, ["test_rows"] = p.Series.Rows - p.TestStart, ["test"] = ScoresJson(e.Scores) };
            if (e.Intervals is not null) one["intervals"] = IntervalsJson(e.Intervals);
            return (JsonNode?)one;
        })]);
        return evaluations;
    }

    /// <summary>The forecast plot of each series (the first <see cref="MostPlots"/> of several, one file each); the files written.</summary>
    static List<string> PlotAll(Parts parts, ForecastEvaluation[] evaluations, string plot, int horizon, IReadOnlyList<int> keptEpochs)
    {
        var files = new List<string>();
        for (var i = 0; i < Math.Min(parts.All.Count, MostPlots); i++)
        {
            var part = parts.All[i];
            var file = part.Id is null ? $"{plot}-forecast.png" : $"{plot}-forecast-{FileSafe(part.Id)}.png";
            PlotForecast(part.Series, evaluations[i], part.TestStart, file, horizon, keptEpochs, part.Id);
            files.Add(file);
        }
        return files;
    }

    /// <summary>How many rows the data has, for the settings: "144 rows", "4 series of 5698 rows", "3 series of 120–210 rows".</summary>
    static string RowsText(TimeSeries[] series)
    {
        if (series.Length == 1) return $"{series[0].Rows} rows";
        var (least, most) = (series.Min(s => s.Rows), series.Max(s => s.Rows));
        return $"{series.Length} series of {least}{(most > least ? $"–{most}" : "")} rows";
    }

    /// <summary>A series id as part of a file name: letters, digits, '-', '_' and '.' kept, anything else '_'.</summary>
    static string FileSafe(string id) => string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>
    /// The target's name in a global forecaster: the value column in long format; in wide format, where each series has its
    /// own target column, "value" (or "value_", … when a feature has that name).
    /// </summary>
    static string TargetName(Parts parts, string? seriesColumn)
    {
        if (!parts.Global || seriesColumn is not null) return parts.All[0].Series.Names[0];
        var name = "value";
        while (parts.All[0].Series.Names.Skip(1).Contains(name)) name += "_";
        return name;
    }
}
