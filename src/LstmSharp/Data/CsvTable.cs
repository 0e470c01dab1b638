// CsvTable: a CSV file (or stream or text) read with Sep — separator detected, quotes unescaped, fields trimmed — into
// named string columns, with numeric columns as float arrays (missing values NaN) and a [rows, columns] tensor; every
// error about the file names it, the line and the column.
using System.Globalization;
using LstmSharp.Internals;
using nietras.SeparatedValues;

namespace LstmSharp.Data;

/// <summary>
/// A table read from CSV: a header line of column names, then one row per line (blank lines skipped). Read one with
/// <see cref="Read(string, CsvOptions?)"/>, take columns by name as text (<see cref="Strings"/>) or numbers
/// (<see cref="Numbers"/>), or a tensor <c>[rows, columns]</c> (<see cref="ToTensor"/>).
/// </summary>
/// <example>
/// <code>
/// var table = CsvTable.Read("AirPassengers.csv");
/// float[] passengers = table.Numbers("Passengers");
/// Tensor series = table.ToTensor("Passengers");   // [144, 1]
/// </code>
/// </example>
public sealed class CsvTable
{
    readonly string[][] _rows;
    readonly int[] _lines;
    readonly string[] _columns;
    readonly HashSet<string> _missing;

    CsvTable(string source, string[] columns, string[][] rows, int[] lines, HashSet<string> missing)
    {
        Source = source;
        _columns = columns;
        _rows = rows;
        _lines = lines;
        _missing = missing;
    }

    /// <summary>The file's path, or the name given to <see cref="Read(Stream, string?, CsvOptions?)"/>; errors start with it.</summary>
    public string Source { get; }

    /// <summary>The column names, from the header line, in file order.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Data rows (the header and blank lines not counted).</summary>
    public int RowCount => _rows.Length;

    /// <summary>Reads the file at <paramref name="path"/>: a header line, then at least one data row.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file has no header, no data rows, or a row with another number of fields than the header; the message names the file and line.</exception>
    public static CsvTable Read(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        return Read(o => o.FromFile(path), path, options ?? new());
    }

    /// <summary>Reads CSV from <paramref name="stream"/> (UTF-8); <paramref name="source"/> names it in errors (default "stream").</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string, CsvOptions?)"/>.</exception>
    public static CsvTable Read(Stream stream, string? source = null, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(o => o.From(stream), source ?? "stream", options ?? new());
    }

    /// <summary>Reads CSV held in <paramref name="text"/>; <paramref name="source"/> names it in errors (default "text").</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string, CsvOptions?)"/>.</exception>
    public static CsvTable Parse(string text, string? source = null, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Read(o => o.FromText(text), source ?? "text", options ?? new());
    }

    static CsvTable Read(Func<SepReaderOptions, SepReader> open, string source, CsvOptions options)
    {
        // Column counts are checked here rather than by Sep, so that blank lines (often at the end) are skipped and the
        // message can show the row.
        var sep = new SepReaderOptions(options.Separator is { } c ? new Sep(c) : null) with { Unescape = true, Trim = SepTrim.Outer, DisableColCountCheck = true };
        var rows = new List<string[]>();
        var lines = new List<int>();
        string[] columns;
        try
        {
            using var reader = open(sep);
            columns = [.. reader.Header.ColNames];
            if (columns.Length == 0 || columns.All(string.IsNullOrWhiteSpace)) throw new InvalidDataException($"{source}: the first line holds no column names.");
            foreach (var row in reader)
            {
                if (row.ColCount == 1 && row[0].Span.IsWhiteSpace()) continue;
                if (row.ColCount != columns.Length)
                {
                    throw new InvalidDataException($"{source}:{row.LineNumberFrom}: expected {columns.Length} fields ({Quoting.List(columns)}), found {row.ColCount}: " +
                        $"'{Quoting.Quote(row.Span.ToString())}'.");
                }
                rows.Add(row[0..row.ColCount].ToStringsArray());
                lines.Add(row.LineNumberFrom);
            }
        }
        catch (ArgumentException e)
        {
            // Sep refuses a header that names a column twice.
            throw new InvalidDataException($"{source}:1: {e.Message.Trim().ReplaceLineEndings(" — ")}", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source}: {e.Message.Trim().ReplaceLineEndings(" — ")}", e);
        }
        catch (NotSupportedException e)
        {
            // Sep's buffer stops at 16 MiB; a row that long is almost always a quote left open.
            throw new InvalidDataException($"{source}:{lines.LastOrDefault() + 1}: a row is longer than 16 MiB (16,777,216 characters); is a quote (\") left open?", e);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{source}: no data rows after the header ({Quoting.List(columns)}).");
        return new CsvTable(source, columns, [.. rows], [.. lines], [.. options.MissingValues]);
    }

    /// <summary>The index of column <paramref name="name"/>; an unknown name is an error that lists the columns there are.</summary>
    /// <exception cref="ArgumentException">No column is named <paramref name="name"/> (exactly); the message lists the columns and a name that differs only in case.</exception>
    public int ColumnIndex(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var index = Array.IndexOf(_columns, name);
        if (index < 0)
        {
            var near = _columns.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            throw new ArgumentException($"{Source}: no column '{Quoting.Quote(name)}'; the columns are: {Quoting.List(_columns)}." +
                (near is null ? "" : $" Did you mean '{near}'?"), nameof(name));
        }
        return index;
    }

    /// <summary>The line of the file (from 1, the header being line 1) that row <paramref name="row"/> (from 0) came from.</summary>
    public int Line(int row) => _lines[row];

    /// <summary>Column <paramref name="column"/> as text, trimmed and unquoted, one string per row.</summary>
    public string[] Strings(string column)
    {
        var c = ColumnIndex(column);
        return [.. _rows.Select(r => r[c])];
    }

    /// <summary>
    /// Column <paramref name="column"/> as numbers (invariant culture: <c>1.5</c>, <c>-2e-3</c>); missing values
    /// (<see cref="CsvOptions.MissingValues"/>) are NaN.
    /// </summary>
    /// <exception cref="InvalidDataException">A field is neither a finite number nor missing; the message names the file, line, column and field.</exception>
    public float[] Numbers(string column)
    {
        var c = ColumnIndex(column);
        var values = new float[_rows.Length];
        for (var r = 0; r < _rows.Length; r++) values[r] = Number(r, c);
        return values;
    }

    /// <summary>True when row <paramref name="row"/>'s field in column <paramref name="column"/> is one of the <see cref="CsvOptions.MissingValues"/>.</summary>
    public bool IsMissing(int row, string column) => _missing.Contains(_rows[row][ColumnIndex(column)]);

    /// <summary>A table of the named columns only, in the order given (each row's line kept).</summary>
    public CsvTable Select(params IReadOnlyList<string> columns)
    {
        var indices = Indices(columns);
        var rows = _rows.Select(r => indices.Select(c => r[c]).ToArray()).ToArray();
        return new CsvTable(Source, [.. indices.Select(c => _columns[c])], rows, _lines, _missing);
    }

    /// <summary>
    /// The named columns (every column when none is named) as numbers in a tensor <c>[rows, columns]</c>, missing
    /// values NaN — e.g. the <c>[time, features]</c> series that <see cref="Windows.Create"/> takes.
    /// </summary>
    /// <exception cref="InvalidDataException">A field is neither a number nor missing (the first such, by row).</exception>
    public Tensor ToTensor(params IReadOnlyList<string> columns)
    {
        var indices = columns.Count == 0 ? [.. Enumerable.Range(0, _columns.Length)] : Indices(columns);
        var tensor = Tensor.Zeros(_rows.Length, indices.Length);   // [rows, columns]
        var values = tensor.Span;
        for (var r = 0; r < _rows.Length; r++)
            for (var j = 0; j < indices.Length; j++) values[r * indices.Length + j] = Number(r, indices[j]);
        return tensor;
    }

    int[] Indices(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var indices = columns.Select(ColumnIndex).ToArray();
        var twice = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"{Source}: column '{Quoting.Quote(twice.Key)}' is named twice.", nameof(columns));
        return indices;
    }

    float Number(int row, int column)
    {
        var text = _rows[row][column];
        if (_missing.Contains(text)) return float.NaN;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
        {
            throw new InvalidDataException($"{Source}:{_lines[row]}: column '{Quoting.Quote(_columns[column])}' (column {column + 1}) holds '{Quoting.Quote(text)}', which is not a number " +
                $"(nor a missing value: {string.Join(", ", _missing.Select(m => $"'{m}'"))}).");
        }
        return value;
    }
}
