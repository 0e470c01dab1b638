// ForecastStrategy: how a forecaster reaches more than one step ahead.
namespace LstmSharp.Forecasting;

/// <summary>How multi-step forecasts are made.</summary>
public enum ForecastStrategy
{
    /// <summary>One network output per future step (multi-output); needs no future inputs.</summary>
    Direct,

    /// <summary>
    /// A one-step network applied repeatedly, each forecast fed back as the newest input. Univariate only: the
    /// other input columns are unknown in the future.
    /// </summary>
    Recursive,
}
