// ForecastTrainingData: how the rows a forecaster was trained on were read and split, kept in its model file so that
// evaluating or forecasting from new data later reads them the same way.
using LstmSharp.Data;
using LstmSharp.Internals;

namespace LstmSharp.Forecasting;

/// <summary>
/// How the data a <see cref="Forecaster"/> was trained on was read and split — not the data itself. It travels in
/// the model file (<see cref="Forecaster.TrainingData"/>), so that a later evaluation can hold out as many test rows,
/// score against the same season and treat gaps the same way as the training run did.
/// </summary>
public sealed record ForecastTrainingData
{
    /// <summary>The column of time labels (dates) of the rows; null when there was none. Default null.</summary>
    public string? TimeColumn { get; init; }

    /// <summary>Season length of the seasonal-naive baseline and of MASE (1 = no season); 0 = not recorded. Default 0.</summary>
    public int Season { get; init; }

    /// <summary>Rows at the end held out for testing; 0 = not recorded. Default 0.</summary>
    public int TestRows { get; init; }

    /// <summary>How missing values were handled. Default <see cref="MissingPolicy.Error"/>.</summary>
    public MissingPolicy MissingPolicy { get; init; } = MissingPolicy.Error;

    /// <summary>
    /// For a global forecaster (<see cref="Forecaster.Series"/>) read from one table in long format: the column of
    /// series ids, one series per distinct value. Null for one series, or for several series in wide format, one target
    /// column each (the ids are then the column names). Default null.
    /// </summary>
    public string? SeriesColumn { get; init; }

    /// <summary>Checks every field; the message names the field, the value and the allowed range.</summary>
    public void Validate()
    {
        Guard.Option(TimeColumn is null || TimeColumn.Length > 0, nameof(TimeColumn), "''", "null (none) or a column name");
        Guard.Option(Season >= 0, nameof(Season), Season, "0 (not recorded), 1 (none) or a season length");
        Guard.Option(TestRows >= 0, nameof(TestRows), TestRows, "0 (not recorded) or more");
        Guard.Option(Enum.IsDefined(MissingPolicy), nameof(MissingPolicy), MissingPolicy, "a MissingPolicy");
        Guard.Option(SeriesColumn is null || SeriesColumn.Length > 0, nameof(SeriesColumn), "''", "null (none) or a column name");
    }
}
