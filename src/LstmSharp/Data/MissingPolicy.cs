// MissingPolicy: what to do with missing values (NaN) in a numeric column.
namespace LstmSharp.Data;

/// <summary>How <see cref="MissingValues"/> treats missing values (NaN).</summary>
public enum MissingPolicy
{
    /// <summary>Linear interpolation between the known neighbours; a leading gap takes the first known value, a trailing gap the last.</summary>
    Interpolate,

    /// <summary>The previous known value; a leading gap takes the first known value.</summary>
    ForwardFill,

    /// <summary>Drop the rows with a missing value; see <see cref="MissingValues.RowsWithoutMissing"/>.</summary>
    Drop,

    /// <summary>Refuse: a missing value is an error that names its index.</summary>
    Error,
}
