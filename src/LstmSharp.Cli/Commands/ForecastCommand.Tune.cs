// `lstm forecast tune`: chooses look-back, size and training settings by time-series cross-validation (rolling
// origins before the test part), prints every trial, then trains the best on all training rows like `train`.
using System.CommandLine;
using LstmSharp.Forecasting;
using LstmSharp.Tuning;

namespace LstmSharp.Cli.Commands;

internal static partial class ForecastCommand
{
    static Command Tune(CliHost host)
    {
        var setup = new SetupOptions(searchTransform: true);
        var space = new SearchSpaceOptions();
        space.Add("lookback", "Past steps the network sees.", "12", integer: true);
        space.Add("units", "Units per LSTM layer.", "16,32", integer: true);
        space.Add("layers", "Stacked LSTM layers.", "1", integer: true);
        space.Add("dropout", "Input dropout of each LSTM layer.", "0", integer: false);
        space.Add("learning_rate", "Adam learning rate.", "0.001,0.005", integer: false);
        space.Add("batch_size", "Mini-batch size.", "16", integer: true);
        var metric = new Option<string>("--metric") { Description = "Score of each fold's forecasts: mase, mae, rmse or smape (lower is better).", DefaultValueFactory = _ => "mase" };
        metric.AcceptOnlyFromAmong("mase", "mae", "rmse", "smape");
        var command = new Command("tune", "Choose hyper-parameters by time-series cross-validation on the rows before the test part, then train, score and save the best.") { metric };
        setup.AddTo(command);
        space.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var seed = r.GetValue(common.Seed);
            var path = r.GetValue(setup.Data.Data)!;
            var series = setup.ReadSeries(r);
            var baseline = setup.Read(r, seed);
            CheckDecoderStrategy(baseline);
            if (setup.ChoosesCalendar(r) && baseline.Strategy == ForecastStrategy.Direct) baseline = baseline with { Calendar = series.Dates is { } rows ? ForecastCalendar.Auto(rows) : CalendarFeatures.None };
            var dates = CalendarDates(path, series, baseline);
            // The seasonal difference's season comes from the data (Split, below); the rest is checked now.
            (baseline with { Season = baseline.Transform == SeriesTransform.SeasonalDifference ? 2 : 0 }).Validate();
            var searchSpace = space.Read(r);
            var transforms = r.GetValue(setup.Transform)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (transforms.Length == 0) throw new CliException("--transform needs at least one of none, diff, log-diff.");
            foreach (var transform in transforms) SetupOptions.ParseTransform(transform);
            if (transforms.Length > 1) searchSpace = new SearchSpace([.. searchSpace.Parameters, new Choice<string>("transform", transforms)]);
            var name = r.GetValue(metric)!;
            var longest = searchSpace.Parameters.First(p => p.Name == "lookback") is IntRange range ? range.Max
                : searchSpace.Parameters.First(p => p.Name == "lookback").GridValues().Max(v => (int)v);
            var (testStart, season, _) = Split(path, series, baseline.Horizon, r.GetValue(setup.Data.Test), r.GetValue(setup.Data.Season), longest + 1);
            if (transforms.Contains("seasonal-diff") && season < 2)
                throw new CliException($"{path}: --transform seasonal-diff needs a season, and none was detected before the test part; give it with --season.");
            var k = r.GetValue(space.Folds);
            if (k < 1) throw new CliException($"--folds must be at least 1; received {k}.");
            // The search can take long; an output that cannot be written must fail now, not after it.
            CliFiles.CheckOutput(r.GetValue(setup.Output)!, "--output", path);
            var log = TrainingLog.Open(r.GetValue(setup.LogDir)!);
            // Each fold validates on a block as long as the test part (shorter when the folds would not fit in half the rows).
            var block = Math.Max(baseline.Horizon, Math.Min(series.Rows - testStart, testStart / (2 * k)));
            IReadOnlyList<Fold> folds;
            try
            {
                folds = new TimeSeriesSplit(k, testSize: block).Split(testStart);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"{path}: {CliErrors.Message(e)}");
            }
            terminal.Settings("forecast tune", [
                ("data", $"{CliFiles.Show(path)} ({series.Rows} rows)"), ("target", series.Names[0]), ("features", series.Names.Count > 1 ? string.Join(", ", series.Names.Skip(1)) : "none"),
                ("search space", searchSpace.ToString()), ("search", $"{r.GetValue(space.Search)}, {(r.GetValue(space.Trials) is var t && t > 0 ? $"≤ {t}" : "all")} trials" +
                    (r.GetValue(space.Minutes) > 0 ? $", ≤ {r.GetValue(space.Minutes)} minutes" : "")),
                ("folds", $"{k} rolling origins over the first {testStart} rows, each validating {block} rows (rows {folds[0].Validation[0] + 1}…{testStart})"),
                ("score", $"{name} of the {baseline.Horizon}-step forecasts (season {season}), mean over folds"),
                ("fixed", $"horizon {baseline.Horizon}, {Terminal.Words(baseline.Strategy)}, {(transforms.Length > 1 ? "" : $"{Terminal.Words(baseline.Transform)}, ")}{Terminal.Words(baseline.Scaling)}, calendar {CalendarText(baseline, setup.ChoosesCalendar(r))}, ≤ {baseline.Epochs} epochs, patience {baseline.Patience}"),
                ("test", $"last {series.Rows - testStart} rows, used only by the final model"), ("seed", seed), ("results", r.GetValue(space.Results)), ("output", r.GetValue(setup.Output)),
            ]);
            var tuner = SearchSpaceOptions.Tuner(searchSpace, space.Options(r, "val_" + name, seed, SearchSpaceOptions.Progress(terminal, name)));
            var stop = new TrainingDisplay.StopOnCancel(terminal.Cancel);
            var result = tuner.Search(folds, (h, fold, _) =>
            {
                terminal.Cancel.ThrowIfCancellationRequested();
                var origin = fold.Validation[0];
                var end = fold.Validation[^1] + 1;
                var columns = series.Columns.Select(c => c[..end]).ToArray();
                var times = dates?.Take(end).ToArray();
                var forecaster = Forecaster.Train(columns, series.Names, origin, Candidate(baseline, h, season), callbacks: [stop], times: times);
                terminal.Cancel.ThrowIfCancellationRequested();
                var scores = ForecastEvaluation.Run(forecaster, columns, origin, season, times).Scores[ForecastEvaluation.ModelName];
                var score = name switch { "mae" => scores.Mae, "rmse" => scores.Rmse, "smape" => scores.Smape, _ => scores.Mase };
                return new FoldScore(score, (int)Math.Round(forecaster.BestEpochs.Average()));   // an ensemble's members' mean
            });
            space.Report(terminal, r, result, name);
            var bestTrial = SearchSpaceOptions.Best(result);
            var best = Candidate(baseline, bestTrial.HyperParameters, season);
            terminal.Line($"Best: {bestTrial.HyperParameters} ({name} {bestTrial.Mean:G4} ± {bestTrial.Std:G3}); training it on all {testStart} rows before the test part.");
            var search = space.Summary(r, result, name);
            return RunTrain(terminal, path, series.Names[0], [.. series.Names.Skip(1)], series.TimeColumn, SeriesCsv.ParsePolicy(r.GetValue(setup.Data.Missing)!),
                best, series.Rows - testStart, season, 0, r.GetValue(setup.Output)!, r.GetValue(setup.Data.Plot)!, log, search);
        }));
        return command;
    }

    /// <summary>The baseline with a trial's hyper-parameters; the seasonal difference takes <paramref name="season"/>.</summary>
    static ForecastOptions Candidate(ForecastOptions baseline, HyperParameters h, int season)
    {
        var transform = h.Contains("transform") ? SetupOptions.ParseTransform(h.Get<string>("transform")) : baseline.Transform;
        return baseline with
        {
            Lookback = h.GetInt("lookback"), Units = h.GetInt("units"), Layers = h.GetInt("layers"), Dropout = h.GetFloat("dropout"),
            LearningRate = h.GetFloat("learning_rate"), BatchSize = h.GetInt("batch_size"),
            Transform = transform, Season = transform == SeriesTransform.SeasonalDifference ? season : 0,
        };
    }
}
