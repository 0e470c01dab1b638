// SeriesTransform: what the forecaster models instead of the raw target, so trends do not leave the scaled range.
namespace LstmSharp.Forecasting;

/// <summary>How the target series is turned into what the network learns.</summary>
public enum SeriesTransform
{
    /// <summary>The values themselves (for series without a trend).</summary>
    None,

    /// <summary>First differences <c>y_t − y_{t−1}</c> (removes a linear trend; forecasts are summed back).</summary>
    Difference,

    /// <summary>
    /// Differences of logarithms <c>log y_t − log y_{t−1}</c> (relative change; for positive series whose
    /// seasonal swings grow with the level, such as AirPassengers).
    /// </summary>
    LogDifference,

    /// <summary>
    /// Seasonal differences <c>y_t − y_{t−s}</c> with s = <see cref="ForecastOptions.Season"/>: the change since the same
    /// time one season before, so the network need not learn the seasonal pattern (nor a linear trend) and a forecast of
    /// zero is the seasonal-naive one. Forecasts are added back to the value a season earlier (an earlier forecast once
    /// the horizon reaches past a season).
    /// </summary>
    SeasonalDifference,
}
