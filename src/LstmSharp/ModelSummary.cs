// ModelSummary: what Model.Summary prints, as data — the name, the table Keras prints and the parameter counts — and
// its text form.
using System.Globalization;
using System.Text;

namespace LstmSharp;

/// <summary>A model's summary (<see cref="Model.GetSummary"/>); <see cref="ToString"/> is the text <see cref="Model.Summary"/> prints.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Header">The column titles: layer (type), output shape, param #, and for a graph "connected to".</param>
/// <param name="Rows">One row per input (graphs only) and per layer call, a cell per column.</param>
/// <param name="TotalParameters">Every parameter value.</param>
/// <param name="TrainableParameters">Those that training updates (<see cref="Parameter.Trainable"/>).</param>
/// <param name="KerasBiasSurplus">
/// How many more parameters than Keras counts for the same layers: recurrent layers keep PyTorch's two biases
/// (<c>bias_ih</c>, <c>bias_hh</c>), Keras's LSTM (4H) and SimpleRNN (H) one, per direction; its GRU with
/// <c>reset_after=True</c> two, as here.
/// </param>
public sealed record ModelSummary(string Name, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows,
    long TotalParameters, long TrainableParameters, long KerasBiasSurplus)
{
    static readonly string[] SizeUnits = ["B", "KB", "MB", "GB"];

    /// <summary>Frozen parameters: <see cref="TotalParameters"/> − <see cref="TrainableParameters"/>.</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    /// <summary>The sentence on Keras's count, or null when Keras counts the same.</summary>
    public string? BiasNote => KerasBiasSurplus > 0
        ? string.Create(CultureInfo.InvariantCulture, $"Recurrent layers hold PyTorch's two biases (bias_ih, bias_hh), so PyTorch counts the same; Keras, with one per LSTM, SimpleRNN and reset-before GRU, counts {KerasBiasSurplus:N0} fewer.")
        : null;

    /// <summary>The total, trainable and non-trainable lines, each with its size in float32: <c>Total params: 6,993 (27.32 KB)</c>.</summary>
    public IReadOnlyList<string> CountLines =>
    [
        string.Create(CultureInfo.InvariantCulture, $"Total params: {TotalParameters:N0} ({Bytes(TotalParameters)})"),
        string.Create(CultureInfo.InvariantCulture, $"Trainable params: {TrainableParameters:N0} ({Bytes(TrainableParameters)})"),
        string.Create(CultureInfo.InvariantCulture, $"Non-trainable params: {NonTrainableParameters:N0} ({Bytes(NonTrainableParameters)})"),
    ];

    /// <summary>The summary as text: the name, the table between rules (counts right-aligned), the counts and the bias note.</summary>
    public override string ToString()
    {
        var table = new List<IReadOnlyList<string>> { Header };
        table.AddRange(Rows);
        var widths = Enumerable.Range(0, Header.Count).Select(c => table.Max(r => r[c].Length)).ToArray();
        var rule = new string('─', widths.Sum() + 3 * (widths.Length - 1));
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Model: \"{Name}\"");
        sb.AppendLine(rule);
        for (var i = 0; i < table.Count; i++)
        {
            for (var c = 0; c < widths.Length; c++)
            {
                if (c > 0) sb.Append("   ");
                var cell = c == 2 ? table[i][c].PadLeft(widths[c]) : table[i][c].PadRight(widths[c]);
                sb.Append(c == widths.Length - 1 ? cell.TrimEnd() : cell);
            }
            sb.AppendLine();
            if (i == 0) sb.AppendLine(rule);
        }
        sb.AppendLine(rule);
        sb.AppendJoin(Environment.NewLine, CountLines);
        if (BiasNote is { } note) sb.AppendLine().Append(note);
        return sb.ToString();
    }

    /// <summary>Keras's size of <paramref name="count"/> float32 values: bytes, KB, MB or GB (of 1024) with two decimals.</summary>
    static string Bytes(long count)
    {
        double size = 4.0 * count;
        var unit = 0;
        for (; size >= 1024 && unit < 3; unit++) size /= 1024;
        return string.Create(CultureInfo.InvariantCulture, $"{size:F2} {SizeUnits[unit]}");
    }
}
