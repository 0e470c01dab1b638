// ForecastScores: the five error measures of a set of forecasts against what happened.
using LstmSharp.Metrics;

namespace LstmSharp.Forecasting;

/// <summary>Errors of forecasts against actual values (see <see cref="ForecastErrors"/>); MASE is scaled by the training part's in-sample (seasonal) naive error.</summary>
public sealed record ForecastScores(double Mae, double Rmse, double Mape, double Smape, double Mase)
{
    /// <summary>Scores of <paramref name="forecast"/> against <paramref name="actual"/>, MASE scaled on <paramref name="training"/> with lag <paramref name="season"/>.</summary>
    public static ForecastScores Compute(ReadOnlySpan<float> actual, ReadOnlySpan<float> forecast, ReadOnlySpan<float> training, int season) => new(
        ForecastErrors.Mae(actual, forecast), ForecastErrors.Rmse(actual, forecast), ForecastErrors.Mape(actual, forecast),
        ForecastErrors.Smape(actual, forecast), ForecastErrors.Mase(actual, forecast, training, season));
}
