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

    /// <summary>
    /// A process whose parent ignores SIGINT (a shell's background job, nohup) starts with it ignored, and the runtime
    /// then never sees Ctrl-C: the tool trained on for a minute in a backgrounded .ci/run. GNU env's
    /// <c>--default-signal=INT</c> gives the tool the default disposition, as a terminal's foreground job has.
    /// </summary>
    /// <summary>The blocked, ignored and caught signal masks of process <paramref name="pid"/> (Linux; SIGINT is bit 1).</summary>
    static string SignalState(int pid)
    {
        var status = $"/proc/{pid}/status";
        return File.Exists(status)
            ? string.Join(", ", File.ReadLines(status).Where(l => l.StartsWith("SigBlk", StringComparison.Ordinal) || l.StartsWith("SigIgn", StringComparison.Ordinal) || l.StartsWith("SigCgt", StringComparison.Ordinal)))
            : "no /proc";
    }

    static ProcessStartInfo WithDefaultSigInt(ProcessStartInfo start)
    {
        using var probe = Process.Start(new ProcessStartInfo("env", ["--default-signal=INT", "true"]) { RedirectStandardError = true });
        probe!.WaitForExit();
        if (probe.ExitCode != 0) return start;   // no GNU env (macOS, busybox): run the tool as it is
        start.ArgumentList.Insert(0, start.FileName);
        start.ArgumentList.Insert(0, "--default-signal=INT");
        start.FileName = "env";
        return start;
    }

    [Fact]
    public void SigInt_DuringTraining_StopsCleanlyWithAValidModel()
    {
        Assert.True(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "this test sends a POSIX signal");
        using var cli = new CliRunner();
        var model = cli.File("air.safetensors");
        var start = WithDefaultSigInt(cli.Process("forecast", "train", CliRunner.Data("AirPassengers.csv"), "--target", "passengers", "--epochs", "100000", "--patience", "0", "--units", "8", "--plot", "", "--output", model));
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
        var signals = "";
        string Seen() => $"stdout (last lines): {string.Join(" | ", output.TakeLast(6))}; stderr: {error}; SIGINT sent at {sent:HH:mm:ss.fff} to a process with {signals}";
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Assert.True(training.Wait(TimeSpan.FromSeconds(60)), "training did not start: " + error);
            sent = DateTime.UtcNow;
            signals = SignalState(process.Id);
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
