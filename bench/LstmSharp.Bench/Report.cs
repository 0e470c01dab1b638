// Report: turns the measurements into the committed results: a Markdown page people read (tables of medians,
// GFLOP/s and ratios, with everything needed to reproduce them) and a JSON file with every sample.
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LstmSharp.Bench;

/// <summary>Everything about the run except the measurements.</summary>
internal sealed record RunInfo(
    DateTimeOffset Date, string Command, Machine Machine, string LoadBefore, string LoadAfter,
    IReadOnlyList<double> PeakMeasurements, int Threads, string OurSetup, string? OrtSetup, string? TorchSetup, string? BlasSetup,
    string BudgetText, IReadOnlyList<string> Notes)
{
    /// <summary>The FMA peak the percentages use: the larger of the measurements at the start and the end of the run.</summary>
    public double MeasuredPeakGflops => PeakMeasurements.Max();
}

internal static class Report
{
    static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,   // NaN where a figure is unknown
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,                  // keep ·, →, ⊙ readable
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },   // "cell": "gru"
    };

    public static string Markdown(RunInfo info, IReadOnlyList<RnnResult> rnn, IReadOnlyList<GemmResult> gemm,
        IReadOnlyList<ConfigBreakdown> breakdown, double? poolRoundTripUs)
    {
        var md = new StringBuilder();
        var m = info.Machine;
        md.AppendLine(s_inv, $"# LstmSharp benchmark — {m.ModelName}, {m.Cores} cores");
        md.AppendLine();
        md.AppendLine("Written by `bench/LstmSharp.Bench` (see `bench/README.md` for what is measured and how to read it). Do not edit by hand: rerun the command below.");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(info.Command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("## Setup");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine(s_inv, $"| date | {info.Date:yyyy-MM-dd HH:mm} UTC |");
        md.AppendLine(s_inv, $"| CPU (`lscpu` model name) | {m.ModelName} (family {m.CpuFamily}, model {m.CpuModel}), {m.Cores} cores, {m.Mhz:F0} MHz per /proc/cpuinfo, {m.Flags} |");
        md.AppendLine(s_inv, $"| load average (1, 5, 15 min) | before {info.LoadBefore}; after {info.LoadAfter} |");
        md.AppendLine(s_inv, $"| runtime | {m.Runtime} on {m.Os}; Release, Server GC off, TieredPGO default (on) |");
        md.AppendLine(s_inv, $"| threads | {info.Threads} for every engine |");
        md.AppendLine(s_inv, $"| LstmSharp | {info.OurSetup} |");
        md.AppendLine(s_inv, $"| ONNX Runtime | {info.OrtSetup ?? "not run"} |");
        md.AppendLine(s_inv, $"| TorchSharp | {info.TorchSetup ?? "not run"} |");
        md.AppendLine(s_inv, $"| OpenBLAS | {info.BlasSetup ?? "not run"} |");
        md.AppendLine(s_inv, $"| timing | {info.BudgetText} |");
        md.AppendLine(s_inv, $"| FMA peak, float32 | estimate {m.Cores} cores × {m.Mhz / 1000:F2} GHz × {m.FlopsPerCycle} FLOP/cycle = **{m.PeakGflops:F0} GFLOP/s**; measured (independent FMA chains on every core, no memory; at the start and the end of the run, {string.Join(" and ", info.PeakMeasurements.Select(p => p.ToString("F0", s_inv)))} GFLOP/s, the larger kept) **{info.MeasuredPeakGflops:F0} GFLOP/s**, i.e. an effective clock of ≈ {info.MeasuredPeakGflops / m.Cores / m.FlopsPerCycle:F2} GHz |");
        md.AppendLine();

        foreach (var cell in rnn.Select(r => r.Config.Cell).Distinct())
        {
            var rows = rnn.Where(r => r.Config.Cell == cell).ToArray();
            var name = rows[0].Config.CellName;
            md.AppendLine(s_inv, $"## {name} inference (forward only)");
            md.AppendLine();
            md.AppendLine("Ratio = peer median / LstmSharp median: above 1 LstmSharp is faster, below 1 the peer is. Config = (batch, steps, inputs, units, layers). " +
                "⚠ = the peer's output did not match ours (see the checks and notes below): that time is for a wrong result.");
            md.AppendLine();
            md.AppendLine("| config | GFLOP/run | LstmSharp ms | GFLOP/s | ONNX Runtime ms | GFLOP/s | ORT / ours | TorchSharp ms | GFLOP/s | Torch / ours |");
            md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var r in rows)
            {
                var f = r.Config.ForwardFlops;
                var ortFlag = r.OrtMaxDiff > RnnBench.OutputTolerance ? " ⚠" : "";
                var torchFlag = r.TorchMaxDiff > RnnBench.OutputTolerance ? " ⚠" : "";
                md.AppendLine(s_inv, $"| {r.Config.Label} | {f / 1e9:F3} | {Ms(r.OursInference)} | {Gflops(f, r.OursInference)} | {Ms(r.OrtInference)}{ortFlag} | {Gflops(f, r.OrtInference)} | {Ratio(r.OrtInference, r.OursInference)} | {Ms(r.TorchInference)}{torchFlag} | {Gflops(f, r.TorchInference)} | {Ratio(r.TorchInference, r.OursInference)} |");
            }
            md.AppendLine();
            md.AppendLine(s_inv, $"## {name} training step (forward + backward + SGD)");
            md.AppendLine();
            md.AppendLine("| config | GFLOP/step | LstmSharp ms | GFLOP/s | TorchSharp ms | GFLOP/s | Torch / ours |");
            md.AppendLine("|---|--:|--:|--:|--:|--:|--:|");
            foreach (var r in rows)
            {
                var f = r.Config.TrainingFlops;
                md.AppendLine(s_inv, $"| {r.Config.Label} | {f / 1e9:F3} | {Ms(r.OursTraining)} | {Gflops(f, r.OursTraining)} | {Ms(r.TorchTraining)} | {Gflops(f, r.TorchTraining)} | {Ratio(r.TorchTraining, r.OursTraining)} |");
            }
            md.AppendLine();
            md.AppendLine(s_inv, $"GFLOP counts only the matrix products: forward = Σ_layers 2·(I_l + H)·{rows[0].Config.Gates}H·B·T (I_l = inputs for layer 1, units after; {rows[0].Config.Gates} gate blocks); training = 3 × forward.");
            md.AppendLine();
        }

        if (rnn.Count > 0)
        {
            md.AppendLine("### Same results before timing");
            md.AppendLine();
            md.AppendLine(s_inv, $"Each peer was built from LstmSharp's weights (biases with added noise, so that every gate block's bias counts) and checked once: forward outputs within {RnnBench.OutputTolerance:0e0} (absolute), parameter gradients within {RnnBench.GradientTolerance:0e0} (max |diff| / max |grad|).");
            md.AppendLine();
            md.AppendLine("The last column is the largest share of the machine's CPU time that other processes used during one of the configuration's timed blocks (from /proc/stat): above a few percent, the figures of that row are disturbed.");
            md.AppendLine();
            md.AppendLine("| cell | config | ORT output max abs diff | Torch output max abs diff | Torch gradients max rel diff | other processes' CPU |");
            md.AppendLine("|---|---|--:|--:|--:|--:|");
            foreach (var r in rnn)
                md.AppendLine(s_inv, $"| {r.Config.CellName} | {r.Config.Label} | {Sci(r.OrtMaxDiff)} | {Sci(r.TorchMaxDiff)} | {Sci(r.TorchGradientRelDiff)} | {Share(r.OthersCpu)} |");
            md.AppendLine();
        }

        if (gemm.Count > 0)
        {
            md.AppendLine(s_inv, $"## GEMM {gemm[0].Size}×{gemm[0].Size}×{gemm[0].Size}, float32, row-major");
            md.AppendLine();
            md.AppendLine(s_inv, $"One row per LstmSharp kernel variant (the first is the one the layers use); the OpenBLAS columns repeat per product. Other processes used at most {Share(gemm.Max(g => g.OthersCpu))} of the CPUs during a timed block.");
            md.AppendLine();
            md.AppendLine("| product | LstmSharp ms | GFLOP/s | % of measured peak | OpenBLAS ms | GFLOP/s | % of measured peak | OpenBLAS / ours | max rel diff |");
            md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var g in gemm)
            {
                md.AppendLine(s_inv, $"| {g.Case} | {Ms(g.Ours)} | {Gflops(g.Flops, g.Ours)} | {Percent(g.Flops, g.Ours, info.MeasuredPeakGflops)} | {Ms(g.Blas)} | {Gflops(g.Flops, g.Blas)} | {Percent(g.Flops, g.Blas, info.MeasuredPeakGflops)} | {Ratio(g.Blas, g.Ours)} | {Sci(g.RelDiff)} |");
            }
            md.AppendLine();
        }

        if (breakdown.Count > 0)
        {
            md.AppendLine("## Where LstmSharp's LSTM forward time goes");
            md.AppendLine();
            md.AppendLine("Our kernels alone, called as `Lstm` calls them. Per layer: the input projection (one GEMM over all steps on the packed W_ihᵀ); W_ihᵀ and W_hhᵀ are packed into micro-kernel panels once per weight update (\"pack W_hh\": its cost, paid again only after an optimizer step, so not in the inference estimate); " +
                "per step the recurrent GEMM `[B,H]·W_hhᵀ` on the packed W_hh and the fused cell kernel. " +
                "\"pool\" is the step GEMM as the library runs it (split over the worker threads when m·n·k is large enough); \"1 thread\" is the same call with the pool held, so it runs on the caller alone; " +
                "\"unpacked\" is the plain GEMM that packs W_hh on every call. " +
                "\"loop µs/step\" runs the T steps as the layer does (one LstmStepForward per step: each thread runs its rows' — or, for a batch of one micro-tile (8 rows with Vector512, 6 with Vector256) or less, its units' — product and cell back to back; fresh buffers each step); when it differs from pool + cell, the difference is lost between the kernels (worker hand-offs, cache misses) or won by running the cell on every thread. " +
                "Estimate = Σ layers (input GEMM + T × loop step); the rest of the measured forward is layout copies and bias adds.");
            if (poolRoundTripUs is { } rt) md.AppendLine(s_inv, $"An empty `WorkerPool.Run` over all threads (wake the workers, wait for them) takes **{rt:F1} µs** (median).");
            md.AppendLine();
            md.AppendLine("| config | layer | input GEMM ms | pack W_hh µs | step GEMM (m×n×k) | pool µs | 1 thread µs | unpacked µs | cell µs | step GFLOP/s (pool) | loop µs/step | layer estimate ms |");
            md.AppendLine("|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var c in breakdown)
            {
                foreach (var l in c.Layers)
                {
                    var stepFlops = 2.0 * c.Config.Batch * 4 * c.Config.Units * c.Config.Units;
                    md.AppendLine(s_inv, $"| {c.Config.Label} | {l.Layer} | {l.InputGemmMs:F3} | {l.PackUs:F1} | {c.Config.Batch}×{4 * c.Config.Units}×{c.Config.Units} | {l.StepGemmUs:F1} | {l.StepGemmOneThreadUs:F1} | {l.UnpackedStepGemmUs:F1} | {l.CellUs:F1} | {stepFlops / l.StepGemmUs / 1e3:F1} | {l.LoopStepUs:F1} | {l.EstimateMs(c.Config.Steps):F2} |");
                }
                md.AppendLine(s_inv, $"| {c.Config.Label} | all | | | other processes' CPU {Share(c.OthersCpu)} | | | | | | estimate / measured | {c.EstimateMs:F2} / {c.ForwardMs:F2} |");
            }
            md.AppendLine();
        }

        if (info.Notes.Count > 0 || rnn.Any(r => r.Notes.Count > 0))
        {
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var n in info.Notes) md.AppendLine(s_inv, $"- {n}");
            foreach (var r in rnn)
                foreach (var n in r.Notes) md.AppendLine(s_inv, $"- {r.Config.CellName} {r.Config.Label}: {n}");
            md.AppendLine();
        }

        md.AppendLine("## Every timing");
        md.AppendLine();
        md.AppendLine("Runs, median, min and max in ms (the JSON file beside this one has each sample).");
        md.AppendLine();
        md.AppendLine("| task | engine | runs | median | min | max |");
        md.AppendLine("|---|---|--:|--:|--:|--:|");
        foreach (var (task, t) in AllTimings(rnn, gemm))
            md.AppendLine(s_inv, $"| {task} | {t.Engine} | {t.Samples.Count} | {Ms(t.Median)} | {Ms(t.Min)} | {Ms(t.Max)} |");
        return md.ToString();
    }

    public static string Json(RunInfo info, IReadOnlyList<RnnResult> rnn, IReadOnlyList<GemmResult> gemm,
        IReadOnlyList<ConfigBreakdown> breakdown, double? poolRoundTripUs)
    {
        var document = new
        {
            info,
            peakEstimateGflops = info.Machine.PeakGflops,
            lstm = rnn.Where(r => r.Config.Cell == CellKind.Lstm).Select(NetworkDto),
            gru = rnn.Where(r => r.Config.Cell == CellKind.Gru).Select(NetworkDto),
            gemm = gemm.Select(g => new { g.Case, g.Size, gflop = g.Flops / 1e9, timings = new[] { g.Ours, g.Blas }.Where(t => t is not null).Select(Dto), g.RelDiff }),
            poolRoundTripUs,
            breakdown,
        };
        return JsonSerializer.Serialize(document, s_json);

        static object NetworkDto(RnnResult r) => new
        {
            config = r.Config,
            forwardGflop = r.Config.ForwardFlops / 1e9,
            trainingGflop = r.Config.TrainingFlops / 1e9,
            inference = new[] { r.OursInference, r.OrtInference, r.TorchInference }.Where(t => t is not null).Select(Dto),
            training = new[] { r.OursTraining, r.TorchTraining }.Where(t => t is not null).Select(Dto),
            r.OrtMaxDiff,
            r.TorchMaxDiff,
            r.TorchGradientRelDiff,
            r.Notes,
        };
    }

    static object Dto(Timing? t) => new { t!.Engine, medianMs = t.Median, minMs = t.Min, maxMs = t.Max, samplesMs = t.Samples };

    static IEnumerable<(string Task, Timing Timing)> AllTimings(IReadOnlyList<RnnResult> rnn, IReadOnlyList<GemmResult> gemm)
    {
        foreach (var r in rnn)
        {
            foreach (var t in new[] { r.OursInference, r.OrtInference, r.TorchInference })
                if (t is not null) yield return ($"{r.Config.CellName} inference {r.Config.Label}", t);
            foreach (var t in new[] { r.OursTraining, r.TorchTraining })
                if (t is not null) yield return ($"{r.Config.CellName} training {r.Config.Label}", t);
        }
        var seen = new HashSet<Timing>();   // one OpenBLAS timing serves every variant row of a product
        foreach (var g in gemm)
        {
            yield return ($"GEMM {g.Case} {g.Size}", g.Ours);
            if (g.Blas is not null && seen.Add(g.Blas)) yield return ($"GEMM {g.Case.Split(' ')[0]} {g.Size}", g.Blas);
        }
    }

    static string Ms(Timing? t) => t is null ? "—" : Ms(t.Median);

    static string Ms(double v) => v.ToString(v < 1 ? "F3" : v < 10 ? "F2" : v < 100 ? "F1" : "F0", s_inv);

    static string Gflops(double flops, Timing? t) => t is null ? "—" : (flops / (t.Median / 1000) / 1e9).ToString("F1", s_inv);

    static string Percent(double flops, Timing? t, double peakGflops)
        => t is null ? "—" : (100 * flops / (t.Median / 1000) / 1e9 / peakGflops).ToString("F0", s_inv) + " %";

    static string Ratio(Timing? peer, Timing ours) => peer is null ? "—" : (peer.Median / ours.Median).ToString("F2", s_inv) + "×";

    static string Share(double v) => double.IsNaN(v) ? "?" : (100 * v).ToString("F1", s_inv) + " %";

    static string Sci(double? v) => v is null ? "—" : v.Value.ToString("0.0E+0", s_inv);
}
