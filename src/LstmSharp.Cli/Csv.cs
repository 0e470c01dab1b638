// Csv: the small reader the demo needs (a header row, comma-separated numbers); errors name file, line and column.
using System.Globalization;

namespace LstmSharp.Cli;

internal static class Csv
{
    /// <summary>The values of column <paramref name="column"/> (by header name) as floats.</summary>
    public static float[] ReadColumn(string path, string column)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: file not found.");
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new CliException($"{path}: the file is empty.");
        var names = header.Split(',').Select(h => h.Trim().Trim('"')).ToArray();
        var index = Array.IndexOf(names, column);
        if (index < 0) throw new CliException($"{path}: no column '{column}'; the columns are: {string.Join(", ", names)}.");
        var values = new List<float>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != names.Length)
                throw new CliException($"{path}:{lineNumber}: expected {names.Length} fields, found {fields.Length}.");
            var text = fields[index].Trim();
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                throw new CliException($"{path}:{lineNumber}: column '{column}' holds '{text}', which is not a number.");
            values.Add(value);
        }
        if (values.Count == 0) throw new CliException($"{path}: no data rows after the header.");
        return [.. values];
    }
}
