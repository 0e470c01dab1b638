// CsvTable: a CSV file read with Sep (separator detected, quotes unescaped) into named string columns, with
// numeric access whose errors name the file, line, column and value.
using System.Globalization;
using nietras.SeparatedValues;

namespace LstmSharp.Cli;

internal sealed class CsvTable
{
    static readonly string[] MissingTokens = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?", "-"];
    readonly List<string[]> _rows;
    readonly List<int> _lines;

    CsvTable(string path, string[] columns, List<string[]> rows, List<int> lines)
    {
        Path = path;
        Columns = columns;
        _rows = rows;
        _lines = lines;
    }

    public string Path { get; }

    public IReadOnlyList<string> Columns { get; }

    public int RowCount => _rows.Count;

    /// <summary>Reads <paramref name="path"/>: a header row, then at least one data row.</summary>
    public static CsvTable Read(string path)
    {
        CliFiles.CheckInput(path);
        var rows = new List<string[]>();
        var lines = new List<int>();
        string[] columns;
        try
        {
            // Column counts are checked here rather than by Sep, so that blank lines (often at the end) are skipped.
            using var reader = Sep.Reader(o => o with { Unescape = true, Trim = SepTrim.Outer, DisableColCountCheck = true }).FromFile(path);
            columns = [.. reader.Header.ColNames];
            if (columns.Length == 0 || columns.All(string.IsNullOrWhiteSpace)) throw new CliException($"{path}: the first line holds no column names.");
            foreach (var row in reader)
            {
                if (row.ColCount == 1 && row[0].Span.IsWhiteSpace()) continue;
                if (row.ColCount != columns.Length)
                {
                    throw new CliException($"{path}:{row.LineNumberFrom}: expected {columns.Length} fields ({CliFiles.List(columns)}), found {row.ColCount}: " +
                        $"'{CliFiles.Quote(row.Span.ToString())}'.");
                }
                rows.Add(row[0..row.ColCount].ToStringsArray());
                lines.Add(row.LineNumberFrom);
            }
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"{path}: {e.Message.Trim().ReplaceLineEndings(" — ")}");
        }
        catch (NotSupportedException)
        {
            // Sep's buffer stops at 16 MiB; a row that long is almost always a quote left open.
            throw new CliException($"{path}:{lines.LastOrDefault() + 1}: a row is longer than 16 MiB (16,777,216 characters); is a quote (\") left open?");
        }
        if (rows.Count == 0) throw new CliException($"{path}: no data rows after the header ({CliFiles.List(columns)}).");
        return new CsvTable(path, columns, rows, lines);
    }

    /// <summary>The index of column <paramref name="name"/>; an unknown name lists the columns there are.</summary>
    public int Column(string name, string option)
    {
        var index = Array.IndexOf((string[])Columns, name);
        if (index < 0)
        {
            var near = Columns.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            throw new CliException($"{Path}: no column '{CliFiles.Quote(name)}' ({option}); the columns are: {CliFiles.List(Columns)}." +
                (near is null ? "" : $" Did you mean '{near}'?"));
        }
        return index;
    }

    public int Line(int row) => _lines[row];

    public string[] Strings(string name, string option)
    {
        var c = Column(name, option);
        return [.. _rows.Select(r => r[c])];
    }

    /// <summary>
    /// Column <paramref name="name"/> as numbers. Missing values (empty, NA, NaN, null, ?) become NaN when
    /// <paramref name="allowMissing"/>; anything else that is not a number is an error naming line, column and value.
    /// </summary>
    public float[] Numbers(string name, string option, bool allowMissing)
    {
        var c = Column(name, option);
        var values = new float[_rows.Count];
        for (var r = 0; r < _rows.Count; r++)
        {
            var text = _rows[r][c];
            if (MissingTokens.Contains(text))
            {
                if (!allowMissing)
                    throw new CliException($"{Path}:{_lines[r]}: column '{CliFiles.Quote(name)}' (column {c + 1}) is missing ('{text}'); choose --missing interpolate, ffill or drop.");
                values[r] = float.NaN;
                continue;
            }
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                throw new CliException($"{Path}:{_lines[r]}: column '{CliFiles.Quote(name)}' (column {c + 1}) holds '{CliFiles.Quote(text)}', which is not a number.");
            values[r] = value;
        }
        return values;
    }
}
