// Tensor.Format: the values as numpy's str() prints a float32 array (numpy 1.24, default print options) — nested
// brackets per axis, one width for every value, rows wrapped at 75 characters, and beyond 1,000 values only the first
// and last 3 of each axis with "..." between. Reference: numpy/core/arrayprint.py (FloatingFormat, _formatArray).
using System.Globalization;
using System.Text;

namespace LstmSharp;

public sealed partial class Tensor
{
    /// <summary>numpy's <c>threshold</c>: more values than this are summarised.</summary>
    const int PrintThreshold = 1000;

    /// <summary>numpy's <c>edgeitems</c>: values kept at each end of an axis when summarising.</summary>
    const int PrintEdgeItems = 3;

    /// <summary>numpy's <c>linewidth</c>.</summary>
    const int PrintLineWidth = 75;

    /// <summary>numpy's <c>precision</c>: fractional digits at most.</summary>
    const int PrintPrecision = 8;

    /// <summary>
    /// The shape, then the values as numpy prints a float32 array (<c>print(a)</c>): <c>Tensor[2, 3]</c> and on the
    /// next line <c>[[0.  0.5 1. ]</c> / <c> [1.5 2.  2.5]]</c>. Beyond 1,000 values each axis shows its first and last
    /// 3 entries with <c>...</c> between (numpy's <c>threshold</c> and <c>edgeitems</c>).
    /// </summary>
    public override string ToString() => $"Tensor[{FormatShape(_shape)}]\n{FormatValues()}";

    /// <summary>numpy's <c>str(a)</c> for these values.</summary>
    internal string FormatValues()
    {
        if (Length == 0) return "[]";
        var summarise = Length > PrintThreshold;
        var shown = new List<float>();
        Visit(0, 0, summarise, (offset, _) => shown.Add(_data[_offset + offset]));
        var format = new FloatFormat(shown);
        if (Rank == 0) return format.Format(_data[_offset]);
        return Rows(0, 0, " ", PrintLineWidth, summarise, format);
    }

    /// <summary>The strides-free walk numpy's recursion makes: every shown element's offset, in order.</summary>
    void Visit(int axis, int offset, bool summarise, Action<int, int> element)
    {
        if (axis == Rank)
        {
            element(offset, axis);
            return;
        }
        var stride = 1;
        for (var a = axis + 1; a < Rank; a++) stride *= _shape[a];
        foreach (var i in Indices(_shape[axis], summarise)) Visit(axis + 1, offset + i * stride, summarise, element);
    }

    /// <summary>The indices shown along an axis of <paramref name="size"/>: all, or the first and last edge items.</summary>
    static IEnumerable<int> Indices(int size, bool summarise) =>
        summarise && 2 * PrintEdgeItems < size
            ? [.. Enumerable.Range(0, PrintEdgeItems), .. Enumerable.Range(size - PrintEdgeItems, PrintEdgeItems)]
            : Enumerable.Range(0, size);

    /// <summary>numpy's <c>_formatArray</c> recursion with separator ' ' (str), for the axis at <paramref name="offset"/>.</summary>
    string Rows(int axis, int offset, string hangingIndent, int width, bool summarise, FloatFormat format)
    {
        var size = _shape[axis];
        var stride = 1;
        for (var a = axis + 1; a < Rank; a++) stride *= _shape[a];
        var elide = summarise && 2 * PrintEdgeItems < size;
        var indices = Indices(size, summarise).ToArray();
        var nextIndent = hangingIndent + " ";
        var nextWidth = width - 1;   // the closing bracket
        var s = new StringBuilder();
        if (axis == Rank - 1)
        {
            // The last axis: values joined by spaces, wrapped when a line would pass the width (less one for the bracket).
            var elementWidth = width - 1;
            var line = new StringBuilder(hangingIndent);
            for (var k = 0; k < indices.Length; k++)
            {
                if (elide && k == PrintEdgeItems) Extend(s, line, "...", elementWidth, hangingIndent).Append(' ');
                Extend(s, line, format.Format(_data[_offset + offset + indices[k] * stride]), elementWidth, hangingIndent);
                if (k < indices.Length - 1) line.Append(' ');
            }
            s.Append(line);
        }
        else
        {
            // Outer axes: one nested block per entry, separated by as many newlines as axes remain below.
            var separator = new string('\n', Rank - axis - 1);
            for (var k = 0; k < indices.Length; k++)
            {
                if (elide && k == PrintEdgeItems) s.Append(hangingIndent).Append("...").Append(separator);
                s.Append(hangingIndent).Append(Rows(axis + 1, offset + indices[k] * stride, nextIndent, nextWidth, summarise, format));
                if (k < indices.Length - 1) s.Append(separator);
            }
        }
        return "[" + s.ToString(hangingIndent.Length, s.Length - hangingIndent.Length) + "]";
    }

    /// <summary>numpy's <c>_extendLine</c>: appends <paramref name="word"/>, first breaking the line if it would pass <paramref name="width"/>.</summary>
    static StringBuilder Extend(StringBuilder s, StringBuilder line, string word, int width, string indent)
    {
        if (line.Length + word.Length > width && line.Length > indent.Length)
        {
            s.Append(line.ToString().TrimEnd()).Append('\n');
            line.Clear().Append(indent);
        }
        return line.Append(word);
    }

    /// <summary>
    /// numpy's <c>FloatingFormat</c> (floatmode 'maxprec', precision 8, sign '-'): positional or scientific notation
    /// chosen from the shown values, each value at its shortest float32 digits (at most 8 after the point), padded so
    /// that every one has the same width and the points line up.
    /// </summary>
    sealed class FloatFormat
    {
        readonly bool _scientific;
        readonly int _padLeft;
        readonly int _padRight;
        readonly int _precision;

        public FloatFormat(List<float> values)
        {
            var finite = values.Where(float.IsFinite).ToArray();
            var nonZero = finite.Where(v => v != 0).Select(MathF.Abs).ToArray();
            if (nonZero.Length > 0)
            {
                float max = nonZero.Max(), min = nonZero.Min();
                _scientific = max >= 1e8f || min < 0.0001f || max / min > 1000f;
            }
            if (finite.Length > 0)
            {
                if (_scientific)
                {
                    var parts = finite.Select(v => Scientific(v)).ToArray();
                    _precision = parts.Max(p => p.Fraction.Length);
                    _padLeft = parts.Max(p => p.Integer.Length);
                    _padRight = 4 + _precision;   // "e+05" and the digits after the point
                }
                else
                {
                    var parts = finite.Select(Positional).ToArray();
                    _padLeft = parts.Max(p => p.Integer.Length);
                    _padRight = parts.Max(p => p.Fraction.Length);
                }
            }
            if (finite.Length != values.Count)
            {
                var negativeInfinity = values.Any(float.IsNegativeInfinity) ? 1 : 0;
                _padLeft = Math.Max(_padLeft, Math.Max(3, 3 + negativeInfinity) - (_padRight + 1));
            }
        }

        public string Format(float value)
        {
            if (!float.IsFinite(value))
            {
                var text = float.IsNaN(value) ? "nan" : value < 0 ? "-inf" : "inf";
                return text.PadLeft(_padLeft + _padRight + 1);
            }
            if (_scientific)
            {
                // Digits past the shortest are the value's own, rounded (Dragon4's min_digits), not zeros.
                var (integer, fraction, exponent) = Scientific(value, _precision + 1);
                return integer.PadLeft(_padLeft) + "." + fraction + exponent;
            }
            var (whole, digits) = Positional(value);
            return whole.PadLeft(_padLeft) + "." + digits.PadRight(_padRight);
        }

        /// <summary>
        /// The decimal digits of <paramref name="value"/>, correctly rounded to <paramref name="significant"/> digits
        /// (default: the fewest that read back as the same float32), trailing zeros dropped unless asked for, and the
        /// power of ten of the first.
        /// </summary>
        static (bool Negative, string Digits, int Exponent) Digits(float value, int? significant = null)
        {
            // "R" gives the shortest digits, in either notation; "E" with that many significant digits gives them in one.
            var shortest = value.ToString("R", CultureInfo.InvariantCulture).TrimStart('-').Split('E')[0];
            var count = significant ?? Math.Max(1, shortest.Replace(".", "", StringComparison.Ordinal).Trim('0').Length);
            var text = value.ToString("E" + (count - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            var negative = text.StartsWith('-');
            var mantissaAndExponent = text.TrimStart('-').Split('E');
            var digits = mantissaAndExponent[0].Replace(".", "", StringComparison.Ordinal);
            if (significant is null) digits = digits.TrimEnd('0');
            return (negative, digits.Length == 0 ? "0" : digits, int.Parse(mantissaAndExponent[1], CultureInfo.InvariantCulture));
        }

        /// <summary>
        /// numpy's <c>dragon4_scientific(x, precision=8, unique=True, trim='.')</c> split at the point and the 'e', with
        /// <paramref name="significant"/> digits when given.
        /// </summary>
        static (string Integer, string Fraction, string Exponent) Scientific(float value, int? significant = null)
        {
            var (negative, digits, exponent) = Digits(value, significant);
            if (value == 0) exponent = 0;
            var sign = exponent < 0 ? "-" : "+";
            return ((negative ? "-" : "") + digits[0], digits[1..], $"e{sign}{Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture)}");
        }

        /// <summary>numpy's <c>dragon4_positional(x, precision=8, unique=True, fractional=True, trim='.')</c> split at the point.</summary>
        static (string Integer, string Fraction) Positional(float value)
        {
            var (negative, digits, exponent) = Digits(value);
            string integer, fraction;
            if (value == 0)
            {
                (integer, fraction) = ("0", "");
            }
            else if (exponent >= 0)
            {
                integer = exponent + 1 >= digits.Length ? digits.PadRight(exponent + 1, '0') : digits[..(exponent + 1)];
                fraction = exponent + 1 >= digits.Length ? "" : digits[(exponent + 1)..];
            }
            else
            {
                (integer, fraction) = ("0", new string('0', -exponent - 1) + digits);
            }
            if (fraction.Length > PrintPrecision)
            {
                // More than 8 digits after the point: the exact value rounded there, trailing zeros dropped.
                var rounded = Math.Abs((double)value).ToString("F" + PrintPrecision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Split('.');
                (integer, fraction) = (rounded[0], rounded[1].TrimEnd('0'));
            }
            return ((negative ? "-" : "") + integer, fraction);
        }
    }
}
