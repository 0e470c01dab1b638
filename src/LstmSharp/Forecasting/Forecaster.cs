// Forecaster: an LSTM forecaster for one target column with optional input columns — transform (differences),
// scaling fitted on the training part, look-back windows, direct or recursive multi-step forecasts, and a model
// file that carries all of it.
using System.Globalization;
using System.Text.Json.Nodes;
using LstmSharp.Callbacks;
using LstmSharp.Data;
using LstmSharp.IO;
using LstmSharp.Layers;
using LstmSharp.Losses;
using LstmSharp.Optimizers;

namespace LstmSharp.Forecasting;

/// <summary>
/// Forecasts the next <see cref="ForecastOptions.Horizon"/> values of a target series from the last
/// <see cref="ForecastOptions.Lookback"/> steps of the target and any other input columns.
/// </summary>
public sealed class Forecaster
{
    const string SettingsKey = "lstmsharp.forecast";
    // TrainingData, one entry a field, as the `lstm` tool has written them from the start (test_rows and missing
    // came a day after the others, so an older file may lack them).
    const string TimeColumnKey = "lstmsharp.forecast.time_column";
    const string SeasonKey = "lstmsharp.forecast.season";
    const string TestRowsKey = "lstmsharp.forecast.test_rows";
    const string MissingKey = "lstmsharp.forecast.missing";
    const string SeriesColumnKey = "lstmsharp.forecast.series_column";   // written only for a long-format global forecaster
    readonly IScaler[][] _scalers;   // [series][column], fitted on that series' training part (the target's on its transform)
    readonly float[][][] _scalerValues;
    readonly string[] _series;       // the series' ids; empty for a forecaster of one unnamed series
    readonly int _batchSize;   // origins per Predict call, within the work-buffer limit
    readonly HashSet<DateOnly>? _holidays;   // Options.Holidays as a set; null without them
    string? _source;           // the file it was loaded from, for errors about what the network makes

    Forecaster(Model model, ForecastOptions options, string[] columns, string[] series, float[][][] scalerValues, ModelFileLimits? limits = null)
    {
        Model = model;
        Options = options;
        Columns = columns;
        _series = series;
        _scalerValues = scalerValues;
        _scalers = [.. scalerValues.Select(s => s.Select(v => CreateScaler(options.Scaling, v)).ToArray())];
        _holidays = options.Holidays.Count > 0 ? [.. options.Holidays] : null;
        _batchSize = (limits ?? ModelFileLimits.Default).BatchSize(ModelFile.WorkBytesPerSample(model) + 4L * options.Horizon * Math.Max(1, options.Quantiles.Count), 256);
    }

    /// <summary>The network.</summary>
    public Model Model { get; }

    /// <summary>The settings it was trained with.</summary>
    public ForecastOptions Options { get; }

    /// <summary>Input column names; the first is the target.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>
    /// The ids of the series a global forecaster was trained on (<see cref="Train(IReadOnlyList{ForecastSeries}, IReadOnlyList{string}, ForecastOptions, IProgress{FitProgress}?, IReadOnlyList{Callback}?)"/>),
    /// each with its own scalers, in training order; empty for a forecaster of one series (trained on columns alone).
    /// A global forecaster's forecasts name their series.
    /// </summary>
    public IReadOnlyList<string> Series => _series;

    /// <summary>Each network's training logs: one per member of an <see cref="ForecastOptions.Ensemble"/> (empty for a loaded forecaster).</summary>
    public IReadOnlyList<History> Histories { get; private set; } = [];

    /// <summary>
    /// How the rows it was trained on were read and split (time column, season, test rows, missing values), for
    /// whoever evaluates or forecasts from new data later; null when not recorded. <c>Train</c> leaves it
    /// null (it sees columns, not a table); <see cref="Save"/> writes it and <see cref="Load"/> reads it back.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A field out of range (see <see cref="ForecastTrainingData.Validate"/>).</exception>
    public ForecastTrainingData? TrainingData
    {
        get;
        set
        {
            value?.Validate();
            field = value;
        }
    }

    /// <summary>The epoch whose weights each network has (early stopping's best, else the last): one per member of an <see cref="ForecastOptions.Ensemble"/> (empty for a loaded forecaster).</summary>
    public IReadOnlyList<int> BestEpochs { get; private set; } = [];

    /// <summary>The fitted scalers of every series (in <see cref="Series"/> order; one for a forecaster of one series), one per column (the target's fitted on its transform); the ONNX export puts them in the graph.</summary>
    internal IReadOnlyList<IReadOnlyList<IScaler>> SeriesScalers => _scalers;

    /// <summary>Rows of history a forecast needs: the look-back, plus one when the target is differenced or a season when seasonally differenced.</summary>
    public int HistoryNeeded => Options.Lookback + Skip(Options);

    /// <summary>Calendar numbers per step (<see cref="ForecastCalendar.Width"/>); 0 without calendar features.</summary>
    int CalendarWidth => ForecastCalendar.Width(Options.Calendar, _holidays is not null);

    /// <summary>Leading rows the transform leaves without a value: none, one (differences) or a season (seasonal differences).</summary>
    static int Skip(ForecastOptions options) => options.Transform switch
    {
        SeriesTransform.None => 0,
        SeriesTransform.SeasonalDifference => options.Season,
        _ => 1,
    };

    /// <summary>What the rows <see cref="Skip"/> counts are for, as a term of a sum ("" when none).</summary>
    static string SkipText(ForecastOptions options) => Skip(options) switch
    {
        0 => "",
        var skip => $" + {skip} ({(options.Transform == SeriesTransform.SeasonalDifference ? "seasonal " : "")}differencing)",
    };

    /// <summary>
    /// Trains on rows <c>[0, trainEnd)</c> of <paramref name="columns"/> (each one series, equal lengths, no
    /// missing values; the first is the target). The latest <see cref="ForecastOptions.ValidationFraction"/> of
    /// the training windows drive early stopping; scalers are fitted on the rows of the remaining windows only.
    /// <paramref name="times"/>, one per row, is needed for calendar features (<see cref="ForecastOptions.UsesCalendar"/>)
    /// and ignored without them.
    /// </summary>
    public static Forecaster Train(IReadOnlyList<float[]> columns, IReadOnlyList<string> names, int trainEnd, ForecastOptions options,
        IProgress<FitProgress>? progress = null, IReadOnlyList<Callback>? callbacks = null, IReadOnlyList<DateTime>? times = null)
        => Train(options, names, [new ForecastSeries("", columns, trainEnd, times)], global: false, progress, callbacks);

    /// <summary>
    /// Trains one global forecaster on several series at once (as DeepAR and ES-RNN do): every series has the same
    /// columns (<paramref name="names"/>, the target first) and its own scalers, fitted on the rows of its own training
    /// windows, so that series of different sizes share one network. The training windows of every series are shuffled
    /// together; the latest <see cref="ForecastOptions.ValidationFraction"/> of each series' windows drive early
    /// stopping. Forecasts then name their series (<see cref="Series"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// No series, an id that is empty or given twice, or a series that <see cref="Train(IReadOnlyList{float[]}, IReadOnlyList{string}, int, ForecastOptions, IProgress{FitProgress}?, IReadOnlyList{Callback}?, IReadOnlyList{DateTime}?)"/>
    /// would refuse on its own (the message names it).
    /// </exception>
    public static Forecaster Train(IReadOnlyList<ForecastSeries> series, IReadOnlyList<string> names, ForecastOptions options,
        IProgress<FitProgress>? progress = null, IReadOnlyList<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("Expected at least one series; received none.", nameof(series));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < series.Count; s++)
        {
            if (series[s] is not { } one) throw new ArgumentException($"Series {s + 1} is null.", nameof(series));
            if (string.IsNullOrEmpty(one.Id)) throw new ArgumentException($"Series {s + 1} has no id.", nameof(series));
            if (!seen.Add(one.Id)) throw new ArgumentException($"The series '{one.Id}' is given twice.", nameof(series));
        }
        return Train(options, names, series, global: true, progress, callbacks);
    }

    /// <summary>Both forms of <c>Train</c>: one series without an id, or a global model of named series.</summary>
    static Forecaster Train(ForecastOptions options, IReadOnlyList<string> names, IReadOnlyList<ForecastSeries> series, bool global,
        IProgress<FitProgress>? progress, IReadOnlyList<Callback>? callbacks)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Ensemble > 1) return Join([.. Enumerable.Range(0, options.Ensemble).Select(m => Train(options.Member(m), names, series, global, progress, callbacks))]);
        ArgumentNullException.ThrowIfNull(names);
        if (options.Strategy == ForecastStrategy.Recursive && names.Count > 1)
        {
            throw new ArgumentException(
                $"The recursive strategy feeds each forecast back as the next input, so it needs a univariate series; received {names.Count} input columns " +
                $"({string.Join(", ", names)}), whose future values are unknown. Use the direct strategy.", nameof(options));
        }
        if (options.FutureInputs > names.Count - 1)
        {
            throw new ArgumentException($"ForecastOptions.FutureInputs is {options.FutureInputs}, but there are {names.Count - 1} input column(s) after the target " +
                $"({string.Join(", ", names)}); the future inputs are the last columns.", nameof(options));
        }
        var skip = Skip(options);
        var hNet = options.Strategy == ForecastStrategy.Direct ? options.Horizon : 1;
        var parts = new (float[][] Transformed, int Windows, int Validation, int Length)[series.Count];
        var scalerValues = new float[series.Count][][];
        for (var s = 0; s < series.Count; s++)
        {
            var (columns, trainEnd) = (series[s].Columns, series[s].TrainEnd);
            // A global model's errors say which series they are about.
            string Of(string message) => global ? $"Series '{series[s].Id}': {message}" : message;
            int length;
            try
            {
                length = CheckColumns(columns, names);
            }
            catch (ArgumentException e) when (global)
            {
                throw new ArgumentException(Of(CleanMessage(e)), nameof(series), e);
            }
            if (trainEnd < 1 || trainEnd > length)
                throw new ArgumentOutOfRangeException(global ? nameof(series) : nameof(trainEnd), trainEnd, Of($"The training part must end within the {length} rows."));
            var windows = trainEnd - skip - options.Lookback - hNet + 1;
            var validation = HeldOut(windows, options.ValidationFraction);
            if (windows - validation < 1)
            {
                // The fewest windows that leave one for training after the validation share is held out.
                var least = 1;
                while (least - HeldOut(least, options.ValidationFraction) < 1) least++;
                var needed = skip + options.Lookback + hNet - 1 + least;
                throw new ArgumentException(Of(
                    $"Too few rows: {trainEnd} training rows with lookback {options.Lookback} + horizon {hNet}" + SkipText(options) +
                    $" give {Math.Max(windows, 0)} window(s)" + (validation > 0 ? $", and {validation} of them are held out for validation" : "") +
                    $"; at least {needed} rows are needed. Shorten the lookback (ForecastOptions.Lookback) or the horizon (ForecastOptions.Horizon), or give more data."),
                    global ? nameof(series) : nameof(columns));
            }
            var target = columns[0].AsSpan(0, trainEnd);
            if (options.Transform == SeriesTransform.LogDifference)
            {
                for (var i = 0; i < length; i++)
                {
                    if (!(columns[0][i] > 0f))
                    {
                        throw new ArgumentException(Of($"The log-difference transform needs positive values; '{names[0]}' row {i + 1} is {columns[0][i].ToString(CultureInfo.InvariantCulture)}."),
                            global ? nameof(series) : nameof(columns));
                    }
                }
            }
            if (IsConstant(target))
                throw new ArgumentException(Of($"'{names[0]}' is constant ({target[0].ToString(CultureInfo.InvariantCulture)}) over the training part: there is nothing to learn."), global ? nameof(series) : nameof(columns));

            // Scalers see only the rows of the training windows (inputs and targets), never validation or test rows.
            var fitEnd = skip + options.Lookback + (windows - validation) - 1 + hNet;
            var transformed = Transformed(columns, options, length);
            scalerValues[s] = new float[columns.Count][];
            for (var c = 0; c < columns.Count; c++)
            {
                var part = transformed[c].AsSpan(skip, fitEnd - skip);
                try
                {
                    scalerValues[s][c] = Fit(options.Scaling, part);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException(Of($"Column '{names[c]}': {e.Message}"), global ? nameof(series) : nameof(columns), e);
                }
            }
            parts[s] = (transformed, windows, validation, length);
        }

        var model = Build(options, names.Count, hNet);
        var forecaster = new Forecaster(model, options, [.. names], global ? [.. series.Select(s => s.Id)] : [], scalerValues);
        // Each series' windows, the latest of them held out for validation; every series' inputs go into the same tensors.
        var scaled = parts.Select((p, s) => forecaster.Scale(p.Transformed, s)).ToArray();
        var calendars = parts.Select((p, s) => forecaster.CalendarRows(series[s].Times, p.Length, 0)).ToArray();
        var training = new List<(int Series, int Origin)>();
        var held = new List<(int Series, int Origin)>();
        for (var s = 0; s < parts.Length; s++)
        {
            var trainCount = parts[s].Windows - parts[s].Validation;
            for (var i = 0; i < parts[s].Windows; i++) (i < trainCount ? training : held).Add((s, skip + options.Lookback + i));
        }
        var x = forecaster.Inputs(scaled, calendars, [.. training]);
        var y = forecaster.Targets(scaled, [.. training], hNet);

        var allCallbacks = new List<Callback>(callbacks ?? []);
        EarlyStopping? stopping = null;
        var validated = held.Count > 0;
        if (validated && options.Patience > 0) allCallbacks.Add(stopping = new EarlyStopping("val_loss", options.Patience, restoreBestWeights: true));
        if (validated && options.LearningRateDecay > 0f)
            allCallbacks.Insert(0, new ReduceLROnPlateau("val_loss", options.LearningRateDecay, DecayPatience(options.Patience)));
        var fit = new FitOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
            ValidationData = validated ? new ValidationData(forecaster.Inputs(scaled, calendars, [.. held]), [forecaster.Targets(scaled, [.. held], hNet)]) : null,
            Callbacks = allCallbacks,
            Progress = progress,
            ThrowOnDivergence = true,   // a NaN or infinite loss stops training instead of leaving a NaN model
        };
        var history = model.Fit(x, [y], fit);
        forecaster.Histories = [history];
        forecaster.BestEpochs = [stopping is { BestEpoch: > 0 } ? stopping.BestEpoch : history.Epochs];
        return forecaster;
    }

    /// <summary>
    /// The ensemble of <paramref name="members"/>: one network that runs each member's and averages their outputs (every
    /// step's, and every quantile's), so that its forecasts are the members' forecasts averaged (in the scaled, transformed
    /// units; in the target's units too for the transforms other than log differences); it saves, loads and exports as one
    /// forecaster. For the recursive strategy the outputs are averaged at every step, and the average fed back. The
    /// members are forecasters trained on the same series with the same settings but the seed — as
    /// <see cref="ForecastOptions.Member"/> makes them; the ensemble keeps the first one's <see cref="TrainingData"/>. Each
    /// member's network becomes part of the ensemble (shared, not copied) and is renamed <c>member_1</c>, <c>member_2</c>, …
    /// (in order) to keep the layer names apart, so a forecaster belongs to one ensemble at most.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Fewer than two members, one given twice, a member that is itself an ensemble, or one trained on other columns,
    /// series, scalers or settings than the first.
    /// </exception>
    public static Forecaster Join(IReadOnlyList<Forecaster> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count < 2) throw new ArgumentException($"An ensemble needs at least two members; received {members.Count}.", nameof(members));
        var first = members[0] ?? throw new ArgumentException("Member 1 is null.", nameof(members));
        var settings = SharedSettings(first);
        for (var m = 0; m < members.Count; m++)
        {
            if (members[m] is not { } member) throw new ArgumentException($"Member {m + 1} is null.", nameof(members));
            if (member.Options.Ensemble > 1) throw new ArgumentException($"Member {m + 1} is itself an ensemble of {member.Options.Ensemble} networks; join single networks.", nameof(members));
            for (var other = 0; other < m; other++)
            {
                if (ReferenceEquals(members[other], member) || ReferenceEquals(members[other].Model, member.Model))
                    throw new ArgumentException($"Members {other + 1} and {m + 1} are the same network; an ensemble's members are trained apart.", nameof(members));
            }
            if (m > 0 && SharedSettings(member) != settings)
            {
                throw new ArgumentException($"Member {m + 1} was trained with other columns, series, scalers or settings than member 1; the members of an ensemble differ only in their seed.",
                    nameof(members));
            }
        }
        for (var m = 0; m < members.Count; m++) members[m].Model.Name = $"member_{m + 1}";   // layer names must differ within the ensemble
        var inputs = first.Model.Inputs.Select(i => new Input([.. i.Shape]) { Name = i.Name }).ToArray();
        var output = new Average("forecast").Call([.. members.Select(f => f.Model.Call(inputs)[0])]);
        var model = new Model(inputs, [output], first.Options.Seed, "forecaster");
        return new Forecaster(model, first.Options with { Ensemble = members.Count }, (string[])first.Columns, first._series, first._scalerValues)
        {
            Histories = [.. members.SelectMany(f => f.Histories)], BestEpochs = [.. members.SelectMany(f => f.BestEpochs)], TrainingData = first.TrainingData,
        };
    }

    /// <summary>What every member of an ensemble shares: the settings as saved, but the seed and the ensemble size, with the columns, series and scalers.</summary>
    static string SharedSettings(Forecaster forecaster)
    {
        var settings = forecaster.SettingsJson();
        settings.Remove("seed");
        settings.Remove("ensemble");
        return settings.ToJsonString();
    }

    /// <summary>
    /// What the network learns for each window: each step's scaled transformed value, or for a quantile forecaster
    /// the sum of those since the step's anchor (<see cref="CumulativeTerms"/>); <c>[windows, steps]</c>.
    /// </summary>
    Tensor Targets(float[][][] scaled, (int Series, int Origin)[] windows, int steps)
    {
        var y = Tensor.Zeros(windows.Length, steps);
        var span = y.Span;
        var terms = Options.Quantiles.Count > 0 ? CumulativeTerms(Options) : null;
        for (var i = 0; i < windows.Length; i++)
        {
            var (target, origin) = (scaled[windows[i].Series][0], windows[i].Origin);
            for (var k = 0; k < steps; k++)
            {
                var sum = 0f;
                foreach (var j in terms?[k] ?? [k]) sum += target[origin + j];
                span[i * steps + k] = sum;
            }
        }
        return y;
    }

    /// <summary>Validation windows out of <paramref name="windows"/>: the fraction, rounded, and at least one when the fraction is above 0.</summary>
    static int HeldOut(int windows, float fraction) => fraction > 0f ? Math.Max(1, (int)Math.Round(windows * fraction)) : 0;

    /// <summary>
    /// Epochs without a better validation loss before the learning rate is lowered: a third of the early-stopping
    /// patience, at least 10 (Keras's default), so that a run without early stopping is not cut to a crawl by noise.
    /// </summary>
    internal static int DecayPatience(int patience) => Math.Max(10, patience / 3);

    /// <summary>
    /// For each forecast step k, the steps (offsets from the origin) whose transformed values add up to the change from
    /// the step's anchor, a value known at the origin: the step alone without a transform; steps 0 … k for (log)
    /// differences (anchored at the last known value); k, k − s, k − 2s, … ≥ 0 for seasonal differences (anchored at the
    /// last known value of the same season).
    /// </summary>
    internal static int[][] CumulativeTerms(ForecastOptions options) => [.. Enumerable.Range(0, options.Horizon).Select(k => options.Transform switch
    {
        SeriesTransform.None => [k],
        SeriesTransform.SeasonalDifference => Enumerable.Range(0, k / options.Season + 1).Select(m => k - m * options.Season).ToArray(),
        _ => Enumerable.Range(0, k + 1).ToArray(),
    })];

    /// <summary>Network outputs per origin: one per step (and per quantile when quantiles are forecast).</summary>
    static int Outputs(ForecastOptions options) => (options.Strategy == ForecastStrategy.Direct ? options.Horizon : 1) * Math.Max(1, options.Quantiles.Count);

    /// <summary>
    /// The network: stacked LSTMs over the look-back window and a Dense layer of every output; with calendar features,
    /// their numbers beside each history step, and with them or future inputs a decoder shared by the forecast steps in
    /// place of the Dense layer (MQ-RNN's: a context per step from the last LSTM state, joined with that step's calendar
    /// and future inputs, a ReLU layer, the step's outputs).
    /// </summary>
    static Model Build(ForecastOptions options, int inputs, int steps)
    {
        var outputs = Math.Max(1, options.Quantiles.Count);
        var lstms = Enumerable.Range(0, options.Layers)
            .Select(l => new Lstm(options.Units, new LstmOptions { ReturnSequences = l < options.Layers - 1, Dropout = options.Dropout })).ToArray();
        Model model;
        if (!options.UsesDecoder)
        {
            model = new Sequential(options.Seed, new Input(options.Lookback, inputs), [.. lstms, new Dense(steps * outputs)]);
        }
        else
        {
            int width = ForecastCalendar.Width(options.Calendar, options.Holidays.Count > 0), units = options.Units;
            var history = new Input(options.Lookback, inputs + width) { Name = "history" };
            var future = new Input(steps, width + options.FutureInputs) { Name = "future" };
            Symbol x = history;
            foreach (var lstm in lstms) x = lstm.Call(x);
            var contexts = new Reshape([steps, units], "step_contexts").Call(new Dense(steps * units, name: "contexts").Call(x));
            var decoded = new Dense(units, Activation.Relu, name: "decoder").Call(new Concatenate(name: "with_future").Call(contexts, future));
            model = new Model([history, future], [new Flatten("outputs").Call(new Dense(outputs, name: "step_outputs").Call(decoded))], options.Seed, "forecaster");
        }
        model.Compile(new Adam(options.LearningRate) { GlobalClipNorm = options.ClipNorm > 0f ? options.ClipNorm : null },
            options.Quantiles.Count > 0 ? new QuantileLoss(options.Quantiles) : new MeanSquaredError());
        return model;
    }

    /// <summary>
    /// The next <see cref="ForecastOptions.Horizon"/> values after row <c>origin − 1</c>, for each origin, made
    /// from rows <c>[origin − HistoryNeeded, origin)</c> of <paramref name="columns"/> only; in the target's units.
    /// With <see cref="ForecastOptions.Quantiles"/> these are the medians. <paramref name="times"/>, one per row of
    /// <paramref name="columns"/>, gives the calendar features their dates (those of the steps after the last row
    /// continue its step); it is needed with <see cref="ForecastOptions.UsesCalendar"/> and ignored without.
    /// <paramref name="series"/> names the series for a global forecaster (one of <see cref="Series"/>, whose scalers
    /// are used); null for a forecaster of one series. <paramref name="future"/>, with
    /// <see cref="ForecastOptions.FutureInputs"/>, holds the values of the future input columns (one array each, in
    /// column order) for the rows after the last of <paramref name="columns"/>, as many as the forecasts reach past it;
    /// it is needed only then.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A global forecaster without a series, or with one it was not trained on; a series named to a one-series forecaster;
    /// forecasts past the data without the future inputs' values.
    /// </exception>
    /// <exception cref="InvalidDataException">The network made a value that is not finite (damaged weights).</exception>
    public float[][] Forecast(IReadOnlyList<float[]> columns, IReadOnlyList<int> origins, IReadOnlyList<DateTime>? times = null, string? series = null,
        IReadOnlyList<float[]>? future = null)
        => Predictions(columns, origins, times, series, future).Points;

    /// <summary>
    /// The forecast quantiles (<see cref="ForecastOptions.Quantiles"/>) of the next <see cref="ForecastOptions.Horizon"/>
    /// values after row <c>origin − 1</c>, for each origin: <c>[origin][step][quantile]</c>, in the target's units,
    /// increasing along the quantiles at every step (sorted when the network's outputs cross). <paramref name="times"/>
    /// <paramref name="series"/> and <paramref name="future"/> as for <see cref="Forecast"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The forecaster was trained without quantiles.</exception>
    /// <exception cref="InvalidDataException">The network made a value that is not finite (damaged weights).</exception>
    public float[][][] ForecastQuantiles(IReadOnlyList<float[]> columns, IReadOnlyList<int> origins, IReadOnlyList<DateTime>? times = null, string? series = null,
        IReadOnlyList<float[]>? future = null)
    {
        if (Options.Quantiles.Count == 0) throw new InvalidOperationException("This forecaster was trained without quantiles (ForecastOptions.Quantiles); it makes point forecasts only.");
        return Predictions(columns, origins, times, series, future).Quantiles!;
    }

    /// <summary>The first five <see cref="Series"/> quoted, and how many more, for messages about a series it does not know.</summary>
    internal string KnownSeries => $"{string.Join(", ", _series.Take(5).Select(s => $"'{s}'"))}{(_series.Length > 5 ? $" and {_series.Length - 5} more" : "")}";

    /// <summary>Which of <see cref="Series"/> <paramref name="series"/> is (0 for a one-series forecaster and null); the message of a mismatch lists what is known.</summary>
    int SeriesIndex(string? series)
    {
        if (_series.Length == 0)
        {
            return series is null ? 0
                : throw new ArgumentException($"This forecaster was trained on one series; it has no series '{series}' (give null).", nameof(series));
        }
        var known = KnownSeries;
        if (series is null)
            throw new ArgumentException($"This global forecaster was trained on {_series.Length} series, each scaled on its own; name the series to forecast ({known}).", nameof(series));
        var index = Array.IndexOf(_series, series);
        return index >= 0 ? index
            : throw new ArgumentException($"This global forecaster was not trained on a series '{series}'; it knows {known}, each with scalers fitted on its own training rows.", nameof(series));
    }

    /// <summary>The point forecasts per origin, and the quantiles (null without <see cref="ForecastOptions.Quantiles"/>).</summary>
    internal (float[][] Points, float[][][]? Quantiles) Predictions(IReadOnlyList<float[]> columns, IReadOnlyList<int> origins, IReadOnlyList<DateTime>? times,
        string? series = null, IReadOnlyList<float[]>? future = null)
    {
        ArgumentNullException.ThrowIfNull(origins);
        var index = SeriesIndex(series);
        var length = CheckColumns(columns, Columns);
        foreach (var t in origins)
        {
            if (t < HistoryNeeded || t > length)
            {
                throw new ArgumentOutOfRangeException(nameof(origins), t,
                    $"A forecast needs {HistoryNeeded} rows of history (lookback {Options.Lookback}" + SkipText(Options) +
                    $") before its origin; origin {t} of {length} rows.");
            }
        }
        if (Options.Transform == SeriesTransform.LogDifference)
        {
            foreach (var t in origins)
            {
                for (var r = t - HistoryNeeded; r < t; r++)
                {
                    if (!(columns[0][r] > 0f))
                        throw new ArgumentException($"The log-difference transform needs positive values; '{Columns[0]}' row {r + 1} is {columns[0][r].ToString(CultureInfo.InvariantCulture)}.", nameof(columns));
                }
            }
        }
        var scaled = Scale(Transformed(columns, Options, length), index);
        var h = Options.Horizon;
        var beyond = origins.Count == 0 ? 0 : Math.Max(0, origins.Max() + h - length);
        ExtendFutureInputs(scaled, future, beyond, index);
        var x = Inputs([scaled], [CalendarRows(times, length, beyond)], [.. origins.Select(t => (0, t))]);
        var target = _scalers[index][0];
        if (Options.Quantiles.Count > 0) return QuantilePredictions(columns, origins, Model.Predict(x, _batchSize)[0].Span, target);
        var steps = new float[origins.Count][];
        for (var i = 0; i < origins.Count; i++) steps[i] = new float[h];
        if (Options.Strategy == ForecastStrategy.Direct)
        {
            var y = Model.Predict(x, _batchSize)[0].Span;
            for (var i = 0; i < origins.Count; i++) y.Slice(i * h, h).CopyTo(steps[i]);
        }
        else
        {
            // One step at a time: each forecast becomes the newest input step (the window holds only the target).
            var L = Options.Lookback;
            for (var k = 0; k < h; k++)
            {
                var y = Model.Predict(x[0], _batchSize).Span;
                for (var i = 0; i < origins.Count; i++)
                {
                    steps[i][k] = y[i];
                    var window = x[0].Span.Slice(i * L, L);
                    window[1..].CopyTo(window);
                    window[^1] = y[i];
                }
            }
        }
        // Back to the target's units: unscale, then undo the transform from the last known value (or, for seasonal
        // differences, from the value a season before: known for the first season's steps, a forecast after them).
        var result = new float[origins.Count][];
        var s = Options.Season;
        for (var i = 0; i < origins.Count; i++)
        {
            var z = steps[i];
            target.Inverse(z);
            var t = origins[i];
            var level = t > 0 ? columns[0][t - 1] : 0f;
            for (var k = 0; k < h; k++)
            {
                z[k] = Options.Transform switch
                {
                    SeriesTransform.Difference => level += z[k],
                    SeriesTransform.LogDifference => level *= MathF.Exp(z[k]),
                    SeriesTransform.SeasonalDifference => z[k] + (k < s ? columns[0][t + k - s] : z[k - s]),
                    _ => z[k],
                };
            }
            CheckFinite(z, origins[i]);
            result[i] = z;
        }
        return (result, null);
    }

    /// <summary>
    /// The scaled future input columns (the last <see cref="ForecastOptions.FutureInputs"/> of <paramref name="scaled"/>)
    /// continued by <paramref name="beyond"/> values of <paramref name="future"/> (one array per future column, the rows
    /// after the data), scaled by the series' scalers, for the forecast steps past the last row.
    /// </summary>
    void ExtendFutureInputs(float[][] scaled, IReadOnlyList<float[]>? future, int beyond, int series)
    {
        int F = Options.FutureInputs, C = Columns.Count;
        if (F == 0 || beyond == 0) return;
        var names = string.Join(", ", Columns.Skip(C - F).Select(c => $"'{c}'"));
        if (future is null || future.Count != F)
        {
            throw new ArgumentException($"The forecasts reach {beyond} step(s) past the last row, and this forecaster reads the values of {names} (known in the future) at every step " +
                $"it forecasts; give them (future: {F} array(s) of at least {beyond} values, in that order){(future is null ? "" : $"; received {future.Count} array(s)")}.", nameof(future));
        }
        for (var j = 0; j < F; j++)
        {
            var values = future[j] ?? throw new ArgumentException($"The future values of '{Columns[C - F + j]}' are null.", nameof(future));
            if (values.Length < beyond)
                throw new ArgumentException($"The forecasts reach {beyond} step(s) past the last row; '{Columns[C - F + j]}' has {values.Length} future value(s).", nameof(future));
            var bad = Array.FindIndex(values, 0, beyond, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new ArgumentException($"The future value {bad + 1} of '{Columns[C - F + j]}' is {values[bad].ToString(CultureInfo.InvariantCulture)}.", nameof(future));
            var more = values.AsSpan(0, beyond).ToArray();
            _scalers[series][C - F + j].Transform(more);
            scaled[C - F + j] = [.. scaled[C - F + j], .. more];
        }
    }

    /// <summary>
    /// The quantiles from the network's outputs <c>[origins, horizon · quantiles]</c>: each the scaled sum of the
    /// transformed values since the step's anchor (<see cref="CumulativeTerms"/>), unscaled — the scaler is affine, so
    /// a sum of m scaled values unscales to <c>slope · S + m · offset</c> — and added to the anchor (multiplied by
    /// its exponential for log differences); sorted per step; the medians are the points.
    /// </summary>
    (float[][] Points, float[][][] Quantiles) QuantilePredictions(IReadOnlyList<float[]> columns, IReadOnlyList<int> origins, ReadOnlySpan<float> outputs, IScaler target)
    {
        int h = Options.Horizon, q = Options.Quantiles.Count, s = Options.Season, median = IndexOf(Options.Quantiles, 0.5f);
        var terms = CumulativeTerms(Options);
        float[] unit = [0f, 1f];
        target.Inverse(unit);
        var (offset, slope) = (unit[0], unit[1] - unit[0]);
        var y = columns[0];
        var points = new float[origins.Count][];
        var quantiles = new float[origins.Count][][];
        for (var i = 0; i < origins.Count; i++)
        {
            var t = origins[i];
            points[i] = new float[h];
            quantiles[i] = new float[h][];
            for (var k = 0; k < h; k++)
            {
                var m = terms[k].Length;
                var values = quantiles[i][k] = outputs.Slice((i * h + k) * q, q).ToArray();
                for (var j = 0; j < q; j++)
                {
                    var change = slope * values[j] + m * offset;
                    values[j] = Options.Transform switch
                    {
                        SeriesTransform.Difference => y[t - 1] + change,
                        SeriesTransform.LogDifference => y[t - 1] * MathF.Exp(change),
                        SeriesTransform.SeasonalDifference => y[t + k - m * s] + change,
                        _ => change,
                    };
                }
                Array.Sort(values);
                if (!float.IsFinite(values[0]) || !float.IsFinite(values[^1]))
                    throw ModelTasks.NotFinite(_source, "The forecaster", $"a quantile forecast from origin {t} is not finite at step {k + 1}");
                points[i][k] = values[median];
            }
        }
        return (points, quantiles);
    }

    static int IndexOf(IReadOnlyList<float> values, float value)
    {
        for (var i = 0; i < values.Count; i++)
            if (values[i] == value) return i;
        return -1;
    }

    void CheckFinite(float[] values, int origin)
    {
        var bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0) throw ModelTasks.NotFinite(_source, "The forecaster", $"the forecast from origin {origin} is {values[bad].ToString(CultureInfo.InvariantCulture)} at step {bad + 1}");
    }

    /// <summary>
    /// The forecast of the next <see cref="ForecastOptions.Horizon"/> values after the end of <paramref name="columns"/>
    /// (<paramref name="times"/>, <paramref name="series"/> and <paramref name="future"/> — here the future inputs'
    /// values for the horizon's steps — as for <see cref="Forecast"/>).
    /// </summary>
    public float[] ForecastNext(IReadOnlyList<float[]> columns, IReadOnlyList<DateTime>? times = null, string? series = null, IReadOnlyList<float[]>? future = null)
    {
        var length = CheckColumns(columns, Columns);
        return Forecast(columns, [length], times, series, future)[0];
    }

    /// <summary>
    /// The forecasts that lie more than <paramref name="factor"/> times the range of <paramref name="known"/> (the
    /// series the forecaster saw) beyond it: finite, but a sign of a diverged or damaged network rather than of the
    /// series. A constant series counts its magnitude (at least 1) as its range.
    /// </summary>
    public static float[] FarOutside(ReadOnlySpan<float> known, IEnumerable<float> forecasts, float factor = 1000f)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        if (known.IsEmpty) return [];
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in known)
        {
            if (!float.IsFinite(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (min > max) return [];
        var range = max > min ? (double)max - min : Math.Max(Math.Abs((double)max), 1);
        return [.. forecasts.Where(f => !float.IsFinite(f) || f < min - (factor * range) || f > max + (factor * range))];
    }

    /// <summary>Saves the network with its settings, column names, scalers and <see cref="TrainingData"/> (atomically, see <see cref="Model.Save"/>).</summary>
    public void Save(string path)
    {
        Model.Metadata[ModelTasks.Key] = ModelTasks.Forecast;
        Model.Metadata[SettingsKey] = SettingsJson().ToJsonString();
        WriteTrainingData(Model.Metadata, TrainingData);
        Model.Save(path);
    }

    /// <summary>The settings, columns, series and scalers as the model file holds them.</summary>
    JsonObject SettingsJson()
    {
        var o = Options;
        var settings = new JsonObject
        {
            ["lookback"] = o.Lookback, ["horizon"] = o.Horizon, ["strategy"] = o.Strategy.ToString(), ["transform"] = o.Transform.ToString(),
            ["scaling"] = o.Scaling.ToString(), ["units"] = o.Units, ["layers"] = o.Layers, ["dropout"] = o.Dropout,
            ["season"] = o.Season, ["clip_norm"] = o.ClipNorm, ["learning_rate_decay"] = o.LearningRateDecay, ["learning_rate"] = o.LearningRate, ["epochs"] = o.Epochs, ["batch_size"] = o.BatchSize, ["patience"] = o.Patience,
            ["validation_fraction"] = o.ValidationFraction, ["seed"] = o.Seed, ["ensemble"] = o.Ensemble, ["quantiles"] = new JsonArray([.. o.Quantiles.Select(q => (JsonNode?)q)]),
            ["future_inputs"] = o.FutureInputs, ["calendar"] = ForecastCalendar.Name(o.Calendar), ["holidays"] = new JsonArray([.. o.Holidays.Select(d => (JsonNode?)d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))]),
            ["columns"] = new JsonArray([.. Columns.Select(c => (JsonNode?)c)]),
            // One pair per column; a global forecaster's series each have their list of pairs.
            ["scalers"] = _series.Length == 0 ? ScalersJson(_scalerValues[0]) : new JsonArray([.. _scalerValues.Select(v => (JsonNode?)ScalersJson(v))]),
        };
        if (_series.Length > 0) settings["series"] = new JsonArray([.. _series.Select(id => (JsonNode?)id)]);
        return settings;
    }

    static JsonArray ScalersJson(float[][] columns) => new([.. columns.Select(v => (JsonNode?)new JsonArray([.. v.Select(f => (JsonNode?)f)]))]);

    static float[][] ReadScalers(JsonNode node) => [.. node.AsArray().Select(v => v!.AsArray().Select(f => (float)f!).ToArray())];

    /// <summary>Loads a forecaster saved by <see cref="Save"/>; a model file made for another task is refused.</summary>
    /// <remarks>
    /// A valid forecaster file is a valid model file (see <see cref="Model.Load"/>) made for the forecast task, whose
    /// settings are all present and in range (<see cref="ForecastOptions.Validate"/>; enums by name only), whose
    /// network is the one those settings build — input [lookback, columns], a Dense output of the horizon (direct) or
    /// of 1 (recursive), as many LSTM layers of as many units as the settings say; with calendar features or future
    /// inputs a graph model of inputs [lookback, columns + calendar] and [horizon, calendar + future inputs] (two feature sets of the same width,
    /// hour of day and day of year, cannot be told apart by shape) — whose columns are distinct,
    /// non-empty names (one only for the recursive strategy), whose scalers are one finite pair per column that the
    /// scaling method accepts, whose forecast steps and work buffers for one origin fit
    /// <see cref="ModelFileLimits.MaxWorkBytes"/>, and whose training data, if recorded, is in range.
    /// </remarks>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid forecaster file; the message names it and says why.</exception>
    public static Forecaster Load(string path, ModelFileLimits? limits = null)
    {
        limits ??= ModelFileLimits.Default;
        var model = Model.Load(path, limits);
        var task = ModelTasks.Of(model);
        if (task != ModelTasks.Forecast || !model.Metadata.TryGetValue(SettingsKey, out var json))
            throw ModelTasks.WrongKind(path, task, ModelTasks.Forecast);
        try
        {
            var s = JsonNode.Parse(json)!.AsObject();
            var options = new ForecastOptions
            {
                Lookback = (int)Setting(s, "lookback"), Horizon = (int)Setting(s, "horizon"),
                Strategy = LayerConfigs.ParseName<ForecastStrategy>((string?)Setting(s, "strategy"), "strategy"),
                Transform = LayerConfigs.ParseName<SeriesTransform>((string?)Setting(s, "transform"), "transform"),
                Scaling = LayerConfigs.ParseName<ScalingMethod>((string?)Setting(s, "scaling"), "scaling"), Units = (int)Setting(s, "units"), Layers = (int)Setting(s, "layers"),
                Dropout = (float)Setting(s, "dropout"), LearningRate = (float)Setting(s, "learning_rate"), Epochs = (int)Setting(s, "epochs"),
                BatchSize = (int)Setting(s, "batch_size"), Patience = (int)Setting(s, "patience"), ValidationFraction = (float)Setting(s, "validation_fraction"), Seed = (int)Setting(s, "seed"),
                // Files written before the seasonal transform, clipping and the schedule trained without them.
                Season = (int?)s["season"] ?? 0, ClipNorm = (float?)s["clip_norm"] ?? 0f, LearningRateDecay = (float?)s["learning_rate_decay"] ?? 0f,
                // Files written before quantile forecasts made point forecasts.
                Quantiles = s["quantiles"] is JsonArray { Count: > 0 } quantiles ? [.. quantiles.Select(q => (float)q!)] : [],
                // Files written before future inputs have none, and before ensembles one network.
                FutureInputs = (int?)s["future_inputs"] ?? 0, Ensemble = (int?)s["ensemble"] ?? 1,
                // Files written before calendar features read none.
                Calendar = s["calendar"] is { } calendar ? ForecastCalendar.Parse((string?)calendar ?? throw new FormatException("the setting 'calendar' is null")) : CalendarFeatures.None,
                Holidays = s["holidays"] is JsonArray { Count: > 0 } holidays
                    ? [.. holidays.Select(d => DateOnly.ParseExact((string?)d ?? throw new FormatException("a holiday is null"), "yyyy-MM-dd", CultureInfo.InvariantCulture))] : [],
            };
            options.Validate();
            var columns = Setting(s, "columns").AsArray().Select(c => (string?)c ?? throw new FormatException("a column name is null")).ToArray();
            // Files written before global forecasters hold one series' scalers.
            string[] series = s["series"] is JsonArray ids ? [.. ids.Select(id => (string?)id ?? throw new FormatException("a series id is null"))] : [];
            float[][][] scalers = series.Length == 0 ? [ReadScalers(Setting(s, "scalers"))] : [.. Setting(s, "scalers").AsArray().Select(v => ReadScalers(v!))];
            CheckSettings(model, options, columns, series, scalers, limits);
            var forecaster = new Forecaster(model, options, columns, series, scalers, limits) { TrainingData = ReadTrainingData(model.Metadata) };
            forecaster._source = path;
            return forecaster;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or ArgumentException or FormatException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: the forecaster settings in this model file are damaged ({SafeTensors.Excerpt(CleanMessage(e), 400)}).", e);
        }
    }

    static JsonNode Setting(JsonObject settings, string name) => settings[name] ?? throw new FormatException($"the setting '{name}' is missing or null");

    /// <summary>An argument exception's message without the " (Parameter 'x')" and "Actual value was" lines.</summary>
    static string CleanMessage(Exception e) => e is ArgumentException ? e.Message.Split(" (Parameter", 2)[0].Trim() : e.Message;

    /// <summary>The cross-field checks of <see cref="Load"/>: the settings, columns and scalers against each other and the network.</summary>
    static void CheckSettings(Model model, ForecastOptions options, string[] columns, string[] series, float[][][] scalers, ModelFileLimits limits)
    {
        if (columns.Length == 0) throw new InvalidDataException("the file names no columns");
        if (columns.Any(string.IsNullOrEmpty)) throw new InvalidDataException("a column name is empty");
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Length) throw new InvalidDataException("a column is named twice");
        if (options.Strategy == ForecastStrategy.Recursive && columns.Length > 1)
            throw new InvalidDataException($"the recursive strategy needs one column; the file names {columns.Length}");
        if (series.Any(string.IsNullOrEmpty)) throw new InvalidDataException("a series id is empty");
        if (series.Distinct(StringComparer.Ordinal).Count() != series.Length) throw new InvalidDataException("a series id is given twice");
        if (scalers.Length != Math.Max(1, series.Length)) throw new InvalidDataException($"scalers for {scalers.Length} series; the file names {series.Length}");
        for (var s = 0; s < scalers.Length; s++)
        {
            var of = series.Length == 0 ? "" : $" of series '{series[s]}'";
            if (scalers[s].Length != columns.Length) throw new InvalidDataException($"{scalers[s].Length} scalers{of} for {columns.Length} columns");
            for (var c = 0; c < scalers[s].Length; c++)
            {
                if (scalers[s][c].Length != 2) throw new InvalidDataException($"the scaler of column {c + 1}{of} holds {scalers[s][c].Length} values; expected 2");
                CreateScaler(options.Scaling, scalers[s][c]);
            }
        }
        var outputs = Outputs(options);
        var width = ForecastCalendar.Width(options.Calendar, options.Holidays.Count > 0);
        if (options.FutureInputs > columns.Length - 1)
            throw new InvalidDataException($"{options.FutureInputs} future input(s) among the {columns.Length - 1} column(s) after the target");
        int[][] inputs = options.UsesDecoder ? [[options.Lookback, columns.Length + width], [options.Horizon, width + options.FutureInputs]] : [[options.Lookback, columns.Length]];
        // An ensemble: its members, then the Average of their outputs; each member is the network of one.
        Model[] networks = [model];
        if (options.Ensemble > 1)
        {
            var layers = model.Layers;
            if (model is Sequential || layers.Count != options.Ensemble + 1 || layers[^1] is not Average || layers.Take(options.Ensemble).Any(l => l is not LstmSharp.Model))
            {
                throw new InvalidDataException(
                    $"the settings name an ensemble of {options.Ensemble} networks, but the network is not one ({layers.Count} layer(s): {string.Join(", ", layers.Take(5).Select(l => l.GetType().Name))})");
            }
            networks = [.. layers.Take(options.Ensemble).Cast<LstmSharp.Model>()];
        }
        if (options.Ensemble > 1) CheckNetwork(model, lstms: null);
        foreach (var network in networks) CheckNetwork(network, network.Layers.OfType<Lstm>().ToArray());

        // The inputs and output the settings give, and for a network (not an ensemble's Average) its kind and LSTM layers.
        void CheckNetwork(Model network, Lstm[]? lstms)
        {
            if ((lstms is not null && ((network is Sequential) == options.UsesDecoder || lstms.Length != options.Layers || lstms.Any(l => l.Units != options.Units)))
                || network.Inputs.Count != inputs.Length || network.Inputs.Where((input, i) => !input.Shape.SequenceEqual(inputs[i])).Any()
                || network.OutputShape.Count != 1 || network.OutputShape[0] != outputs)
            {
                static string Shapes(IEnumerable<IReadOnlyList<int>> shapes) => string.Join(" and ", shapes.Select(s => $"[{string.Join(", ", s)}]"));
                throw new InvalidDataException(
                    $"the network{(options.Ensemble > 1 && lstms is not null ? $" '{network.Name}'" : "")} (input {Shapes(network.Inputs.Select(i => i.Shape))}, output [{string.Join(", ", network.OutputShape)}]" +
                    (lstms is null ? "" : $", {lstms.Length} LSTM layer(s)") + $") is not the one the settings build: input {Shapes(inputs)}, output [{outputs}]" +
                    (lstms is null ? "" : $", {options.Layers} LSTM layer(s) of {options.Units} units"));
            }
        }
        if (4L * options.Horizon * Math.Max(1, options.Quantiles.Count) > limits.MaxWorkBytes)
            throw new InvalidDataException($"a horizon of {options.Horizon} steps needs more than {nameof(ModelFileLimits)}.{nameof(ModelFileLimits.MaxWorkBytes)} ({limits.MaxWorkBytes} bytes) per origin");
    }

    static void WriteTrainingData(IDictionary<string, string> metadata, ForecastTrainingData? data)
    {
        if (data is null)
        {
            foreach (var key in new[] { TimeColumnKey, SeasonKey, TestRowsKey, MissingKey, SeriesColumnKey }) metadata.Remove(key);
            return;
        }
        if (data.SeriesColumn is null) metadata.Remove(SeriesColumnKey);
        else metadata[SeriesColumnKey] = data.SeriesColumn;
        metadata[TimeColumnKey] = data.TimeColumn ?? "";
        metadata[SeasonKey] = data.Season.ToString(CultureInfo.InvariantCulture);
        metadata[TestRowsKey] = data.TestRows.ToString(CultureInfo.InvariantCulture);
        metadata[MissingKey] = data.MissingPolicy switch
        {
            MissingPolicy.Interpolate => "interpolate",
            MissingPolicy.ForwardFill => "ffill",
            MissingPolicy.Drop => "drop",
            _ => "error",
        };
    }

    /// <summary>The training data a file records, null when it records none; a missing entry takes its field's default.</summary>
    static ForecastTrainingData? ReadTrainingData(IDictionary<string, string> metadata)
    {
        var found = metadata.TryGetValue(TimeColumnKey, out var time) | metadata.TryGetValue(SeasonKey, out var season)
            | metadata.TryGetValue(TestRowsKey, out var testRows) | metadata.TryGetValue(MissingKey, out var missing);
        if (!found) return null;
        return new ForecastTrainingData
        {
            TimeColumn = string.IsNullOrEmpty(time) ? null : time,
            SeriesColumn = metadata.TryGetValue(SeriesColumnKey, out var seriesColumn) && seriesColumn.Length > 0 ? seriesColumn : null,
            Season = season is null ? 0 : int.Parse(season, NumberStyles.Integer, CultureInfo.InvariantCulture),
            TestRows = testRows is null ? 0 : int.Parse(testRows, NumberStyles.Integer, CultureInfo.InvariantCulture),
            MissingPolicy = missing switch
            {
                null or "error" => MissingPolicy.Error,
                "interpolate" => MissingPolicy.Interpolate,
                "ffill" => MissingPolicy.ForwardFill,
                "drop" => MissingPolicy.Drop,
                _ => throw new FormatException($"{MissingKey} is '{missing}'; expected interpolate, ffill, drop or error"),
            },
        };
    }

    static int CheckColumns(IReadOnlyList<float[]> columns, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(names);
        if (columns.Count == 0 || columns.Count != names.Count)
            throw new ArgumentException($"Expected {names.Count} column(s) ({string.Join(", ", names)}); received {columns.Count}.", nameof(columns));
        var length = columns[0].Length;
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Length != length)
                throw new ArgumentException($"Column '{names[c]}' has {columns[c].Length} rows; '{names[0]}' has {length}.", nameof(columns));
            var bad = Array.FindIndex(columns[c], v => !float.IsFinite(v));
            if (bad >= 0)
                throw new ArgumentException($"Column '{names[c]}' row {bad + 1} is {columns[c][bad].ToString(CultureInfo.InvariantCulture)}; fill or drop missing values first.", nameof(columns));
        }
        return length;
    }

    static bool IsConstant(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
            if (v != values[0]) return false;
        return true;
    }

    /// <summary>
    /// The target transformed (row r from rows r−1 and r, or r−s and r; the first <see cref="Skip"/> rows unused), the
    /// other columns as they are.
    /// </summary>
    static float[][] Transformed(IReadOnlyList<float[]> columns, ForecastOptions options, int length)
    {
        var transform = options.Transform;
        var skip = Skip(options);
        var result = new float[columns.Count][];
        for (var c = 1; c < columns.Count; c++) result[c] = columns[c];
        var y = columns[0];
        var z = new float[length];
        for (var r = 0; r < length; r++)
        {
            z[r] = transform switch
            {
                SeriesTransform.None => y[r],
                _ when r < skip => 0f,
                SeriesTransform.Difference => y[r] - y[r - 1],
                SeriesTransform.SeasonalDifference => y[r] - y[r - skip],
                _ => MathF.Log(y[r]) - MathF.Log(y[r - 1]),
            };
        }
        result[0] = z;
        return result;
    }

    /// <summary>The transformed columns scaled by the scalers of series <paramref name="series"/> (0 for a one-series forecaster).</summary>
    float[][] Scale(float[][] transformed, int series)
    {
        var scaled = new float[transformed.Length][];
        for (var c = 0; c < transformed.Length; c++)
        {
            scaled[c] = (float[])transformed[c].Clone();
            _scalers[series][c].Transform(scaled[c]);
        }
        return scaled;
    }

    /// <summary>
    /// The network's inputs for each (series, origin): x <c>[origins, lookback, columns (+ calendar)]</c> of the series'
    /// rows origin − lookback … origin − 1 (<paramref name="scaled"/> <c>[series][column][row]</c>), each with its
    /// calendar numbers when there are any (<paramref name="calendars"/> <c>[series][row]</c>), and then the inputs of
    /// the forecast steps <c>[origins, horizon, calendar + future inputs]</c>, rows origin … origin + horizon − 1: their
    /// calendar, then the future input columns (the last <see cref="ForecastOptions.FutureInputs"/>, which reach that far).
    /// </summary>
    Tensor[] Inputs(float[][][] scaled, float[][]?[] calendars, (int Series, int Origin)[] origins)
    {
        int L = Options.Lookback, C = Columns.Count, W = Options.UsesCalendar ? CalendarWidth : 0, F = Options.FutureInputs, width = C + W;
        var x = Tensor.Zeros(origins.Length, L, width);
        var span = x.Span;
        for (var i = 0; i < origins.Length; i++)
        {
            var (columns, days, origin) = (scaled[origins[i].Series], calendars[origins[i].Series], origins[i].Origin);
            for (var l = 0; l < L; l++)
            {
                var row = origin - L + l;
                for (var c = 0; c < C; c++) span[(i * L + l) * width + c] = columns[c][row];
                days?[row].CopyTo(span.Slice((i * L + l) * width + C, W));
            }
        }
        if (!Options.UsesDecoder) return [x];
        var h = Options.Horizon;
        var future = Tensor.Zeros(origins.Length, h, W + F);
        var steps = future.Span;
        for (var i = 0; i < origins.Length; i++)
        {
            var (columns, days, origin) = (scaled[origins[i].Series], calendars[origins[i].Series], origins[i].Origin);
            for (var k = 0; k < h; k++)
            {
                var step = steps.Slice((i * h + k) * (W + F), W + F);
                days?[origin + k].CopyTo(step);
                for (var j = 0; j < F; j++) step[W + j] = columns[C - F + j][origin + k];
            }
        }
        return [x, future];
    }

    /// <summary>The calendar numbers of the rows and <paramref name="beyond"/> steps after them; null without calendar features.</summary>
    float[][]? CalendarRows(IReadOnlyList<DateTime>? times, int length, int beyond)
    {
        if (!Options.UsesCalendar) return null;
        if (times is null)
        {
            throw new ArgumentException($"This forecaster reads calendar features ({ForecastCalendar.Name(Options.Calendar)}{(_holidays is null ? "" : ", holidays")}) " +
                "of each step's date; give the time of every row (times).", nameof(times));
        }
        if (times.Count != length) throw new ArgumentException($"Expected a time per row, {length}; received {times.Count}.", nameof(times));
        return ForecastCalendar.Rows(times, beyond, Options.Calendar, _holidays);
    }

    static float[] Fit(ScalingMethod method, ReadOnlySpan<float> values) => method switch
    {
        ScalingMethod.MinMax => MinMaxScaler.Fit(values) is var m ? [m.Min, m.Max] : [],
        _ => StandardScaler.Fit(values) is var s ? [s.Mean, s.Std] : [],
    };

    static IScaler CreateScaler(ScalingMethod method, float[] values) => method switch
    {
        ScalingMethod.MinMax => new MinMaxScaler(values[0], values[1]),
        _ => new StandardScaler(values[0], values[1]),
    };
}
