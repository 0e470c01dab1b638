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
        catch (Exception e) when (e is CliException or TrainingDivergedException or EnvironmentVariableException or ArgumentException or IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
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

    /// <summary>
    /// Library names in library messages, and what a user of the tool knows them as: the flag that sets an option, the
    /// command that makes a model. Add a row when a library message names another.
    /// </summary>
    static readonly (string Library, string Cli)[] CliNames =
    [
        ("ForecastOptions.Lookback", "--lookback"),
        ("ForecastOptions.Horizon", "--horizon"),
        ("MissingPolicy.Drop", "--missing drop"),
        ("Forecaster.Train", "`lstm forecast train`"),
        ("LanguageModel.Create and Train", "`lstm text train`"),
        ("TextClassifier.Train", "`lstm classify train`"),
        ("Translator.Train", "`lstm translate train`"),
        ("Tagger.Train", "`lstm tag train`"),
        ("tokenColumn", "--token-column"),
        ("tagColumn", "--tag-column"),
        ("lower the learning rate", "lower --learning-rate"),
    ];

    /// <summary>
    /// The message for a user of the tool: without the " (Parameter 'x')" and "Actual value was" lines argument
    /// exceptions append, and with the library's option and method names given as the tool's flags and commands.
    /// </summary>
    public static string Message(Exception e)
    {
        var message = e is ArgumentException ? e.Message.Split(" (Parameter", 2)[0].Trim() : e.Message;
        foreach (var (library, cli) in CliNames) message = message.Replace(library, cli, StringComparison.Ordinal);
        return message;
    }
}
