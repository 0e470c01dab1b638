// CliErrors: maps exceptions to exit codes and one-line messages (1 = bad input or usage, 2 = internal error).
namespace LstmSharp.Cli;

/// <summary>A problem with the user's input, reported without a stack trace (exit code 1).</summary>
internal sealed class CliException(string message) : Exception(message);

internal static class CliErrors
{
    public static int Run(CliHost host, Func<int> command)
    {
        try
        {
            return command();
        }
        catch (OperationCanceledException)
        {
            host.Error.WriteLine("Interrupted (Ctrl-C); nothing was saved.");
            return Cli.Interrupted;
        }
        catch (Exception e) when (e is CliException or TrainingDivergedException or ArgumentException or IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            host.Error.WriteLine($"error: {Message(e)}");
            return 1;
        }
        catch (Exception e)
        {
            host.Error.WriteLine($"internal error (please report it): {e}");
            return 2;
        }
    }

    /// <summary>The message without the " (Parameter 'x')" and "Actual value was" lines argument exceptions append.</summary>
    public static string Message(Exception e) => e is ArgumentException ? e.Message.Split(" (Parameter", 2)[0].Trim() : e.Message;
}
