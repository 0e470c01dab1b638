// CsvOptions: how CsvTable reads a file — the separator (or detect it) and which field texts count as missing.
namespace LstmSharp.Data;

/// <summary>Options of <see cref="CsvTable.Read(string, CsvOptions?)"/>.</summary>
public sealed record CsvOptions
{
    /// <summary>
    /// The field separator; null (the default) detects it from the header line as Sep does (a comma, semicolon, tab
    /// or pipe; a comma when the header holds none).
    /// </summary>
    public char? Separator { get; init; }

    /// <summary>
    /// Field texts (after trimming, compared exactly) that <see cref="CsvTable.Numbers"/> and
    /// <see cref="CsvTable.ToTensor"/> read as missing, NaN. Default: empty, <c>NA</c>, <c>N/A</c>, <c>NaN</c>,
    /// <c>nan</c>, <c>null</c>, <c>NULL</c>, <c>?</c> and <c>-</c> (pandas's defaults and the common spreadsheet ones).
    /// </summary>
    public IReadOnlyList<string> MissingValues { get; init; } = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?", "-"];
}
