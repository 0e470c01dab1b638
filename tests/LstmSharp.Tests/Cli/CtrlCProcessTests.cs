// CtrlCProcessTests: a real SIGINT to a running `lstm forecast train` process — the tool stops after the batch,
// exits with 130 and leaves a model file that loads (the one it replaced is never left half-written).
using System.Diagnostics;
using System.Runtime.InteropServices;
using LstmSharp.Forecasting;
using Xunit;

namespace LstmSharp.Tests.Cli;

public sealed partial class CtrlCProcessTests
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    const int SigInt = 2;

    [Fact]
    public void SigInt_DuringTraining_StopsCleanlyWithAValidModel()
    {
        Assert.True(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "this test sends a POSIX signal");
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var start = cli.Process("forecast", "train", CliRunner.Data("AirPassengers.csv"), "--target", "passengers", "--epochs", "100000", "--patience", "0", "--units", "8", "--plot", "", "--output", model);
        using var process = Process.Start(start)!;
        var error = new System.Text.StringBuilder();
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var training = new ManualResetEventSlim();
        process.ErrorDataReceived += (_, e) => error.AppendLine(e.Data);
        process.OutputDataReceived += (_, e) =>
        {
            output.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {e.Data}");
            if (e.Data?.Contains("epoch 1/", StringComparison.Ordinal) == true) training.Set();
        };
        // What the tool printed last, with the times it was read, for a failure message.
        var sent = DateTime.MinValue;
        string Seen() => $"stdout (last lines): {string.Join(" | ", output.TakeLast(6))}; stderr: {error}; SIGINT sent at {sent:HH:mm:ss.fff}";
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Assert.True(training.Wait(TimeSpan.FromSeconds(60)), "training did not start: " + error);
            sent = DateTime.UtcNow;
            Assert.Equal(0, Kill(process.Id, SigInt));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the tool did not stop after Ctrl-C; " + Seen());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        Assert.Equal(130, process.ExitCode);
        Assert.Equal(["passengers"], Forecaster.Load(model).Columns);
    }
}
