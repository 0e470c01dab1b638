// ForecastSeries: one series of a global forecaster's training data — its id, its columns, where its training part
// ends and the time of each row.
namespace LstmSharp.Forecasting;

/// <summary>
/// One series a global <see cref="Forecaster"/> is trained on
/// (<see cref="Forecaster.Train(IReadOnlyList{ForecastSeries}, IReadOnlyList{string}, ForecastOptions, IProgress{FitProgress}?, IReadOnlyList{Callbacks.Callback}?)"/>):
/// </summary>
/// <param name="Id">What the series is called (a store, a sensor, a station); forecasts name it. Non-empty, distinct among the series.</param>
/// <param name="Columns">Its columns, the target first, in the order of the forecaster's column names; equal lengths, no missing values.</param>
/// <param name="TrainEnd">Rows <c>[0, TrainEnd)</c> are its training part (windows, scalers); the rows after it are not seen.</param>
/// <param name="Times">The time of each row, for calendar features (<see cref="ForecastOptions.UsesCalendar"/>); null without them.</param>
/// <example>
/// <code>
/// var series = stores.Select(s => new ForecastSeries(s.Name, [s.Sales], s.Sales.Length - 28)).ToArray();
/// var forecaster = Forecaster.Train(series, ["sales"], new ForecastOptions { Lookback = 28, Horizon = 7 });
/// float[] next = forecaster.ForecastNext([stores[0].Sales], series: stores[0].Name);
/// </code>
/// </example>
public sealed record ForecastSeries(string Id, IReadOnlyList<float[]> Columns, int TrainEnd, IReadOnlyList<DateTime>? Times = null);
