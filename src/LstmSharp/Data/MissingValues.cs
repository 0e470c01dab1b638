// MissingValues: fills gaps (NaN) in a column in place, or finds the rows to keep when gaps are dropped.
namespace LstmSharp.Data;

/// <summary>Missing values — NaN — in numeric columns. Infinities are values, not gaps.</summary>
public static class MissingValues
{
    /// <summary>
    /// Fills the missing values of <paramref name="values"/> in place by <paramref name="policy"/> and returns how many
    /// were filled (0 when none is missing; an empty column is left as it is).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <see cref="MissingPolicy.Error"/> and a value is missing (the message names the first index);
    /// <see cref="MissingPolicy.Drop"/>, which cannot work in place — use <see cref="RowsWithoutMissing"/>;
    /// or every value is missing, so there is nothing to fill from.
    /// </exception>
    public static int Fill(Span<float> values, MissingPolicy policy)
    {
        if (policy == MissingPolicy.Drop)
            throw new ArgumentException("MissingPolicy.Drop removes rows, which cannot be done in place on one column; use MissingValues.RowsWithoutMissing over all the columns used and keep those rows.", nameof(policy));
        if (policy is not (MissingPolicy.Interpolate or MissingPolicy.ForwardFill or MissingPolicy.Error))
            throw new ArgumentOutOfRangeException(nameof(policy), policy, $"Expected a MissingPolicy; received {(int)policy}.");
        var first = FirstMissing(values);
        if (first < 0) return 0;
        if (policy == MissingPolicy.Error)
            throw new ArgumentException($"Value {first} is missing (NaN; {Count(values)} of {values.Length} missing). Fill it (interpolate, forward-fill) or drop the row.", nameof(values));
        var known = FirstKnown(values);
        if (known < 0) throw new ArgumentException($"Every one of the {values.Length} values is missing; there is nothing to fill from.", nameof(values));

        var filled = 0;
        // Leading gap: back-filled with the first known value under both policies.
        for (var i = 0; i < known; i++, filled++) values[i] = values[known];
        var previous = known;
        for (var i = known + 1; i < values.Length; i++)
        {
            if (!float.IsNaN(values[i]))
            {
                if (policy == MissingPolicy.Interpolate && i - previous > 1)
                {
                    // Linear between the known neighbours previous and i, in double so long gaps stay exact at both ends.
                    double a = values[previous], b = values[i];
                    for (var j = previous + 1; j < i; j++) values[j] = (float)(a + (b - a) * (j - previous) / (i - previous));
                }
                previous = i;
                continue;
            }
            // Forward fill, or the trailing gap of interpolation (overwritten above if a known value follows).
            values[i] = values[previous];
            filled++;
        }
        return filled;
    }

    /// <summary>
    /// The indices, ascending, of the rows in which no column is missing — the rows kept by <see cref="MissingPolicy.Drop"/>.
    /// Empty when every row has a gap.
    /// </summary>
    /// <exception cref="ArgumentException">No columns, a null column, or columns of different lengths.</exception>
    public static int[] RowsWithoutMissing(IReadOnlyList<float[]> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0) throw new ArgumentException("Expected at least one column; received none.", nameof(columns));
        var rows = columns[0]?.Length ?? throw new ArgumentException("Column 0 is null.", nameof(columns));
        for (var c = 1; c < columns.Count; c++)
        {
            if (columns[c] is not { } column) throw new ArgumentException($"Column {c} is null.", nameof(columns));
            if (column.Length != rows)
                throw new ArgumentException($"Expected columns of equal length; column 0 has {rows} rows but column {c} has {column.Length}.", nameof(columns));
        }
        var kept = new List<int>(rows);
        for (var r = 0; r < rows; r++)
        {
            var complete = true;
            for (var c = 0; c < columns.Count && complete; c++) complete = !float.IsNaN(columns[c][r]);
            if (complete) kept.Add(r);
        }
        return [.. kept];
    }

    // A loop, not Span.IndexOf(NaN): NaN payloads differ and vectorised equality never matches NaN.
    static int FirstMissing(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) return i;
        }
        return -1;
    }

    static int FirstKnown(ReadOnlySpan<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsNaN(values[i])) return i;
        }
        return -1;
    }

    static int Count(ReadOnlySpan<float> values)
    {
        var n = 0;
        foreach (var v in values) n += float.IsNaN(v) ? 1 : 0;
        return n;
    }
}
