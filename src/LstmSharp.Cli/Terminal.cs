// Terminal: everything a command shows — settings, progress, tables, the JSON result — routed to the right stream.
// Human output goes to stdout, or to stderr under --json (stdout then holds only the JSON document), which carries the
// settings shown, the tool's version and the time the command took.
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using LstmSharp.Forecasting;
using LstmSharp.Layers;
using LstmSharp.Tagging;
using Spectre.Console.Rendering;

namespace LstmSharp.Cli;

internal sealed class Terminal
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    readonly CliHost _host;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly JsonObject _settings = [];

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
    /// <remarks>They are kept for the JSON result (a later table's setting of the same name replaces an earlier one's).</remarks>
    public void Settings(string title, IEnumerable<(string Name, object? Value)> settings)
    {
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Simple };
        table.AddColumn("setting");
        table.AddColumn("value");
        foreach (var (name, value) in settings)
        {
            var text = Format(value);
            _settings[name] = text;
            table.AddRow(new Spectre.Console.Text(name), new Spectre.Console.Text(text));
        }
        if (!IsQuiet) Human.Write(table);
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

    /// <summary>A line of results in Spectre markup (shown like a results table).</summary>
    public void ResultMarkup(string markup)
    {
        if (!(IsJson && IsQuiet)) Human.MarkupLine(markup);
    }

    /// <summary>True when the human output shows colours: a terminal that has them, and not --json.</summary>
    public bool Colours => !IsJson && Human.Profile.Capabilities.ColorSystem != ColorSystem.NoColors;

    /// <summary>Writes generated text as it comes (stdout, or stderr under --json), unbuffered.</summary>
    public void Stream(string text)
    {
        var writer = IsJson ? _host.Error : _host.Out;
        writer.Write(text);
        writer.Flush();
    }

    /// <summary>Writes the machine-readable result on stdout under --json, with the settings, the tool's version and the time taken.</summary>
    public void Json(JsonObject result)
    {
        if (!IsJson) return;
        result["version"] = Version;
        result["elapsed_seconds"] = Math.Round(_clock.Elapsed.TotalSeconds, 3);
        result["settings"] = _settings.DeepClone();
        _host.Out.WriteLine(result.ToJsonString(Indented));
    }

    /// <summary>The tool's version (with the commit it was built from, when the build recorded it).</summary>
    public static string Version { get; } = typeof(Terminal).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>A setting's value as the table shows it: numbers invariantly, yes/no, options in words.</summary>
    public static string Format(object? value) => value switch
    {
        null => "-",
        bool b => YesNo(b),
        Enum e => Words(e),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string YesNo(bool value) => value ? "yes" : "no";

    /// <summary>An option's value in the words of the tool's help, not its enum name.</summary>
    public static string Words(Enum value) => value switch
    {
        ScalingMethod.MinMax => "min–max to [0, 1]",
        ScalingMethod.Standard => "standardised to mean 0, standard deviation 1",
        SeriesTransform.None => "none",
        SeriesTransform.Difference => "first differences",
        SeriesTransform.LogDifference => "log differences (relative change)",
        SeriesTransform.SeasonalDifference => "seasonal differences (change since one season before)",
        ForecastStrategy.Direct => "direct (one output per step)",
        ForecastStrategy.Recursive => "recursive (a one-step model fed its own forecasts)",
        TagScheme.Bio => "BIO",
        TagScheme.Iobes => "IOBES",
        TagScheme.None => "none (one label per token)",
        AttentionScore.Concat => "concat (Bahdanau)",
        AttentionScore.General => "general (Luong)",
        AttentionScore.Dot => "dot (Luong)",
        _ => value.ToString().ToLowerInvariant(),
    };

    public static string F(double value, string format = "F3") => value.ToString(format, CultureInfo.InvariantCulture);
}
