// CliRunner: runs `lstm` commands in-process (Cli.Run) in a temporary folder and captures stdout, stderr and the exit code.
using System.Diagnostics;
using System.Globalization;
using LstmSharp.Cli;

namespace LstmSharp.Tests.Cli;

internal sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Folder = Path.Combine(Path.GetTempPath(), "lstm-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public static string Repo => Repository.Root;

    public static string Data(string name) => Path.Combine(Repo, "data", name);

    public string File(string name) => Path.Combine(Folder, name);

    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public (int Exit, string Out, string Error) Run(params string[] args) => Run(CancellationToken.None, args);

    public (int Exit, string Out, string Error) Run(CancellationToken cancel, params string[] args)
    {
        ObjectDisposedException.ThrowIf(!Directory.Exists(Folder), this);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = LstmSharp.Cli.Cli.Run(args, new CliHost(output, error, Interactive: false, cancel));
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs a command with <paramref name="input"/> as its standard input.</summary>
    public (int Exit, string Out, string Error) RunWithInput(TextReader input, params string[] args)
    {
        ObjectDisposedException.ThrowIf(!Directory.Exists(Folder), this);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exit = LstmSharp.Cli.Cli.Run(args, new CliHost(output, error, Interactive: false, CancellationToken.None, input));
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>
    /// The built tool (lstm.dll beside the tests: they reference its project) as a separate process in this folder,
    /// output redirected, for what only a real process shows: signals, the environment read at start.
    /// </summary>
    public ProcessStartInfo Process(params string[] args)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "lstm.dll");
        if (!System.IO.File.Exists(tool)) throw new FileNotFoundException($"{tool} is missing: the tests reference the tool's project", tool);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Folder,
        };
        start.ArgumentList.Add(tool);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
