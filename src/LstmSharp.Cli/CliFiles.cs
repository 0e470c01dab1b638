// CliFiles: the checks every file the tool reads or writes gets before any work starts — an input is a regular file
// with something in it (a FIFO would hang the read), an output's folder exists and is writable and the output is not
// one of the inputs — and text from a file quoted in a message, kept short and printable.
using LstmSharp.Internals;

namespace LstmSharp.Cli;

internal static class CliFiles
{
    /// <summary>Refuses a missing file, a folder, and an empty file, pipe, socket or device (their size is 0).</summary>
    public static void CheckInput(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"{path}: is a folder; expected a file.");
        var file = new FileInfo(path);
        if (!file.Exists) throw new CliException($"{path}: file not found.");
        if (file.Length == 0) throw new CliException($"{path}: the file is empty (or not a regular file: a pipe, socket or device); there is nothing to read.");
    }

    /// <summary>
    /// Checks, before training, that <paramref name="path"/> (given by <paramref name="option"/>) can be written: not a
    /// folder, not one of <paramref name="inputs"/> (the model would overwrite the data), in a folder that exists and
    /// takes a new file.
    /// </summary>
    public static void CheckOutput(string path, string option, params string[] inputs)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{option} needs a file name.");
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new CliException($"{option} {path}: is a folder; give a file name.");
        foreach (var input in inputs.Where(i => i.Length > 0))
        {
            if (string.Equals(Path.GetFullPath(input), full, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                throw new CliException($"{option} {path}: is the input file {input}; writing it would destroy the input. Choose another name.");
        }
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new CliException($"{option} {path}: the folder {folder} does not exist.");
        var probe = Path.Combine(folder, $".lstm-write-test-{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{option} {path}: cannot write in {folder} ({e.Message}).");
        }
    }

    /// <summary>
    /// <paramref name="text"/> from a file as a message may quote it: at most <paramref name="length"/> (60)
    /// characters, control characters and undecodable bytes shown as '?', and the length when it is cut.
    /// </summary>
    public static string Quote(string text, int length = Quoting.QuoteLength) => Quoting.Quote(text, length);

    /// <summary>A path as the settings show it: relative to the current folder when the file is inside it, else as given.</summary>
    public static string Show(string path)
    {
        if (path.Length == 0 || path == "-") return path;
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>The first few names of a list (each quoted), and how many more there are.</summary>
    public static string List(IReadOnlyList<string> names) => Quoting.List(names);
}
