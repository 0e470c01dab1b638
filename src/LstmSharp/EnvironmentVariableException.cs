// EnvironmentVariableException: an LSTMSHARP_* environment variable holds a value the library does not accept.
namespace LstmSharp;

/// <summary>
/// An <c>LSTMSHARP_*</c> environment variable (<c>LSTMSHARP_KERNELS</c>, <c>LSTMSHARP_THREADS</c>) holds a value the
/// library does not accept. The message names the variable, the value and what is accepted.
/// </summary>
public sealed class EnvironmentVariableException : Exception
{
    /// <summary>Creates the exception for <paramref name="variable"/> holding <paramref name="value"/>.</summary>
    public EnvironmentVariableException(string variable, string value, string message)
        : base(message)
    {
        Variable = variable;
        Value = value;
    }

    /// <summary>Creates the exception with a message.</summary>
    public EnvironmentVariableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public EnvironmentVariableException()
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public EnvironmentVariableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The variable's name, e.g. <c>LSTMSHARP_THREADS</c>.</summary>
    public string Variable { get; } = "";

    /// <summary>The value it holds.</summary>
    public string Value { get; } = "";
}
