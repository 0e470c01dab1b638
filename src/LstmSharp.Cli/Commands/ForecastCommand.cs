// `lstm forecast train|evaluate|predict`: LSTM forecasting of a CSV column, scored against the naive and
// seasonal-naive baselines on a held-out test part, with a rolling-origin backtest, plots and a model file.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Data;
using LstmSharp.Forecasting;
using nietras.SeparatedValues;

namespace LstmSharp.Cli.Commands;

internal static partial class ForecastCommand
{
    public static Command Create(CliHost host)
    {
        var command = new Command("forecast", "Forecast a numeric column of a CSV file with an LSTM.");
        command.Subcommands.Add(Train(host));
        command.Subcommands.Add(Evaluate(host));
        command.Subcommands.Add(Predict(host));
        command.Subcommands.Add(Tune(host));
        command.Subcommands.Add(Detect(host));
        return command;
    }

    sealed class DataOptions(bool savedModel = false)
    {
        public Argument<string> Data { get; } = new("data") { Description = "CSV file with a header row." };
        public Option<string> Missing { get; } = new("--missing")
        {
            Description = "Missing values (empty, NA, NaN): interpolate linearly, ffill (carry the last value), drop the row, or error" +
                (savedModel ? " (default: as the model was trained)." : "; the training and test parts are filled apart."),
            DefaultValueFactory = _ => savedModel ? "" : "error",
        };
        public Option<int> Season { get; } = new("--season")
        {
            Description = "Season length for the seasonal-naive baseline and MASE (1 = none; 0 = " + (savedModel ? "as the model was trained)." : "detect)."),
            DefaultValueFactory = _ => 0,
        };
        public Option<int> Test { get; } = new("--test")
        {
            Description = "Rows at the end held out for testing (0 = " + (savedModel ? "as many as in training)." : "10% of the rows, at least the horizon)."),
            DefaultValueFactory = _ => 0,
        };
        public Option<string> Plot { get; } = new("--plot") { Description = "Prefix of the PNG plots (<prefix>-forecast.png, <prefix>-loss.png); '' for none.", DefaultValueFactory = _ => "forecast" };

        public void AddTo(Command c)
        {
            c.Arguments.Add(Data);
            c.Options.Add(Missing);
            c.Options.Add(Season);
            c.Options.Add(Test);
            c.Options.Add(Plot);
        }
    }

    /// <summary>The options `train` and `tune` share: columns, the forecast's shape and the training budget.</summary>
    sealed class SetupOptions
    {
        public DataOptions Data { get; } = new();
        public Option<string> Target { get; } = new("--target")
        {
            Description = "Column to forecast (default: the last column). `train`: several, comma-separated, are several series (wide format) forecast by one global model.",
            DefaultValueFactory = _ => "",
        };
        public Option<string[]> Features { get; } = new("--features")
        {
            Description = "Other numeric columns to use as inputs, comma-separated or repeated (default: none).", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true,
        };
        public Option<string[]> FutureFeatures { get; } = new("--future-features")
        {
            Description = "Numeric columns whose values are known for the forecast steps too (a promotion planned, a schedule, a weather forecast), comma-separated or repeated: " +
                "read beside the history and at every forecast step; `predict` takes their values for the steps after the data from the file's last rows, " +
                "where the target is empty. Direct strategy (default: none).",
            DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true,
        };
        public Option<string> Time { get; } = new("--time-column") { Description = "Column of times for plots and forecast output (default: a non-numeric first column).", DefaultValueFactory = _ => "" };
        public Option<string> DateColumns { get; } = new("--date-columns")
        {
            Description = "Build the time axis from 2 to 4 whole-number columns, comma-separated: year, month, then day and hour (e.g. year,month); instead of --time-column (default: none).",
            DefaultValueFactory = _ => "",
        };
        public Option<int> Horizon { get; } = new("--horizon") { Description = "Future steps forecast from each origin.", DefaultValueFactory = _ => 1 };
        public Option<string> Strategy { get; } = new("--strategy") { Description = "Multi-step forecasts: direct (one output per step) or recursive (one-step model fed its own forecasts).", DefaultValueFactory = _ => "direct" };
        public Option<string> Transform { get; }
        public Option<string> Quantiles { get; } = new("--quantiles")
        {
            Description = "Forecast these quantiles too, comma-separated in (0, 1) (e.g. 0.05,0.1,0.9,0.95 for 80% and 90% intervals; the median 0.5 is added and is the point forecast), trained on the quantile loss; 'none' for point forecasts.",
            DefaultValueFactory = _ => "none",
        };
        public Option<string> Calendar { get; } = new("--calendar")
        {
            Description = "Calendar features of each step's date, known for the forecast steps too, comma-separated: hour (of day), weekday, yearday (day of year), month; " +
                "auto (from the time step: hour,weekday below a day, weekday for days, yearday too up to weeks over two years or more, month for months and quarters) or none. Needs dates in the time column.",
            DefaultValueFactory = _ => "none",
        };
        public Option<string> Holidays { get; } = new("--holidays")
        {
            Description = "File of holidays, one date (yyyy-MM-dd) per line or in the first CSV column: a flag per step, known for the forecast steps too (default: none).",
            DefaultValueFactory = _ => "",
        };
        public Option<string> Scaling { get; } = new("--scaling") { Description = "Column scaling fitted on the training part: standard or minmax.", DefaultValueFactory = _ => "standard" };
        public Option<float> ClipNorm { get; } = new("--clip-norm") { Description = "Clip the gradients to this global norm (0 = off).", DefaultValueFactory = _ => 1f };
        public Option<float> Decay { get; } = new("--learning-rate-decay")
        {
            Description = "Multiply the learning rate by this when the validation loss has not improved for a third of --patience epochs (at least 10; 0 = never).",
            DefaultValueFactory = _ => 0.5f,
        };
        public Option<int> Epochs { get; } = new("--epochs") { Description = "Most training epochs.", DefaultValueFactory = _ => 200 };
        public Option<int> Patience { get; } = new("--patience") { Description = "Early stopping: epochs without a better validation loss (0 = off).", DefaultValueFactory = _ => 30 };
        public Option<float> Validation { get; } = new("--validation") { Description = "Fraction of the training windows (the latest) used for validation.", DefaultValueFactory = _ => 0.1f };
        public Option<int> Ensemble { get; } = new("--ensemble")
        {
            Description = "Networks trained one after the other (each from its own initial weights and shuffling, on the same windows) whose outputs are averaged " +
                "(every step's and quantile's; for --strategy recursive at every step, before it is fed back).",
            DefaultValueFactory = _ => 1,
        };
        public Option<string> Output { get; } = new("--output", "-o") { Description = "Model file to write.", DefaultValueFactory = _ => "forecast.safetensors" };
        public Option<string> LogDir { get; } = CommonOptions.LogDir();

        /// <param name="searchTransform">`tune`: --transform takes a comma-separated list, each value a candidate.</param>
        public SetupOptions(bool searchTransform = false)
        {
            Transform = new("--transform")
            {
                Description = "What the network models: none, diff (first differences), log-diff (relative change), seasonal-diff (change since one --season before)" +
                    (searchTransform ? ". Comma-separated values to try." : ", or auto: seasonal-diff when there is a season (given or detected) whose changes vary less than the steps, else diff."),
                DefaultValueFactory = _ => searchTransform ? "diff" : "auto",
            };
            Strategy.AcceptOnlyFromAmong("direct", "recursive");
            if (!searchTransform) Transform.AcceptOnlyFromAmong("auto", "none", "diff", "log-diff", "seasonal-diff");
            Scaling.AcceptOnlyFromAmong("standard", "minmax");
        }

        public void AddTo(Command c)
        {
            foreach (var option in new Option[] { Target, Features, FutureFeatures, Time, DateColumns, Horizon, Strategy, Transform, Quantiles, Calendar, Holidays, Scaling, ClipNorm, Decay, Epochs, Patience, Validation, Ensemble, Output, LogDir }) c.Options.Add(option);
            Data.AddTo(c);
        }

        public ForecastOptions Read(ParseResult r, int seed) => new()
        {
            Horizon = r.GetValue(Horizon),
            Strategy = r.GetValue(Strategy) == "recursive" ? ForecastStrategy.Recursive : ForecastStrategy.Direct,
            Transform = r.GetValue(Transform) == "auto" ? SeriesTransform.Difference : ParseTransform(r.GetValue(Transform)!.Split(',')[0].Trim()),
            Scaling = r.GetValue(Scaling) == "minmax" ? ScalingMethod.MinMax : ScalingMethod.Standard, Quantiles = ParseQuantiles(r.GetValue(Quantiles)!),
            Calendar = ChoosesCalendar(r) ? CalendarFeatures.None : ParseCalendar(r.GetValue(Calendar)!), Holidays = ReadHolidays(r.GetValue(Holidays)!),
            FutureInputs = FutureNames(r).Length, ClipNorm = r.GetValue(ClipNorm), LearningRateDecay = r.GetValue(Decay), Epochs = r.GetValue(Epochs), Patience = r.GetValue(Patience), ValidationFraction = r.GetValue(Validation), Seed = seed,
            Ensemble = r.GetValue(Ensemble),
        };

        /// <summary>--calendar auto: the features are chosen from the data's time step (<see cref="LstmSharp.Forecasting.ForecastCalendar.Auto"/>).</summary>
        public bool ChoosesCalendar(ParseResult r) => r.GetValue(Calendar)!.Trim() == "auto";

        static CalendarFeatures ParseCalendar(string text)
        {
            try
            {
                return LstmSharp.Forecasting.ForecastCalendar.Parse(text);
            }
            catch (FormatException e)
            {
                throw new CliException($"--calendar: {e.Message[..^1]}, comma-separated, or auto.");
            }
        }

        /// <summary>--holidays: the dates of a file, one per line or the first field of each CSV line; a first line that is no date is a header; '#' starts a comment line.</summary>
        static DateOnly[] ReadHolidays(string path)
        {
            if (path.Length == 0) return [];
            CliFiles.CheckInput(path);
            var lines = File.ReadAllLines(path);
            var dates = new SortedSet<DateOnly>();
            var first = true;   // the first line with something on it may be a header
            for (var i = 0; i < lines.Length; i++)
            {
                var field = lines[i].Split(',')[0].Trim().Trim('"');
                if (field.Length == 0 || field.StartsWith('#')) continue;
                var header = first;
                first = false;
                if (DateOnly.TryParseExact(field, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) dates.Add(date);
                else if (!header) throw new CliException($"{path}:{i + 1}: '{CliFiles.Quote(field)}' is not a date (yyyy-MM-dd); --holidays takes one date per line or in the first CSV column.");
            }
            if (dates.Count == 0) throw new CliException($"{path}: no dates (yyyy-MM-dd) in the file; --holidays takes one date per line or in the first CSV column.");
            return [.. dates];
        }

        /// <summary>--quantiles: 'none', or levels in (0, 1), with the median added; sorted, duplicates dropped.</summary>
        public static float[] ParseQuantiles(string text)
        {
            if (text.Trim() is "none" or "") return [];
            var levels = new SortedSet<float> { 0.5f };
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) || !(q > 0f && q < 1f))
                    throw new CliException($"--quantiles takes levels in (0, 1), comma-separated (e.g. 0.1,0.9), or 'none'; received '{CliFiles.Quote(part)}'.");
                levels.Add(q);
            }
            return [.. levels];
        }

        public static SeriesTransform ParseTransform(string text) => text switch
        {
            "none" => SeriesTransform.None,
            "diff" => SeriesTransform.Difference,
            "log-diff" => SeriesTransform.LogDifference,
            "seasonal-diff" => SeriesTransform.SeasonalDifference,
            _ => throw new CliException($"--transform must be none, diff, log-diff or seasonal-diff; received '{text}'."),
        };

        /// <summary>The --transform word of <paramref name="transform"/>, as <see cref="ParseTransform"/> reads it.</summary>
        public static string TransformName(SeriesTransform transform) => transform switch
        {
            SeriesTransform.None => "none",
            SeriesTransform.LogDifference => "log-diff",
            SeriesTransform.SeasonalDifference => "seasonal-diff",
            _ => "diff",
        };

        /// <summary>--features, then --future-features (the columns known in the future last, as <see cref="ForecastOptions.FutureInputs"/> counts them).</summary>
        public string[] FeatureNames(ParseResult r)
        {
            var future = FutureNames(r);
            var target = r.GetValue(Target)!.Split(',', StringSplitOptions.TrimEntries);
            if (future.FirstOrDefault(target.Contains) is { } both)
                throw new CliException($"--future-features names the target '{CliFiles.Quote(both)}'; its future is what is forecast.");
            return [.. Names(r.GetValue(Features)!).Where(f => !future.Contains(f)), .. future];
        }

        string[] FutureNames(ParseResult r) => [.. Names(r.GetValue(FutureFeatures)!).Distinct()];

        static IEnumerable<string> Names(string[] values) => values.SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        /// <summary>`tune`: the one series it searches on.</summary>
        public TimeSeries ReadSeries(ParseResult r)
        {
            if (r.GetValue(Target)!.Contains(',', StringComparison.Ordinal))
                throw new CliException($"`lstm forecast tune` searches on one series; --target {r.GetValue(Target)} names several. Tune on one of them, then train every series with `lstm forecast train`.");
            return SeriesCsv.Read(r.GetValue(Data.Data)!, r.GetValue(Target), FeatureNames(r), TimeColumn(r), SeriesCsv.ParsePolicy(r.GetValue(Data.Missing)!));
        }

        /// <summary>--time-column, or --date-columns as the comma-joined names the series reads a date from (and the model file records).</summary>
        public string TimeColumn(ParseResult r)
        {
            var (time, dates) = (r.GetValue(Time)!, r.GetValue(DateColumns)!);
            if (time.Length > 0 && dates.Length > 0) throw new CliException("Give --time-column or --date-columns, not both.");
            if (dates.Length > 0 && !dates.Contains(',', StringComparison.Ordinal))
                throw new CliException($"--date-columns takes 2 to 4 column names (year, month, then day and hour); received '{CliFiles.Quote(dates)}'. A single column is a --time-column.");
            return dates.Length > 0 ? string.Join(',', dates.Split(',', StringSplitOptions.TrimEntries)) : time;
        }
    }

    static Command Train(CliHost host)
    {
        var setup = new SetupOptions();
        var lookback = new Option<int>("--lookback")
        {
            Description = "Past steps the network sees (0 = the longest detected season, at least 12 and the horizon, at most a quarter of the training rows).",
            DefaultValueFactory = _ => 0,
        };
        var units = new Option<int>("--units") { Description = "Units per LSTM layer.", DefaultValueFactory = _ => 32 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers.", DefaultValueFactory = _ => 1 };
        var dropout = new Option<float>("--dropout") { Description = "Input dropout of each LSTM layer.", DefaultValueFactory = _ => 0f };
        var rate = new Option<float>("--learning-rate") { Description = "Adam learning rate.", DefaultValueFactory = _ => 0.005f };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size.", DefaultValueFactory = _ => 16 };
        var backtest = new Option<int>("--backtest") { Description = "Rolling-origin backtest with this many origins (one horizon apart, retrained at each; 0 = none).", DefaultValueFactory = _ => 0 };
        var seriesColumn = new Option<string>("--series-column")
        {
            Description = "Column of series ids (long format: a row per series and time): one series per id, all forecast by one global model, each scaled on its own (default: one series).",
            DefaultValueFactory = _ => "",
        };
        var command = new Command("train", "Train a forecaster, score it on the test part next to naive baselines, plot it and save it.")
        {
            lookback, units, layers, dropout, rate, batch, backtest, seriesColumn,
        };
        setup.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var options = setup.Read(r, r.GetValue(common.Seed)) with
            {
                Lookback = r.GetValue(lookback), Units = r.GetValue(units), Layers = r.GetValue(layers), Dropout = r.GetValue(dropout),
                LearningRate = r.GetValue(rate), BatchSize = r.GetValue(batch),
            };
            return RunTrain(terminal, r.GetValue(setup.Data.Data)!, r.GetValue(setup.Target), setup.FeatureNames(r), setup.TimeColumn(r), SeriesCsv.ParsePolicy(r.GetValue(setup.Data.Missing)!),
                options, r.GetValue(setup.Data.Test), r.GetValue(setup.Data.Season), r.GetValue(backtest), r.GetValue(setup.Output)!, r.GetValue(setup.Data.Plot)!, TrainingLog.Open(r.GetValue(setup.LogDir)!),
                chooseTransform: r.GetValue(setup.Transform) == "auto", chooseCalendar: setup.ChoosesCalendar(r), seriesColumn: r.GetValue(seriesColumn));
        }));
        return command;
    }

    /// <param name="target">The column to forecast (null or empty: the last column); several, comma-separated, are several series (wide format) of one global forecaster.</param>
    /// <param name="shownAs">How the settings name the data file (default: its path).</param>
    /// <param name="options">Lookback 0 is chosen here from the seasons (see <see cref="AutoLookback"/>); the seasonal
    /// difference takes the detected or given season.</param>
    /// <param name="chooseTransform">`--transform auto`: the seasonal difference when there is a season, else first differences.</param>
    /// <param name="chooseCalendar">`--calendar auto`: the calendar features from the rows' time step (none without dates).</param>
    /// <param name="seriesColumn">Long format: one series per value of this column, all forecast by one global forecaster; null for none.</param>
    internal static int RunTrain(Terminal terminal, string path, string? target, string[] features, string? timeColumn, MissingPolicy missing,
        ForecastOptions options, int test, int season, int backtest, string output, string plot, TrainingLog? log, JsonObject? search = null, string? shownAs = null,
        bool chooseTransform = false, bool chooseCalendar = false, string? seriesColumn = null)
    {
        if (options.Lookback < 0) throw new CliException($"--lookback must be 0 (chosen from the seasons) or more; received {options.Lookback}.");
        if (seriesColumn is { Length: 0 }) seriesColumn = null;
        CheckDecoderStrategy(options);
        var seasonal = options.Transform == SeriesTransform.SeasonalDifference;
        // Every other setting is checked before the file is read; the look-back and the transform's season come from the data.
        (options with { Lookback = Math.Max(1, options.Lookback), Season = seasonal ? Math.Max(2, options.Season) : options.Season }).Validate();
        if (backtest < 0) throw new CliException($"--backtest must be 0 (none) or more; received {backtest}.");
        CliFiles.CheckOutput(output, "--output", path);
        var read = SeriesCsv.ReadAll(path, (target ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), features, timeColumn, missing, seriesColumn,
            options.FutureInputs);
        var first = read[0].Series;
        if (read[0].Id is not null && backtest > 0)
            throw new CliException($"--backtest retrains on one series; {read.Count} series (--series-column or several --target columns) are not backtested yet. Leave out --backtest.");
        if (chooseCalendar && options.Strategy == ForecastStrategy.Direct) options = options with { Calendar = first.Dates is { } rows ? ForecastCalendar.Auto(rows) : CalendarFeatures.None };
        var parts = SplitAll(path, read, options, test, season, Math.Max(1, options.Lookback) + 1);
        var (global, resolvedSeason, seasons) = (parts.Global, parts.Season, parts.Seasons);
        var automatic = options.Lookback == 0;
        if (automatic) options = options with { Lookback = AutoLookback(seasons, options.Horizon, parts.TrainRows) };
        var why = "";
        if (chooseTransform)
        {
            (seasonal, why) = ChooseSeasonalDifference(parts);
            options = options with { Transform = seasonal ? SeriesTransform.SeasonalDifference : SeriesTransform.Difference };
        }
        if (seasonal)
        {
            if (resolvedSeason < 2)
            {
                throw new CliException($"{path}: --transform seasonal-diff needs a season, and none was detected in the {parts.TrainRows} rows before the test part; " +
                    "give it with --season, or choose another --transform.");
            }
            options = options with { Season = resolvedSeason };
        }
        var (all, testRows) = (parts.All, first.Rows - parts.All[0].TestStart);
        string[] names = [TargetName(parts, seriesColumn), .. first.Names.Skip(1)];
        var rowCount = all.Sum(p => p.Series.Rows);
        var repaired = all.Sum(p => p.Series.Repaired);
        List<(string Name, object? Value)> settings = [("data", $"{shownAs ?? CliFiles.Show(path)} ({RowsText([.. all.Select(p => p.Series)])})")];
        if (global)
        {
            settings.Add(("series", (seriesColumn is not null ? $"one per value of '{seriesColumn}' (long format): " : "one per target column (wide format): ") +
                string.Join(", ", all.Take(5).Select(p => p.Id)) + (all.Count > 5 ? $" and {all.Count - 5} more" : "") + "; one network, each series scaled on its own"));
        }
        settings.AddRange([
            ("target", seriesColumn is null && global ? $"each series' own column ('{names[0]}' in the model)" : names[0]), ("features", FeaturesText(names, options.FutureInputs)),
            ("time column", first.TimeColumn ?? "none"), ("missing", $"{SeriesCsv.PolicyName(missing)} ({repaired} {(missing == MissingPolicy.Drop ? "rows dropped" : "values filled")})"),
            ("lookback", automatic ? $"{options.Lookback} (from the seasons and horizon)" : options.Lookback), ("horizon", options.Horizon), ("strategy", options.Strategy), ("transform", chooseTransform ? $"{options.Transform} (auto: {why})" : options.Transform), ("scaling", options.Scaling),
            ("split", global ? $"each series: train+validation all but its last {testRows} rows (validation {options.ValidationFraction:P0} of its windows), test its last {testRows} rows"
                : $"train+validation {all[0].TestStart} rows (validation {options.ValidationFraction:P0} of windows), test {testRows} rows"),
            ("season", global && season == 0 ? $"{resolvedSeason} (detected in most series{(seasons.Length > 0 ? $"; in at least half: {string.Join(", ", seasons)}" : "")})" : SeasonText(season, resolvedSeason, seasons)),
            ("quantiles", QuantilesText(options.Quantiles)), ("calendar", CalendarText(options, chooseCalendar)),
            ("model", $"{options.Layers} × LSTM({options.Units}), dropout {options.Dropout}, " + (options.UsesDecoder
                ? $"a decoder per step (context {options.Units} ⊕ calendar {ForecastCalendar.Width(options.Calendar, options.Holidays.Count > 0)}" +
                    (options.FutureInputs > 0 ? $" ⊕ future inputs {options.FutureInputs}" : "") + $" → ReLU {options.Units} → {Math.Max(1, options.Quantiles.Count)}) × {options.Horizon} steps"
                : $"Dense({(options.Strategy == ForecastStrategy.Direct ? options.Horizon : 1) * Math.Max(1, options.Quantiles.Count)})")),
            ("training", (options.Ensemble > 1 ? $"{options.Ensemble} networks (seeds {string.Join(", ", Enumerable.Range(0, options.Ensemble).Select(m => options.Member(m).Seed))}), outputs averaged; each " : "") +
                $"Adam {options.LearningRate}" + (options.ClipNorm > 0f ? $", gradients clipped to norm {options.ClipNorm}" : "") +
                (options.LearningRateDecay > 0f && options.ValidationFraction > 0f ? $", × {options.LearningRateDecay} after {Forecaster.DecayPatience(options.Patience)} epochs without a better val_loss" : "") +
                $", ≤ {options.Epochs} epochs, batch {options.BatchSize}, patience {options.Patience}"),
            ("backtest", backtest == 0 ? "none" : $"{backtest} origins"), ("seed", options.Seed), ("output", CliFiles.Show(output)),
            ("plots", plot.Length == 0 ? "none" : global ? $"{plot}-forecast-<series>.png (the first {Math.Min(all.Count, MostPlots)} series), {plot}-loss.png" : $"{plot}-forecast.png, {plot}-loss.png"),
            ("log", log is null ? "none" : CliFiles.Show(log.Folder)),
        ]);
        terminal.Settings("forecast train", settings);

        WarnShortLookback(terminal, options, resolvedSeason);

        var validated = options.ValidationFraction > 0f;
        var lossAxis = options.Quantiles.Count > 0
            ? "loss: quantile loss of the scaled " + options.Transform switch
            {
                SeriesTransform.Difference => "change since the last value", SeriesTransform.LogDifference => "log change since the last value",
                SeriesTransform.SeasonalDifference => "change since the season's last value", _ => "values",
            }
            : "loss: MSE of the scaled " + options.Transform switch
            {
                SeriesTransform.Difference => "differences", SeriesTransform.LogDifference => "log differences", SeriesTransform.SeasonalDifference => "seasonal differences", _ => "values",
            };
        var one = options.Ensemble == 1;
        var (members, trainings, completed) = TrainingDisplay.RunEach(terminal, options.Ensemble, m => new TrainingWatch(one ? "forecast" : $"forecast {m + 1}/{options.Ensemble}", options.Epochs)
        {
            Patience = validated ? options.Patience : 0, KeepsBest = validated && options.Patience > 0, Log = one ? log : log?.Member(m + 1),
            LossTitle = (global ? $"{all.Count} series" : names[0]) + ": loss per epoch" + (one ? "" : $", network {m + 1} of {options.Ensemble}"), LossAxis = lossAxis,
        }, (m, progress, stop) => Train(path, parts, names, options.Member(m), progress, stop), "forecaster");
        var forecaster = members.Count == 1 ? members[0] : Forecaster.Join(members);
        var result = new JsonObject
        {
            ["command"] = "forecast train", ["data"] = path, ["target"] = names[0], ["rows"] = rowCount, ["test_rows"] = testRows,
            ["season"] = resolvedSeason, ["seasons"] = new JsonArray([.. seasons.Select(v => (JsonNode?)v)]), ["lookback"] = options.Lookback, ["transform"] = SetupOptions.TransformName(options.Transform), ["calendar"] = ForecastCalendar.Name(options.Calendar), ["holidays"] = options.Holidays.Count,
            ["epochs_run"] = Epochs(trainings.Select(t => t.Epochs.Count)), ["best_epoch"] = Epochs(forecaster.BestEpochs), ["completed"] = completed,
        };
        if (global) result["series_column"] = seriesColumn;
        var evaluations = ScoreAll(terminal, forecaster, parts, result);
        result["model"] = output;
        result["training"] = TrainingOutcome.Json(trainings);
        result["history"] = TrainingOutcome.HistoryJson(trainings);
        if (search is not null) result["search"] = search;

        // Save before the backtest, so neither its retraining nor a Ctrl-C during it can cost the model.
        forecaster.TrainingData = new ForecastTrainingData { TimeColumn = first.TimeColumn, Season = resolvedSeason, TestRows = testRows, MissingPolicy = missing, SeriesColumn = seriesColumn };
        forecaster.Save(output);
        terminal.Line($"Saved the model to {output}.");
        if (plot.Length > 0)
        {
            var files = PlotAll(parts, evaluations, plot, options.Horizon, forecaster.BestEpochs);
            for (var m = 0; m < trainings.Count; m++)
            {
                var file = trainings.Count == 1 ? $"{plot}-loss.png" : $"{plot}-loss-{m + 1}.png";
                Plots.Save(Plots.Loss(trainings[m]), file);
                files.Add(file);
            }
            terminal.Line($"Wrote {string.Join(", ", files)}.");
        }
        if (backtest > 0 && completed)
        {
            var stop = new TrainingDisplay.StopOnCancel(terminal.Cancel);
            IReadOnlyList<ForecastEvaluation> folds;
            try
            {
                folds = ForecastEvaluation.Backtest(first.Columns, first.Names, options, backtest, resolvedSeason,
                    (fold, origin) => terminal.Line($"backtest origin {fold}/{backtest}: training on the first {origin} rows"), callbacks: [stop], times: all[0].Dates);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--backtest {backtest} (the model is saved): {CliErrors.Message(e)}");
            }
            completed = !stop.Stopped;
            if (completed)
            {
                ShowBacktest(terminal, folds);
                result["backtest"] = new JsonArray([.. folds.Select(f => (JsonNode?)new JsonObject { ["origin"] = f.Origins[0], ["scores"] = ScoresJson(f.Scores) })]);
            }
            else
            {
                terminal.Line("Interrupted (Ctrl-C) during the backtest; the model was saved before it.");
            }
            result["completed"] = completed;
        }
        terminal.Json(result);
        return completed ? 0 : Cli.Interrupted;
    }

    /// <summary>Epoch counts for --json: one network's as a number, an ensemble's as a list.</summary>
    static JsonNode Epochs(IEnumerable<int> epochs)
    {
        var list = epochs.ToArray();
        return list.Length == 1 ? list[0] : new JsonArray([.. list.Select(e => (JsonNode)e)]);
    }

    /// <summary>One series' forecaster on its columns, or a global one on every series' (each its own training part).</summary>
    static Forecaster Train(string path, Parts parts, string[] names, ForecastOptions options, IProgress<FitProgress>? progress, LstmSharp.Callbacks.Callback stop)
    {
        try
        {
            if (!parts.Global)
            {
                var (series, dates, trainEnd) = (parts.All[0].Series, parts.All[0].Dates, parts.All[0].TestStart);
                return Forecaster.Train(series.Columns, names, trainEnd, options, progress, [stop], dates);
            }
            return Forecaster.Train([.. parts.All.Select(p => new ForecastSeries(p.Id!, p.Series.Columns, p.TestStart, p.Dates))], names, options, progress, [stop]);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{path}: {CliErrors.Message(e)}");
        }
    }

    /// <summary>
    /// `--transform auto`: the seasonal difference when the training part has a season whose changes vary less than its
    /// steps (<see cref="Seasonality.SeasonalDifferenceRatio"/> below 1) and does not repeat it exactly (nothing would be
    /// left to learn); first differences otherwise. The reason, for the settings.
    /// </summary>
    static (bool Seasonal, string Why) ChooseSeasonalDifference(ReadOnlySpan<float> training, int season)
    {
        if (season < 2) return (false, "no season");
        if (training.Length < 2 * season) return (false, $"season {season} not differenced: fewer than two seasons of training rows");
        var repeats = true;
        for (var r = season + 1; r < training.Length && repeats; r++) repeats = training[r] - training[r - season] == training[season] - training[0];
        if (repeats) return (false, $"season {season} repeats exactly");
        var ratio = Seasonality.SeasonalDifferenceRatio(training, season);
        var strength = Seasonality.Strength(training, season);
        var measures = $"its changes vary {Terminal.F(ratio)}× as much as the steps, strength {strength:F2}";
        return ratio < 1 ? (true, $"season {season}: {measures}") : (false, $"season {season} not differenced: {measures}");
    }

    /// <summary>--calendar, --holidays and --future-features go to the direct strategy's decoder; refused with the recursive one in the tool's words.</summary>
    internal static void CheckDecoderStrategy(ForecastOptions options)
    {
        if (options.UsesDecoder && options.Strategy == ForecastStrategy.Recursive)
        {
            throw new CliException($"{(options.UsesCalendar ? "--calendar and --holidays need" : "--future-features needs")} --strategy direct: " +
                "the inputs of the forecast steps go to the direct strategy's decoder.");
        }
    }

    /// <summary>The rows' dates for a forecaster with calendar features (null without them); a series without dates is refused, naming the time column.</summary>
    internal static IReadOnlyList<DateTime>? CalendarDates(string path, TimeSeries series, ForecastOptions options)
    {
        if (!options.UsesCalendar) return null;
        var what = $"calendar features ({ForecastCalendar.Name(options.Calendar)}{(options.Holidays.Count > 0 ? ", holidays" : "")})";
        if (series.TimeColumn is null)
            throw new CliException($"{path}: {what} need the date of every row, and there is no time column; give --time-column or --date-columns.");
        if (series.Dates is not { } dates)
        {
            throw new CliException($"{path}: {what} need the date of every row, and the time column '{CliFiles.Quote(series.TimeColumn)}' holds '{CliFiles.Quote(series.NonDate!)}', " +
                "which is not a date (yyyy-MM-dd, yyyy-MM, yyyyMMdd or ISO 8601); use --calendar none, or --date-columns.");
        }
        return dates;
    }

    /// <summary>The input columns for the settings, those known in the future marked.</summary>
    static string FeaturesText(string[] names, int future)
    {
        if (names.Length == 1) return "none";
        var past = names.Skip(1).SkipLast(future).ToArray();
        return string.Join(", ", [.. past, .. names.TakeLast(future).Select(f => $"{f} (known in the future)")]);
    }

    static string CalendarText(ForecastOptions options, bool chosen)
    {
        var features = ForecastCalendar.Name(options.Calendar) + (options.Holidays.Count > 0 ? $", holidays ({options.Holidays.Count} days)" : "");
        return chosen ? $"{features} (auto: from the time step)" : features;
    }

    /// <summary>
    /// The look-back chosen when none is given: the longest season (so a window holds a whole cycle of each), at least
    /// 12 steps and the horizon, at most a quarter of the training rows (so enough windows remain to learn from).
    /// </summary>
    internal static int AutoLookback(IReadOnlyList<int> seasons, int horizon, int trainRows)
        => Math.Max(1, Math.Min(Math.Max(Math.Max(12, horizon), seasons.Count > 0 ? seasons.Max() : 1), trainRows / 4));

    /// <summary>The settings' season: given or detected, and the other seasons detected beside the main one.</summary>
    static string SeasonText(int given, int season, int[] seasons)
    {
        if (given != 0) return season.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var others = seasons.Where(v => v != season).ToArray();
        return $"{season} (detected{(others.Length > 0 ? $"; also {string.Join(", ", others)}" : "")})";
    }

    /// <summary>
    /// A warning when the look-back holds less than the forecast must reach across: a horizon longer than the look-back,
    /// or a season longer than the look-back that the forecasts span, with the option that fixes it.
    /// </summary>
    static void WarnShortLookback(Terminal terminal, ForecastOptions options, int season)
    {
        var (lookback, horizon) = (options.Lookback, options.Horizon);
        if (horizon > lookback)
        {
            terminal.Warning($"--horizon {horizon} is longer than --lookback {lookback}: each forecast reaches further ahead than the network sees back. " +
                $"Give --lookback {horizon} or more (0 chooses it from the seasons and horizon).");
        }
        else if (season >= 2 && lookback < season && options.Transform != SeriesTransform.SeasonalDifference)
        {
            terminal.Warning($"--lookback {lookback} is shorter than the season ({season}): the network cannot see the same time one season before. " +
                $"Give --lookback {season} (0 chooses it) or --transform seasonal-diff.");
        }
    }

    /// <summary>
    /// The test part's first row, the season (detected on the rows before the test part when 0) and every season detected
    /// (the given one alone when given); fills gaps in the two parts apart (see <see cref="TimeSeries.Fill"/>).
    /// </summary>
    static (int TestStart, int Season, int[] Seasons) Split(string path, TimeSeries series, int horizon, int test, int season, int history)
    {
        var n = series.Rows;
        if (test < 0) throw new CliException($"--test must be 0 (automatic) or more; received {test}.");
        if (season < 0) throw new CliException($"--season must be 0 (detect), 1 (none) or a season length; received {season}.");
        if (test == 0) test = Math.Max(horizon, (int)Math.Round(0.1 * n));
        if (test < horizon) throw new CliException($"--test {test} is shorter than --horizon {horizon}: no forecast would fit in the test part.");
        var testStart = n - test;
        if (testStart < history + horizon + 1)
        {
            throw new CliException(
                $"{path}: too few rows: {n} rows leave {testStart} before the {test}-row test part, but lookback + horizon need at least {history + horizon + 1} " +
                "(plus some for validation). Shorten --lookback, --horizon or --test.");
        }
        SeriesCsv.Fill(path, series, testStart);
        var maxLag = Math.Min(testStart / 3, 400);
        int[] seasons = season >= 2 ? [season] : [];
        if (season == 0)
        {
            seasons = maxLag >= 2 ? Seasonality.DetectAll(series.Columns[0].AsSpan(0, testStart), maxLag) : [];
            season = maxLag >= 2 ? Seasonality.Detect(series.Columns[0].AsSpan(0, testStart), maxLag) ?? 1 : 1;
        }
        if (season >= testStart) throw new CliException($"--season {season} needs more than {season} rows before the test part; there are {testStart}.");
        return (testStart, season, seasons);
    }

    static void ShowScores(Terminal terminal, string title, IReadOnlyDictionary<string, ForecastScores> scores, int season, ForecastIntervalScores? intervals)
    {
        terminal.Results(title, ["forecast", "MAE", "RMSE", "MAPE %", "sMAPE %", "MASE"],
            scores.Select(s => (IReadOnlyList<string>)[
                s.Key == ForecastEvaluation.SeasonalNaiveName ? $"{s.Key} (season {season})" : s.Key,
                Terminal.F(s.Value.Mae), Terminal.F(s.Value.Rmse), Terminal.F(s.Value.Mape, "F2"), Terminal.F(s.Value.Smape, "F2"), Terminal.F(s.Value.Mase)]));
        // What the baselines and the scores mean, in lines short enough not to be wrapped.
        terminal.Line($"Lower is better for every score. naive: each value forecast as the last one known; seasonal naive: as the value one season ({season} row{(season == 1 ? "" : "s")}) before it.");
        terminal.Line("MASE (mean absolute scaled error) = MAE ÷ the seasonal-naive forecast's mean absolute error on the training part: below 1 beats that baseline in-sample.");
        WarnUndefined(terminal, scores, season);
        if (intervals is not null) ShowIntervals(terminal, intervals);
    }

    /// <summary>Coverage and width of each prediction interval, then WIS and the quantile loss.</summary>
    static void ShowIntervals(Terminal terminal, ForecastIntervalScores scores)
    {
        terminal.Results("prediction intervals (LSTM quantiles)", ["interval", "quantiles", "coverage %", "mean width"],
            scores.Intervals.Select(i => (IReadOnlyList<string>)[$"{i.Nominal * 100:0.#}%", $"{Terminal.Format(i.Lower)}–{Terminal.Format(1 - i.Lower)}", Terminal.F(i.Observed * 100, "F1"), Terminal.F(i.MeanWidth)]));
        terminal.Line($"Weighted interval score {Terminal.F(scores.Wis)} (scaled as MASE: {Terminal.F(scores.ScaledWis)}), mean quantile loss {Terminal.F(scores.QuantileLoss)}; lower is better, " +
            "and coverage should be near each interval's nominal %.");
    }

    static JsonObject IntervalsJson(ForecastIntervalScores scores) => new()
    {
        ["coverage"] = new JsonArray([.. scores.Intervals.Select(i => (JsonNode?)new JsonObject
        {
            ["nominal"] = Math.Round(i.Nominal, 6), ["lower"] = i.Lower, ["upper"] = Math.Round(1 - i.Lower, 6), ["observed"] = i.Observed, ["mean_width"] = Number(i.MeanWidth),
        })]),
        ["wis"] = Number(scores.Wis), ["scaled_wis"] = Number(scores.ScaledWis), ["quantile_loss"] = Number(scores.QuantileLoss),
    };

    /// <summary>The quantile levels for the settings table ("none" for point forecasts).</summary>
    static string QuantilesText(IReadOnlyList<float> quantiles) => quantiles.Count == 0 ? "none (point forecasts)"
        : string.Join(", ", quantiles.Select(q => Terminal.Format(q))) + " (quantile loss; the median is the point forecast)";

    /// <summary>The CSV column of quantile τ: q0.1 for 0.1.</summary>
    static string QuantileColumn(float level) => "q" + level.ToString(CultureInfo.InvariantCulture);

    /// <summary>A warning when the scores cannot be read as scores: MAE, RMSE or MASE that is NaN or infinite.</summary>
    static void WarnUndefined(Terminal terminal, IReadOnlyDictionary<string, ForecastScores> scores, int season)
    {
        foreach (var (name, s) in scores)
        {
            if (!double.IsFinite(s.Mase))
            {
                terminal.Warning($"the MASE of '{name}' is {Terminal.F(s.Mase)}: the {season}-step naive forecast of the training part has no error " +
                    "(the series repeats itself exactly), so errors cannot be scaled by it; compare MAE and RMSE instead, or choose another --season.");
            }
            if (!double.IsFinite(s.Mae) || !double.IsFinite(s.Rmse))
                terminal.Warning($"the errors of '{name}' are not finite (MAE {Terminal.F(s.Mae)}, RMSE {Terminal.F(s.Rmse)}); the scores mean nothing.");
        }
    }

    /// <summary>A warning when forecasts lie far outside the range of the data (finite, but a diverged network's).</summary>
    static void WarnFarOutside(Terminal terminal, ReadOnlySpan<float> known, IEnumerable<float> forecasts, string? series = null)
    {
        var far = Forecaster.FarOutside(known, forecasts);
        if (far.Length == 0) return;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in known) (min, max) = (Math.Min(min, v), Math.Max(max, v));
        terminal.Warning($"{(series is null ? "" : $"series '{series}': ")}{far.Length} forecast(s) lie more than 1000 times the data's range beyond it (e.g. {Terminal.Format(far[0])}; the data spans " +
            $"{Terminal.Format(min)} to {Terminal.Format(max)}): the network has probably diverged. Retrain with a lower --learning-rate.");
    }

    static void ShowBacktest(Terminal terminal, IReadOnlyList<ForecastEvaluation> folds)
    {
        var names = folds[0].Scores.Keys.ToArray();
        var rows = folds.Select(f => (IReadOnlyList<string>)[$"origin row {f.Origins[0] + 1}", .. names.Select(n => Terminal.F(f.Scores[n].Mase))]).ToList();
        rows.Add(["mean", .. names.Select(n => Terminal.F(folds.Average(f => f.Scores[n].Mase)))]);
        terminal.Results("rolling-origin backtest (MASE)", ["fold", .. names], rows);
    }

    /// <summary>A score for JSON, which has no infinity or NaN (MAPE is infinite when an actual value is 0): null then.</summary>
    static JsonNode? Number(double value) => double.IsFinite(value) ? value : null;

    static JsonObject ScoresJson(IReadOnlyDictionary<string, ForecastScores> scores)
    {
        var json = new JsonObject();
        foreach (var (name, s) in scores)
            json[name] = new JsonObject { ["mae"] = Number(s.Mae), ["rmse"] = Number(s.Rmse), ["mape"] = Number(s.Mape), ["smape"] = Number(s.Smape), ["mase"] = Number(s.Mase) };
        return json;
    }

    /// <summary>The training tail and the test part, with every forecast path and the seasonal-naive baseline.</summary>
    static void PlotForecast(TimeSeries series, ForecastEvaluation evaluation, int testStart, string path, int horizon, IReadOnlyList<int> keptEpochs, string? id = null) =>
        Plots.Save(ForecastPlot(series, evaluation, testStart, horizon, keptEpochs, id), path);

    /// <summary>
    /// The forecast plot's model: x in dates when the time column reads as dates (rows counted from 1 otherwise, the
    /// window's first and last labels named), y in the target column's values. Lines: the training tail, the test
    /// part, the seasonal-naive forecast (each test value one season before, with a season) and the LSTM's forecasts —
    /// at horizon 1 one line, beyond it every origin's path, thin and translucent so that where they crowd shows
    /// (a fan). The legend names the epoch whose weights were kept (<paramref name="keptEpochs"/>: one per network; none = unknown).
    /// </summary>
    internal static ScottPlot.Plot ForecastPlot(TimeSeries series, ForecastEvaluation evaluation, int testStart, int horizon, IReadOnlyList<int>? keptEpochs = null, string? id = null)
    {
        var y = series.Columns[0];
        var from = Math.Max(0, testStart - 3 * (series.Rows - testStart));
        var dates = series.TimeColumn is null ? null : Plots.Dates(series.Times);
        double X(int row) => dates is null ? row + 1 : dates[row].ToOADate();
        double[] Range(int start, int end) => [.. Enumerable.Range(start, end - start).Select(X)];
        var lines = new List<(string, double[], double[])>
        {
            ("training (tail)", Range(from, testStart), [.. y[from..testStart].Select(v => (double)v)]),
            ("actual (test)", Range(testStart, series.Rows), [.. y[testStart..].Select(v => (double)v)]),
        };
        var season = evaluation.Season;
        if (season >= 2)
            lines.Add(($"seasonal naive (the value {season} rows before)", Range(testStart, series.Rows), [.. Enumerable.Range(testStart, series.Rows - testStart).Select(r => (double)y[r - season])]));
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < evaluation.Origins.Count; i++)
        {
            for (var k = 0; k < horizon; k++)
            {
                xs.Add(X(evaluation.Origins[i] + k));
                ys.Add(evaluation.Forecasts[i][k]);
            }
            if (horizon > 1)
            {
                xs.Add(double.NaN);
                ys.Add(double.NaN);
            }
        }
        var kept = keptEpochs switch
        {
            null or [] => "",
            [var epoch] => $", epoch {epoch} kept",
            _ => $", {keptEpochs.Count} networks averaged (epochs {string.Join(", ", keptEpochs)} kept)",
        };
        var name = horizon == 1 ? $"LSTM (one step ahead{kept})" : $"LSTM ({horizon} steps from each of {evaluation.Origins.Count} origins{kept})";
        lines.Add((name, [.. xs], [.. ys]));
        var xLabel = dates is not null ? series.TimeColumn! : series.TimeColumn is null ? "row" : $"row ({series.TimeColumn} {series.Times[from]} … {series.Times[^1]})";
        var plot = Plots.Lines($"{(id is null || id == series.Names[0] ? series.Names[0] : $"{series.Names[0]}, series {id}")}: forecast vs actual on the test part", xLabel, series.Names[0], lines, dates: dates is not null);
        if (horizon > 1)
        {
            var paths = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Last();
            paths.LineWidth = 1;
            paths.MarkerSize = 0;
            paths.Color = paths.Color.WithAlpha(Math.Clamp(8.0 / evaluation.Origins.Count, 0.15, 1.0));
        }
        if (evaluation.Quantiles is { } quantiles && evaluation.Intervals is { Intervals.Count: > 0 } intervals)
        {
            // The widest interval: along the test part at horizon 1, along the last origin's path beyond it.
            var origins = horizon == 1 ? Enumerable.Range(0, evaluation.Origins.Count).Select(i => (Origin: i, Step: 0))
                : Enumerable.Range(0, horizon).Select(k => (Origin: evaluation.Origins.Count - 1, Step: k));
            var widest = intervals.Intervals[0];
            var low = evaluation.QuantileLevels.ToList().IndexOf(widest.Lower);
            var high = evaluation.QuantileLevels.Count - 1 - low;
            var band = origins.Select(p => (X: X(evaluation.Origins[p.Origin] + p.Step), Low: (double)quantiles[p.Origin][p.Step][low], High: (double)quantiles[p.Origin][p.Step][high])).ToArray();
            var fill = plot.Add.FillY([.. band.Select(b => b.X)], [.. band.Select(b => b.Low)], [.. band.Select(b => b.High)]);
            fill.FillColor = plot.GetPlottables<ScottPlot.Plottables.Scatter>().Last().Color.WithAlpha(0.25);
            fill.LineWidth = 0;
            fill.LegendText = $"{widest.Nominal * 100:0.#}% interval ({Terminal.Format(widest.Lower)}–{Terminal.Format(1 - widest.Lower)}){(horizon == 1 ? "" : ", last origin")}";
        }
        return plot;
    }

    static Command Evaluate(CliHost host)
    {
        var data = new DataOptions(savedModel: true);
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm forecast train`.", DefaultValueFactory = _ => "forecast.safetensors" };
        var command = new Command("evaluate", "Score a saved forecaster on the last rows of a CSV file (of each series, for a global one) next to the naive baselines.") { model };
        data.AddTo(command);
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var dataPath = r.GetValue(data.Data)!;
            var (forecaster, read) = Open(r.GetValue(model)!, dataPath, r.GetValue(data.Missing)!);
            // 0 = as the training run recorded, and 0 again (the command's own default) when it recorded nothing.
            var test = r.GetValue(data.Test) is var t && t == 0 ? forecaster.TrainingData?.TestRows ?? 0 : t;
            var season = r.GetValue(data.Season) is var s && s == 0 ? forecaster.TrainingData?.Season ?? 0 : s;
            var parts = SplitAll(dataPath, read, forecaster.Options, test, season, forecaster.HistoryNeeded);
            var first = parts.All[0];
            terminal.Settings("forecast evaluate", [("model", CliFiles.Show(r.GetValue(model)!)),
                ("data", $"{CliFiles.Show(dataPath)} ({RowsText([.. parts.All.Select(p => p.Series)])})"), ("columns", string.Join(", ", first.Series.Names)),
                ("missing", $"{SeriesCsv.PolicyName(first.Series.Policy)} ({parts.All.Sum(p => p.Series.Repaired)})"),
                ("test", $"last {first.Series.Rows - first.TestStart} rows{(parts.Global ? " of each series" : "")}"), ("season", parts.Season)]);
            var json = new JsonObject { ["command"] = "forecast evaluate", ["test_rows"] = first.Series.Rows - first.TestStart, ["season"] = parts.Season };
            var evaluations = ScoreAll(terminal, forecaster, parts, json);
            var plot = r.GetValue(data.Plot)!;
            if (plot.Length > 0) PlotAll(parts, evaluations, plot, forecaster.Options.Horizon, forecaster.BestEpochs);
            terminal.Json(json);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// A saved forecaster and its series from a data file, read as it was trained (one series; a global forecaster's
    /// series by its series column or its target columns); --missing '' means as the model was trained. A series the
    /// forecaster was not trained on is refused.
    /// </summary>
    static (Forecaster, IReadOnlyList<SeriesRead>) Open(string modelPath, string dataPath, string missing)
    {
        var forecaster = Forecaster.Load(modelPath);
        var policy = missing.Length == 0 ? forecaster.TrainingData?.MissingPolicy ?? MissingPolicy.Error : SeriesCsv.ParsePolicy(missing);
        var global = forecaster.Series.Count > 0;
        var seriesColumn = global ? forecaster.TrainingData?.SeriesColumn : null;
        IReadOnlyList<string> targets = global && seriesColumn is null ? forecaster.Series : [forecaster.Columns[0]];
        var read = SeriesCsv.ReadAll(dataPath, targets, forecaster.Columns.Skip(1).ToArray(), forecaster.TrainingData?.TimeColumn, policy, seriesColumn,
            forecaster.Options.FutureInputs, optionalTime: true);
        if (global && read[0].Id is null) read = [read[0] with { Id = forecaster.Series[0] }];   // wide format, one target column
        foreach (var (id, _) in read)
        {
            if (global && !forecaster.Series.Contains(id!))
            {
                throw new CliException($"{dataPath}: the series '{CliFiles.Quote(id!)}' (column '{seriesColumn}') is not one {modelPath} was trained on; a global forecaster scales each " +
                    $"series by what it learnt of it, and it knows {forecaster.KnownSeries}.");
            }
        }
        return (forecaster, read);
    }

    /// <summary>
    /// The future inputs' values for the horizon's steps (null without future inputs): the first horizon rows after the
    /// series' last target value; fewer are refused, naming the columns and what the file holds.
    /// </summary>
    static float[][]? FutureValues(string where, Forecaster forecaster, TimeSeries series, float[][] known)
    {
        var (f, h) = (forecaster.Options.FutureInputs, forecaster.Options.Horizon);
        if (f == 0) return null;
        if (known[0].Length < h)
        {
            throw new CliException($"{where}: the model reads {string.Join(", ", forecaster.Columns.TakeLast(f).Select(c => $"'{c}'"))} (known in the future) at each of the {h} steps it forecasts; " +
                $"give their values in {h} rows after the last '{series.Names[0]}' value, with '{series.Names[0]}' left empty; the file has {known[0].Length} such row(s).");
        }
        return [.. known.Select(v => v[..h])];
    }

    /// <summary><see cref="Open"/> for a command that reads one series: a global forecaster is refused.</summary>
    static (Forecaster, TimeSeries) OpenOne(string modelPath, string dataPath, string missing, string command)
    {
        var (forecaster, read) = Open(modelPath, dataPath, missing);
        if (forecaster.Series.Count > 0)
        {
            throw new CliException($"{modelPath} is a global forecaster of {forecaster.Series.Count} series; `lstm forecast {command}` reads one series and is not built for " +
                "several yet. Use `lstm forecast evaluate` or `predict` (which take every series), or train a forecaster on this series alone.");
        }
        return (forecaster, read[0].Series);
    }

    static Command Predict(CliHost host)
    {
        var data = new Argument<string>("data") { Description = "CSV file with recent data: at least lookback (+1 when differenced) rows of the model's columns (of each series, for a global forecaster)." };
        var model = new Option<string>("--model", "-m") { Description = "Model file written by `lstm forecast train`.", DefaultValueFactory = _ => "forecast.safetensors" };
        var missing = new Option<string>("--missing") { Description = "Missing values: interpolate, ffill, drop or error (default: as the model was trained).", DefaultValueFactory = _ => "" };
        var output = new Option<string>("--output", "-o") { Description = "CSV file for the forecasts ('-' = stdout).", DefaultValueFactory = _ => "forecasts.csv" };
        var inSample = new Option<bool>("--in-sample")
        {
            Description = "Instead, the one-step forecast of every row after the history the model needs, each from the actual rows before it, with its residual (actual − forecast).",
        };
        var command = new Command("predict", "Forecast the steps after the end of a CSV file (of each series, for a global forecaster) with a saved forecaster and write them as CSV.")
        {
            data, model, missing, output, inSample,
        };
        var common = CommonOptions.AddTo(command);
        command.SetAction(r => CliErrors.Run(host, () =>
        {
            var terminal = common.Open(r, host);
            var dataPath = r.GetValue(data)!;
            var (forecaster, read) = Open(r.GetValue(model)!, dataPath, r.GetValue(missing)!);
            var global = forecaster.Series.Count > 0;
            var idColumn = forecaster.TrainingData?.SeriesColumn ?? "series";
            var needed = forecaster.HistoryNeeded + (r.GetValue(inSample) ? 1 : 0);
            foreach (var (id, series) in read)
            {
                var where = Part.Where(dataPath, id);
                SeriesCsv.Fill(where, series, series.Rows);
                if (series.Rows < needed)
                {
                    throw new CliException(r.GetValue(inSample)
                        ? $"{where}: too few rows: in-sample forecasts start after the {forecaster.HistoryNeeded} rows of history the model needs; the file has {series.Rows}."
                        : $"{where}: too few rows: the model needs the last {forecaster.HistoryNeeded} rows; the file has {series.Rows}.");
                }
            }
            var path = r.GetValue(output)!;
            if (path != "-") CliFiles.CheckOutput(path, "--output", dataPath, r.GetValue(model)!);
            terminal.Settings("forecast predict", [("model", CliFiles.Show(r.GetValue(model)!)),
                ("data", $"{CliFiles.Show(dataPath)} ({RowsText([.. read.Select(p => p.Series)])})"),
                ("horizon", r.GetValue(inSample) ? "1 (in-sample: every row)" : forecaster.Options.Horizon), ("output", CliFiles.Show(path))]);
            var target = forecaster.Columns[0];
            var text = new StringWriter();
            if (r.GetValue(inSample))
            {
                var rows = read.Select(p => (p.Id, p.Series, Rows: InSampleForecast.Run(forecaster, p.Series.Columns, CalendarDates(Part.Where(dataPath, p.Id), p.Series, forecaster.Options), p.Id))).ToArray();
                using (var writer = Sep.New(',').Writer().To(text))
                {
                    foreach (var (id, series, sample) in rows)
                    {
                        WarnFarOutside(terminal, series.Columns[0], sample.Forecast, id);
                        AppendRows(writer, global ? (idColumn, id!) : null, target, series, sample);
                    }
                }
                WriteText(path, text.ToString(), terminal, $"{rows.Sum(p => p.Rows.Count)} rows");
                var result = new JsonObject { ["command"] = "forecast predict", ["target"] = target, ["in_sample"] = true };
                if (global)
                {
                    result["series"] = new JsonArray([.. rows.Select(p => (JsonNode?)new JsonObject
                    {
                        ["id"] = p.Id, ["first_row"] = p.Rows.FirstRow + 1, ["rows"] = p.Rows.Count, ["mae"] = p.Rows.Residual.Average(e => Math.Abs((double)e)),
                    })]);
                }
                else
                {
                    (result["first_row"], result["rows"], result["mae"]) = (rows[0].Rows.FirstRow + 1, rows[0].Rows.Count, rows[0].Rows.Residual.Average(e => Math.Abs((double)e)));
                }
                terminal.Json(result);
                return 0;
            }
            var levels = forecaster.Options.Quantiles;
            var forecasts = new JsonArray();
            var count = 0;
            using (var writer = Sep.New(',').Writer().To(text))
            {
                foreach (var (id, series, known) in read)
                {
                    var dates = CalendarDates(Part.Where(dataPath, id), series, forecaster.Options);
                    var future = FutureValues(Part.Where(dataPath, id), forecaster, series, known);
                    var forecast = forecaster.ForecastNext(series.Columns, dates, id, future);
                    var quantiles = levels.Count > 0 ? forecaster.ForecastQuantiles(series.Columns, [series.Rows], dates, id, future)[0] : null;
                    WarnFarOutside(terminal, series.Columns[0], forecast, id);
                    var times = series.NextTimes(forecast.Length);
                    for (var k = 0; k < forecast.Length; k++)
                    {
                        using var row = writer.NewRow();
                        if (global) row[idColumn].Set(id!);
                        row["step"].Format(k + 1);
                        if (times is not null) row[series.TimeColumn!].Set(times[k]);
                        row[target].Format(forecast[k]);
                        for (var j = 0; j < levels.Count; j++) row[QuantileColumn(levels[j])].Format(quantiles![k][j]);
                        var step = new JsonObject { ["step"] = k + 1, ["time"] = times?[k], ["value"] = forecast[k] };
                        if (global) step["series"] = id;
                        if (quantiles is not null) step["quantiles"] = new JsonObject([.. levels.Select((q, j) => KeyValuePair.Create(QuantileColumn(q), (JsonNode?)quantiles[k][j]))]);
                        forecasts.Add((JsonNode)step);
                        count++;
                    }
                }
            }
            WriteText(path, text.ToString(), terminal, $"{count} forecast(s)");
            terminal.Json(new JsonObject { ["command"] = "forecast predict", ["target"] = target, ["forecast"] = forecasts });
            return 0;
        }));
        return command;
    }
}
