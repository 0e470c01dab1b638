// KernelGuard: debug-only size checks at kernel entries (ImageSharp's DebugGuard beside our always-on Guard).
// The fast kernels index raw pointers and TensorPrimitives, so a span shorter than the sizes a kernel is given
// reads or writes past it without a word; in a Debug build (the test suite) these throw instead, naming the
// kernel, its argument, the length it needs and the length it got. [Conditional("DEBUG")] removes every call,
// arguments included, from Release builds, so the hot paths pay nothing.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace LstmSharp.Internals;

static class KernelGuard
{
    /// <summary>Throws unless <paramref name="span"/> holds exactly <paramref name="expected"/> floats.</summary>
    [Conditional("DEBUG")]
    public static void Length(
        ReadOnlySpan<float> span, int expected,
        [CallerArgumentExpression(nameof(span))] string name = "",
        [CallerArgumentExpression(nameof(expected))] string size = "",
        [CallerMemberName] string kernel = "")
    {
        if (span.Length != expected)
            throw new ArgumentException($"{kernel}: '{name}' must hold {Size(size, expected)} floats; received {span.Length}.", name);
    }

    /// <summary>Throws unless <paramref name="span"/> holds at least <paramref name="expected"/> floats.</summary>
    [Conditional("DEBUG")]
    public static void AtLeast(
        ReadOnlySpan<float> span, int expected,
        [CallerArgumentExpression(nameof(span))] string name = "",
        [CallerArgumentExpression(nameof(expected))] string size = "",
        [CallerMemberName] string kernel = "")
    {
        if (span.Length < expected)
            throw new ArgumentException($"{kernel}: '{name}' must hold at least {Size(size, expected)} floats; received {span.Length}.", name);
    }

    /// <summary>
    /// Throws unless <paramref name="span"/> holds a row-major [rows, cols] matrix with row stride <paramref name="ld"/>:
    /// (rows − 1)·ld + cols floats (none when rows or cols is 0), and ld ≥ cols so that rows do not overlap.
    /// </summary>
    [Conditional("DEBUG")]
    public static void Matrix(
        ReadOnlySpan<float> span, int rows, int cols, int ld,
        [CallerArgumentExpression(nameof(span))] string name = "",
        [CallerArgumentExpression(nameof(ld))] string stride = "",
        [CallerMemberName] string kernel = "")
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentException($"{kernel}: '{name}' is given [{rows}, {cols}]; sizes must not be negative.", name);
        if (rows > 1 && ld < cols)
            throw new ArgumentException($"{kernel}: the row stride {stride} of '{name}' must be at least its {cols} columns; received {ld}.", name);
        var needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (span.Length < needed)
        {
            throw new ArgumentException(
                $"{kernel}: '{name}' [{rows}, {cols}] with row stride {stride} = {ld} must hold at least {needed} floats; received {span.Length}.", name);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="span"/> is [r, n] for some r ≥ 1 that divides <paramref name="rows"/> (a mask
    /// row shared by rows / r consecutive rows), or anything when rows or n is 0.
    /// </summary>
    [Conditional("DEBUG")]
    public static void RowsDividing(
        ReadOnlySpan<float> span, int rows, int n,
        [CallerArgumentExpression(nameof(span))] string name = "",
        [CallerMemberName] string kernel = "")
    {
        if (rows == 0 || n == 0) return;
        var r = span.Length / n;
        if (span.Length % n != 0 || r == 0 || rows % r != 0)
        {
            throw new ArgumentException(
                $"{kernel}: '{name}' must hold [r, {n}] floats with r dividing the {rows} rows (r = {rows} gives every row its own); received {span.Length}.", name);
        }
    }

    /// <summary>"rows * n = 12", or just "12" when the size is a literal.</summary>
    static string Size(string expression, int value)
    {
        var literal = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return expression == literal ? literal : $"{expression} = {literal}";
    }
}
