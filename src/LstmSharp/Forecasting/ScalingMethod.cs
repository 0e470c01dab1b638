// ScalingMethod: how each input column is scaled, fitted on the training part only.
namespace LstmSharp.Forecasting;

/// <summary>How the columns are scaled before the network sees them.</summary>
public enum ScalingMethod
{
    /// <summary>Zero mean, unit variance (<see cref="Data.StandardScaler"/>).</summary>
    Standard,

    /// <summary>To [0, 1] over the training range (<see cref="Data.MinMaxScaler"/>).</summary>
    MinMax,
}
