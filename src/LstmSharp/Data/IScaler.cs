// IScaler: the common shape of the fitted scalers, so a caller can scale and unscale without knowing which one.
namespace LstmSharp.Data;

/// <summary>A fitted, invertible element-wise scaling (<see cref="MinMaxScaler"/>, <see cref="StandardScaler"/>).</summary>
public interface IScaler
{
    /// <summary>Scales in place.</summary>
    void Transform(Span<float> values);

    /// <summary>Undoes <see cref="Transform"/> in place.</summary>
    void Inverse(Span<float> values);
}
