// The `lstm` tool: thin commands over the library. Exit codes: 0 success, 1 bad input or usage, 2 internal error,
// 130 stopped by Ctrl-C (after saving what training had reached).
using System.Runtime.InteropServices;
using LstmSharp.Cli;

// Past the file size limit (`ulimit -f`) a write raises SIGXFSZ, which ends the process without a word; ignored, the
// write fails with "File too large" instead, and the save reports it (an existing model is left as it was). The
// registration is never disposed: the runtime delivers the signal on its own thread, which on a busy machine can come
// after Main has returned, and a disposed registration would let that late signal end the process (exit 153).
const int SigXfsz = 25;
var fileSizeLimit = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create((PosixSignal)SigXfsz, c => c.Cancel = true);

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops training cleanly; a second one ends the process at once.
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
var exit = Cli.Run(args, new CliHost(Console.Out, Console.Error, !Console.IsErrorRedirected && !Console.IsOutputRedirected, cancel.Token));
GC.KeepAlive(fileSizeLimit);
return exit;
