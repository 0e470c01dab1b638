// CommonOptions: --seed, --threads, --json and --quiet, which every command accepts.
using System.CommandLine;
using LstmSharp.Kernels;

namespace LstmSharp.Cli;

internal sealed class CommonOptions
{
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for weights, shuffling, dropout and sampling.", DefaultValueFactory = _ => 42 };

    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "Threads for the math kernels (0 = one per core, or LSTMSHARP_THREADS when set).",
        DefaultValueFactory = _ => 0,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Write the result as JSON on stdout; progress and settings go to stderr." };

    public Option<bool> Quiet { get; } = new("--quiet") { Description = "Print only the results: no settings, no progress." };

    /// <summary>An option with a description and a default (which --help shows).</summary>
    public static Option<T> Opt<T>(string name, string description, T value) => new(name) { Description = description, DefaultValueFactory = _ => value };

    /// <summary>The training commands' --log-dir.</summary>
    public static Option<string> LogDir() => Opt("--log-dir",
        "Folder for a per-epoch log written as training goes: history.jsonl and history.csv (epoch, losses, metrics, lr, time) and loss.png redrawn (default: none).", "");

    public static CommonOptions AddTo(Command command)
    {
        var options = new CommonOptions();
        command.Options.Add(options.Seed);
        command.Options.Add(options.Threads);
        command.Options.Add(options.Json);
        command.Options.Add(options.Quiet);
        return options;
    }

    /// <summary>Applies --threads and opens the terminal the command writes to.</summary>
    public Terminal Open(ParseResult result, CliHost host)
    {
        var threads = result.GetValue(Threads);
        if (threads < 0) throw new CliException($"--threads must be 0 (one per core) or more; received {threads}.");
        // The kernels read the variable once, when they first run, so this must happen before any training.
        if (threads > 0) Environment.SetEnvironmentVariable("LSTMSHARP_THREADS", threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A bad LSTMSHARP_KERNELS or LSTMSHARP_THREADS is reported here, before any settings or work, as bad input (exit 1).
        _ = KernelEnvironment.Variant;
        _ = KernelEnvironment.Threads;
        return new Terminal(host, result.GetValue(Json), result.GetValue(Quiet));
    }
}
