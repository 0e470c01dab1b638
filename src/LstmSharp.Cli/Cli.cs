// Cli: builds the command tree over a host (output writers, Ctrl-C token) and runs it; Program and the tests call it.
using System.CommandLine;
using LstmSharp.Cli.Commands;

namespace LstmSharp.Cli;

/// <summary>Where a command writes and how it learns that the user pressed Ctrl-C.</summary>
/// <param name="Out">Results (the JSON document under <c>--json</c>).</param>
/// <param name="Error">Errors, and progress and settings under <c>--json</c>.</param>
/// <param name="Interactive">True when the human output is a terminal (progress bars instead of lines).</param>
/// <param name="Cancel">Signalled by Ctrl-C: training stops after the current batch and saves what it has.</param>
internal sealed record CliHost(TextWriter Out, TextWriter Error, bool Interactive, CancellationToken Cancel, TextReader? Input = null)
{
    /// <summary>Standard input (the console's unless a test gives one).</summary>
    public TextReader In => Input ?? Console.In;
}

internal static class Cli
{
    /// <summary>Exit code of a run stopped by Ctrl-C after saving what it had (128 + SIGINT, as shells use).</summary>
    public const int Interrupted = 130;

    public static int Run(string[] args, CliHost host)
    {
        var root = new RootCommand("LstmSharp: LSTM, GRU and RNN networks in pure managed C#.")
        {
            DemoCommand.Create(host),
            ForecastCommand.Create(host),
            TextCommand.Create(host),
            ClassifyCommand.Create(host),
            TranslateCommand.Create(host),
            TagCommand.Create(host),
            InfoCommand.Create(host),
            ExportCommand.Create(host),
        };
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = host.Out, Error = host.Error, EnableDefaultExceptionHandler = false };
        return parse.Invoke(invocation);
    }
}
