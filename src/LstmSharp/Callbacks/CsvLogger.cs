// CsvLogger: one CSV row of logs per epoch, flushed as it is written.
using System.Globalization;

namespace LstmSharp.Callbacks;

/// <summary>Writes <c>epoch</c> and every log entry to a CSV file, one row per epoch (appending with <paramref name="append"/>).</summary>
public sealed class CsvLogger(string path, bool append = false) : Callback, IDisposable
{
    StreamWriter? _writer;
    string[]? _keys;

    /// <inheritdoc />
    public override void OnTrainBegin(Model model)
    {
        _writer?.Dispose();
        var exists = append && File.Exists(path) && new FileInfo(path).Length > 0;
        _writer = new StreamWriter(path, append);
        _keys = null;
        if (exists) _keys = [];
    }

    /// <inheritdoc />
    public override void OnEpochEnd(Model model, int epoch, IReadOnlyDictionary<string, float> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (_writer is null) return;
        if (_keys is null || _keys.Length == 0)
        {
            var header = _keys is null;
            _keys = [.. logs.Keys];
            if (header) _writer.WriteLine("epoch," + string.Join(",", _keys));
        }
        var values = _keys.Select(k => logs.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
        _writer.WriteLine(epoch.ToString(CultureInfo.InvariantCulture) + "," + string.Join(",", values));
        _writer.Flush();
    }

    /// <inheritdoc />
    public override void OnTrainEnd(Model model) => Dispose();

    /// <inheritdoc />
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
