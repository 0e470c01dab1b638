// Terminal: everything a command shows — settings, progress, tables, the JSON result — routed to the right stream.
// Human output goes to stdout, or to stderr under --json (stdout then holds only the JSON document).
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LstmSharp.Cli;

internal sealed class Terminal
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    readonly CliHost _host;

    public Terminal(CliHost host, bool json, bool quiet)
    {
        _host = host;
        IsJson = json;
        IsQuiet = quiet;
        var writer = json ? host.Error : host.Out;
        Human = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = host.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = host.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = host.Interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!host.Interactive) Human.Profile.Width = 160;
    }

    public bool IsJson { get; }

    public bool IsQuiet { get; }

    public IAnsiConsole Human { get; }

    public CancellationToken Cancel => _host.Cancel;

    /// <summary>True when progress can redraw in place (a terminal, not --quiet).</summary>
    public bool LiveProgress => _host.Interactive && !IsQuiet && Human.Profile.Capabilities.Interactive;

    /// <summary>The command's resolved settings, as a two-column table (skipped under --quiet).</summary>
    public void Settings(string title, IEnumerable<(string Name, object? Value)> settings)
    {
        if (IsQuiet) return;
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Simple };
        table.AddColumn("setting");
        table.AddColumn("value");
        foreach (var (name, value) in settings) table.AddRow(new Spectre.Console.Text(name), new Spectre.Console.Text(Format(value)));
        Human.Write(table);
    }

    /// <summary>A line of commentary (skipped under --quiet).</summary>
    public void Line(string text)
    {
        if (!IsQuiet) Human.WriteLine(text);
    }

    /// <summary>A warning about a result that looks wrong: always shown, on stderr.</summary>
    public void Warning(string text) => _host.Error.WriteLine($"warning: {text}");

    /// <summary>A results table: shown unless --json and --quiet are both given.</summary>
    public void Results(string title, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (IsJson && IsQuiet) return;
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Rounded };
        for (var i = 0; i < header.Count; i++)
        {
            var column = new TableColumn(new Spectre.Console.Text(header[i]));
            if (i > 0) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in rows) table.AddRow(row.Select(c => (IRenderable)new Spectre.Console.Text(c)));
        Human.Write(table);
    }

    /// <summary>A line of results (shown like a results table).</summary>
    public void ResultLine(string text)
    {
        if (!(IsJson && IsQuiet)) Human.WriteLine(text);
    }

    /// <summary>Writes generated text as it comes (stdout, or stderr under --json), unbuffered.</summary>
    public void Stream(string text)
    {
        var writer = IsJson ? _host.Error : _host.Out;
        writer.Write(text);
        writer.Flush();
    }

    /// <summary>Writes the machine-readable result on stdout under --json.</summary>
    public void Json(JsonObject result)
    {
        if (IsJson) _host.Out.WriteLine(result.ToJsonString(Indented));
    }

    public static string Format(object? value) => value switch
    {
        null => "-",
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string F(double value, string format = "F3") => value.ToString(format, CultureInfo.InvariantCulture);
}
