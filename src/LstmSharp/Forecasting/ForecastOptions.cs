// ForecastOptions: the settings of a Forecaster — data layout, model size and training — as an init-only record.
using LstmSharp.Internals;

namespace LstmSharp.Forecasting;

/// <summary>Settings of a <see cref="Forecaster"/>, with defaults that suit monthly or weekly series of a few hundred points.</summary>
public sealed record ForecastOptions
{
    /// <summary>The longest look-back and horizon accepted (a million steps; far beyond any series this is for).</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>Past steps the network sees, 1 to <see cref="MaxSteps"/>. Default 12.</summary>
    public int Lookback { get; init; } = 12;

    /// <summary>Future steps forecast at once, 1 to <see cref="MaxSteps"/>. Default 1.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>How multi-step forecasts are made. Default <see cref="ForecastStrategy.Direct"/>.</summary>
    public ForecastStrategy Strategy { get; init; } = ForecastStrategy.Direct;

    /// <summary>What the network models. Default <see cref="SeriesTransform.Difference"/>.</summary>
    public SeriesTransform Transform { get; init; } = SeriesTransform.Difference;

    /// <summary>
    /// Season length of the <see cref="SeriesTransform.SeasonalDifference"/> transform, 2 to <see cref="MaxSteps"/>;
    /// 0 when another transform is used (it is then ignored). Default 0.
    /// </summary>
    public int Season { get; init; }

    /// <summary>
    /// Quantiles to forecast besides the point, for prediction intervals: each in (0, 1), increasing, with 0.5 among
    /// them (the point forecast is then the median). The network outputs every quantile of every step and is trained
    /// on the quantile (pinball) loss (<see cref="Losses.QuantileLoss"/>); each step's quantiles are of the change since
    /// the last known value (for differences) or the same season's last known value (seasonal differences), since
    /// quantiles of per-step changes do not add up. Direct strategy only. Empty = a point forecast trained on the mean
    /// squared error. Default empty. (Record equality compares this list by reference, as it does every list.)
    /// </summary>
    public IReadOnlyList<float> Quantiles { get; init; } = [];

    /// <summary>
    /// Calendar features of each step's date (<see cref="CalendarFeatures"/>), known for the steps forecast as well as
    /// for the look-back: the network then reads them beside the history and again beside each forecast step, through
    /// a decoder shared by the steps (MQ-RNN's: a context per step from the LSTM's last state, joined with that step's
    /// calendar, through a ReLU layer to the step's outputs). Needs the time of every row; direct strategy. Default
    /// <see cref="CalendarFeatures.None"/>.
    /// </summary>
    public CalendarFeatures Calendar { get; init; }

    /// <summary>
    /// Holidays (days): a flag per step, 1 on these days, read as the <see cref="Calendar"/> features are, known for
    /// the future steps too. Empty = no holiday flag. Default empty.
    /// </summary>
    public IReadOnlyList<DateOnly> Holidays { get; init; } = [];

    /// <summary>Whether the forecaster reads the calendar of its steps: <see cref="Calendar"/> features or <see cref="Holidays"/>.</summary>
    public bool UsesCalendar => Calendar != CalendarFeatures.None || Holidays.Count > 0;

    /// <summary>
    /// Input columns whose values are known for the forecast steps too — a promotion planned, a schedule of games, a
    /// weather forecast: the last <see cref="FutureInputs"/> of the columns after the target. The network reads them
    /// beside the history as it reads every column, and again beside each forecast step, through the decoder the
    /// <see cref="Calendar"/> features use; a forecast then needs their values for the steps it reaches past the data
    /// (the <c>future</c> argument of <see cref="Forecaster.Forecast"/>). Every other input column is known only up to the
    /// origin. Direct strategy. Default 0.
    /// </summary>
    public int FutureInputs { get; init; }

    /// <summary>Whether each forecast step has inputs of its own (<see cref="UsesCalendar"/>, <see cref="FutureInputs"/>), read by a decoder shared by the steps.</summary>
    public bool UsesDecoder => UsesCalendar || FutureInputs > 0;

    /// <summary>How columns are scaled (fitted on the training part only). Default <see cref="ScalingMethod.Standard"/>.</summary>
    public ScalingMethod Scaling { get; init; } = ScalingMethod.Standard;

    /// <summary>Units of each LSTM layer. Default 32.</summary>
    public int Units { get; init; } = 32;

    /// <summary>Stacked LSTM layers. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Dropout on each LSTM layer's inputs (variational). Default 0.</summary>
    public float Dropout { get; init; }

    /// <summary>Adam learning rate. Default 0.005.</summary>
    public float LearningRate { get; init; } = 0.005f;

    /// <summary>
    /// Clip the gradients to this global L2 norm (Pascanu et al. 2013; 0 = off), so one steep batch — long look-backs,
    /// a series with a jump — cannot throw the weights away. Default 1.
    /// </summary>
    public float ClipNorm { get; init; } = 1f;

    /// <summary>
    /// Multiply the learning rate by this factor when the validation loss has not improved for a third of
    /// <see cref="Patience"/> epochs (at least 10; Keras's <c>ReduceLROnPlateau</c>; 0 = never, and never without
    /// validation windows). Default 0.5.
    /// </summary>
    public float LearningRateDecay { get; init; } = 0.5f;

    /// <summary>Most epochs. Default 200.</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Mini-batch size. Default 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Early stopping: epochs without a better validation loss before stopping (best weights kept); 0 = off. Default 30.</summary>
    public int Patience { get; init; } = 30;

    /// <summary>Fraction of the training windows, the latest ones, held out for validation. Default 0.1.</summary>
    public float ValidationFraction { get; init; } = 0.1f;

    /// <summary>Seed for weights and shuffling. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Networks trained one after the other on the same windows, each from its own initial weights and shuffling
    /// (<see cref="Member"/>), whose outputs the forecaster averages (each step's and each quantile's, before the
    /// quantiles are sorted; for the recursive strategy at every step, before the average is fed back), 1 to 100:
    /// averaging a few seeds cuts the variance of one network's forecasts. Default 1.
    /// </summary>
    public int Ensemble { get; init; } = 1;

    /// <summary>
    /// The options of network <paramref name="member"/> (from 0) of the <see cref="Ensemble"/>: these, as one network
    /// (<see cref="Ensemble"/> 1) of seed <see cref="Seed"/> + 7919 · <paramref name="member"/> (member 0 has the seed itself).
    /// Training each with <see cref="Forecaster.Train(IReadOnlyList{float[]}, IReadOnlyList{string}, int, ForecastOptions, IProgress{FitProgress}?, IReadOnlyList{Callbacks.Callback}?, IReadOnlyList{DateTime}?)"/>
    /// and joining them (<see cref="Forecaster.Join"/>) is what training with these options does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="member"/> is not in [0, <see cref="Ensemble"/>).</exception>
    public ForecastOptions Member(int member)
    {
        if (member < 0 || member >= Ensemble)
            throw new ArgumentOutOfRangeException(nameof(member), member, $"member must be in [0, {Ensemble}) for an ensemble of {Ensemble}; received {member}.");
        return this with { Ensemble = 1, Seed = unchecked(Seed + 7919 * member) };
    }

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(Lookback is >= 1 and <= MaxSteps, nameof(Lookback), Lookback, $"in [1, {MaxSteps}]");
        Guard.Option(Horizon is >= 1 and <= MaxSteps, nameof(Horizon), Horizon, $"in [1, {MaxSteps}]");
        Guard.Option(Enum.IsDefined(Strategy), nameof(Strategy), Strategy, "Direct or Recursive");
        Guard.Option(Enum.IsDefined(Transform), nameof(Transform), Transform, "None, Difference, LogDifference or SeasonalDifference");
        Guard.Option(Transform == SeriesTransform.SeasonalDifference ? Season is >= 2 and <= MaxSteps : Season is >= 0 and <= MaxSteps, nameof(Season), Season,
            Transform == SeriesTransform.SeasonalDifference ? $"in [2, {MaxSteps}] for the seasonal-difference transform" : $"in [0, {MaxSteps}]");
        ArgumentNullException.ThrowIfNull(Quantiles, nameof(Quantiles));
        for (var q = 0; q < Quantiles.Count; q++)
        {
            Guard.Option(Quantiles[q] is > 0f and < 1f && (q == 0 || Quantiles[q] > Quantiles[q - 1]), nameof(Quantiles), Quantiles[q], "increasing values in (0, 1)");
        }
        Guard.Option(Quantiles.Count == 0 || Quantiles.Contains(0.5f), nameof(Quantiles), string.Join(", ", Quantiles), "empty or holding 0.5 (the point forecast is the median)");
        Guard.Option(Quantiles.Count == 0 || Strategy == ForecastStrategy.Direct, nameof(Quantiles), string.Join(", ", Quantiles), "empty with the recursive strategy (quantiles are forecast directly)");
        Guard.Option((Calendar & ~(CalendarFeatures.HourOfDay | CalendarFeatures.DayOfWeek | CalendarFeatures.DayOfYear | CalendarFeatures.Month)) == 0, nameof(Calendar), Calendar,
            "a combination of HourOfDay, DayOfWeek, DayOfYear and Month");
        ArgumentNullException.ThrowIfNull(Holidays, nameof(Holidays));
        Guard.Option(!UsesCalendar || Strategy == ForecastStrategy.Direct, Calendar != CalendarFeatures.None ? nameof(Calendar) : nameof(Holidays),
            Calendar != CalendarFeatures.None ? Forecasting.ForecastCalendar.Name(Calendar) : $"{Holidays.Count} day(s)",
            "none with the recursive strategy (the calendar of the forecast steps goes to a direct decoder)");
        Guard.Option(FutureInputs is >= 0 and <= MaxSteps, nameof(FutureInputs), FutureInputs, $"in [0, {MaxSteps}]");
        Guard.Option(FutureInputs == 0 || Strategy == ForecastStrategy.Direct, nameof(FutureInputs), FutureInputs,
            "0 with the recursive strategy (the future inputs of the forecast steps go to a direct decoder)");
        Guard.Option(Enum.IsDefined(Scaling), nameof(Scaling), Scaling, "Standard or MinMax");
        Guard.Option(Units >= 1, nameof(Units), Units, "at least 1");
        Guard.Option(Layers >= 1, nameof(Layers), Layers, "at least 1");
        Guard.Option(Dropout is >= 0f and < 1f, nameof(Dropout), Dropout, "in [0, 1)");
        Guard.Option(LearningRate > 0f && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "positive");
        Guard.Option(ClipNorm >= 0f && float.IsFinite(ClipNorm), nameof(ClipNorm), ClipNorm, "0 (off) or positive");
        Guard.Option(LearningRateDecay is >= 0f and < 1f, nameof(LearningRateDecay), LearningRateDecay, "0 (never) or in (0, 1)");
        Guard.Option(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Guard.Option(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Guard.Option(Patience >= 0, nameof(Patience), Patience, "0 (off) or more");
        Guard.Option(ValidationFraction is >= 0f and < 1f, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
        Guard.Option(Ensemble is >= 1 and <= 100, nameof(Ensemble), Ensemble, "in [1, 100]");
    }
}
