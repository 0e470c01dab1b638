// EnvironmentVariableProcessTests: a bad LSTMSHARP_KERNELS or LSTMSHARP_THREADS in a real process's environment (the
// kernels read them once per process, so an in-process run cannot change them): exit 1 and one line naming the
// variable, the value and what is accepted — no stack trace, no training.
using System.Diagnostics;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed class EnvironmentVariableProcessTests
{
    [Theory]
    [InlineData("LSTMSHARP_KERNELS", "foo", "error: LSTMSHARP_KERNELS='foo' is not a kernel variant; accepted: Scalar, Vector256, Vector512 (any case), or unset for the fastest this machine runs")]
    [InlineData("LSTMSHARP_THREADS", "abc", "error: LSTMSHARP_THREADS='abc' is not a thread count; accepted: a whole number ≥ 1 (threads for the math kernels), or unset for one per core")]
    [InlineData("LSTMSHARP_THREADS", "0", "error: LSTMSHARP_THREADS='0' is not a thread count; accepted: a whole number ≥ 1")]
    [InlineData("LSTMSHARP_THREADS", "-3", "error: LSTMSHARP_THREADS='-3' is not a thread count; accepted: a whole number ≥ 1")]
    public async Task Demo_BadEnvironmentVariable_ExitsOneNamingVariableValueAndAccepted(string variable, string value, string expected)
    {
        using var cli = new CliRunner();
        var start = cli.Process("demo", "--epochs", "1", "--plot", "", "--output", cli.File("demo.safetensors"));
        start.Environment.Remove("LSTMSHARP_KERNELS");
        start.Environment.Remove("LSTMSHARP_THREADS");
        start.Environment[variable] = value;
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        string error;
        try
        {
            error = await process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        Assert.Equal(1, process.ExitCode);
        Assert.StartsWith(expected, error.Trim(), StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("epoch", await output, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("demo.safetensors")), "the demo trained despite the bad variable");
    }
}
