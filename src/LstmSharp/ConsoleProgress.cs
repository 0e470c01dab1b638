// ConsoleProgress: Keras's line per epoch ("Epoch 3/20 - 1.2s - loss: 0.1234 - val_loss: 0.1301") for Fit's Progress,
// written on the training thread as each epoch ends, so lines come out whole, at once and in order.
using System.Globalization;
using System.Text;

namespace LstmSharp;

/// <summary>
/// A reporter for <see cref="FitOptions.Progress"/> that writes one line per epoch, as Keras's <c>fit</c> does:
/// <c>Epoch 3/20 - 1.2s - loss: 0.1234 - mae: 0.0567 - val_loss: 0.1301 - val_mae: 0.0601</c>.
/// </summary>
/// <remarks>
/// The line is written inside <see cref="Report"/>, on the thread that runs Fit, before the next epoch starts —
/// unlike <see cref="Progress{T}"/>, which posts each report to the thread pool (or the captured synchronization
/// context), where lines can come late and out of order. Batch reports are ignored. The library writes nothing unless
/// given one: <c>new FitOptions { Epochs = 20, Progress = new ConsoleProgress() }</c>.
/// </remarks>
/// <param name="writer">Where the lines go; default <see cref="Console.Out"/> (as it is at each report).</param>
public sealed class ConsoleProgress(TextWriter? writer = null) : IProgress<FitProgress>
{
    /// <summary>Writes the line of an epoch's end report (<see cref="FitProgress.EpochEnd"/>); ignores batch reports.</summary>
    public void Report(FitProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.EpochEnd) return;
        var output = writer ?? Console.Out;
        output.WriteLine(Format(value));
        output.Flush();
    }

    /// <summary>
    /// The line for <paramref name="progress"/>: epoch, time, then every logged value in log order (loss, metrics,
    /// their <c>val_</c> forms, scores) but the learning rate <c>lr</c>, each as Keras writes it — 4 decimals, or
    /// 4 in scientific notation when its magnitude is 0.001 or less (<c>5.0000e-04</c>).
    /// </summary>
    public static string Format(FitProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"Epoch {progress.Epoch}/{progress.Epochs} - {Duration(progress.Elapsed)}");
        foreach (var (key, value) in progress.Logs)
            if (key != "lr") line.Append(CultureInfo.InvariantCulture, $" - {key}: {Value(value)}");
        return line.ToString();
    }

    /// <summary>Keras's <c>f"{v:.4f}" if abs(v) > 1e-3 else f"{v:.4e}"</c>, with Python's nan and inf.</summary>
    static string Value(float value) => value switch
    {
        float.NaN => "nan",
        float.PositiveInfinity => "inf",
        float.NegativeInfinity => "-inf",
        _ => Math.Abs(value) > 1e-3f
            ? value.ToString("F4", CultureInfo.InvariantCulture)
            : value.ToString("0.0000e+00", CultureInfo.InvariantCulture),
    };

    static string Duration(TimeSpan elapsed) => elapsed.TotalSeconds switch
    {
        < 1 => $"{elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)}ms",
        < 60 => $"{elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)}s",
        _ => $"{(int)elapsed.TotalMinutes}m {elapsed.Seconds.ToString("00", CultureInfo.InvariantCulture)}s",
    };
}
