// OnednnProbe: which instruction set and which RNN implementation libtorch's oneDNN picks here. oneDNN says so
// only on its verbose output (ONEDNN_VERBOSE=1, written to the process's stdout by native code) and libtorch
// does not export dnnl_get_effective_cpu_isa, so the benchmark starts itself once more with --probe-onednn and
// that variable, runs one small nn.LSTM inference (the oneDNN RNN primitive) and reads the lines back.
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace LstmSharp.Bench;

internal static class OnednnProbe
{
    public const string Argument = "--probe-onednn";

    /// <summary>In the child: one nn.LSTM forward under no_grad, so oneDNN creates and runs its RNN primitive.</summary>
    public static int RunChild()
    {
        using var lstm = nn.LSTM(64, 64, batchFirst: true);
        using var x = rand(4, 3, 64);
        using var noGrad = no_grad();
        var (y, h, c) = lstm.forward(x);
        y.Dispose();
        h.Dispose();
        c.Dispose();
        return 0;
    }

    /// <summary>
    /// In the parent: "isa …; rnn implementation …" from the child's verbose lines, or why it could not be read.
    /// The child inherits the environment, so ONEDNN_MAX_CPU_ISA set for this run applies to it too.
    /// </summary>
    public static string Describe()
    {
        try
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!, OnednnProbe.Argument)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["ONEDNN_VERBOSE"] = "1";
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var lines = process.StandardOutput.ReadToEnd().Split('\n');
            if (!process.WaitForExit(60_000)) process.Kill();
            var isa = lines.Select(l => l.IndexOf(",isa:", StringComparison.Ordinal) is var i and >= 0 ? l[(i + 5)..].Trim() : null)
                .FirstOrDefault(s => s is not null);
            // "onednn_verbose,v1,primitive,exec,cpu,rnn,brgemm:avx512_core,forward_inference,…"
            var rnn = lines.Select(l => l.Split(','))
                .Select(f => Array.IndexOf(f, "exec") is var e and >= 0 && e + 3 < f.Length && f[e + 2] == "rnn" ? f[e + 3] : null)
                .Where(s => s is not null).Distinct().ToArray();
            if (isa is null) return $"oneDNN's ISA not reported (the probe exited with {process.ExitCode}; {error.Result.Split('\n')[0]})";
            return $"oneDNN ISA: {isa}; its LSTM inference primitive: {(rnn.Length == 0 ? "not run" : string.Join(", ", rnn))} (from ONEDNN_VERBOSE=1 in a probe process)";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"oneDNN's ISA not read: {e.Message}";
        }
    }
}
