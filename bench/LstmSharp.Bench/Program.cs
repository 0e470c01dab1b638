// LstmSharp.Bench: measures LstmSharp side by side with ONNX Runtime, TorchSharp (libtorch) and OpenBLAS in
// one process and writes the committed results (bench/results/<cpu>/lstm.md and .json). See bench/README.md.
using System.Globalization;
using LstmSharp.Bench;
using LstmSharp.Kernels;

if (args is [OnednnProbe.Argument]) return OnednnProbe.RunChild();

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var log = Console.Out;
var budget = options.Budget;
var started = DateTimeOffset.UtcNow;
var machine = Machine.Describe();
var loadBefore = Machine.LoadAverage();
var threads = options.Threads ?? WorkerPool.Threads;
var notes = new List<string>();
var gate = budget.QuietWaitSeconds > 0 ? new QuietGate(Budget.QuietShare, budget.QuietWaitSeconds, budget.Redos, log) : QuietGate.Off(log);
log.WriteLine($"{machine.ModelName}, {machine.Cores} cores, load {loadBefore}; {machine.Runtime}; {threads} threads per engine");
if (threads != WorkerPool.Threads)
    notes.Add($"Peers ran on {threads} threads but LstmSharp on {WorkerPool.Threads} (set LSTMSHARP_THREADS={threads} to match).");

// The peak is measured at the start and again at the end, each time after waiting for a quiet machine: on a shared
// virtual machine one measurement can land while a neighbour takes a core (it then reads half), and the percentages
// of the GEMM table are only as good as the peak they divide by.
double MeasurePeak(string when)
{
    gate.WaitForQuiet();
    var measured = Machine.MeasureFmaPeak(machine.Cores);
    log.WriteLine($"FMA peak ({when}): estimate {machine.PeakGflops:F0} GFLOP/s, measured {measured:F0} GFLOP/s");
    return measured;
}
var peakAtStart = MeasurePeak("start");

// Peers. TorchSharp sets libtorch's (OpenMP) threads once for the process.
var torchAvailable = false;
string? torchSetup = null;
if (options.Torch && options.Sections.Contains("rnn"))
{
    try
    {
        if (options.OnednnMaxIsa is { } isa) NativeEnvironment.Set("ONEDNN_MAX_CPU_ISA", isa);
        var onednn = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { } maxIsa ? $"ONEDNN_MAX_CPU_ISA={maxIsa}" : "ONEDNN_MAX_CPU_ISA unset";
        TorchPeer.SetThreads(threads);
        torchAvailable = true;
        var onednnPick = OnednnProbe.Describe();
        log.WriteLine(onednnPick);
        torchSetup = $"{TorchPeer.Version}; nn.LSTM / nn.GRU (batch_first=true), torch.set_num_threads({threads}) → get_num_threads() = {TorchPeer.Threads}; {onednn}, as oneDNN picks it: {onednnPick}; inference under no_grad; training: forward, sum(output ⊙ dOutput).backward(), optim.SGD(lr 0.01).step()";
    }
    catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException)
    {
        var message = (e.InnerException ?? e).Message;
        notes.Add($"TorchSharp skipped: {message}");
        log.WriteLine($"TorchSharp unavailable: {message}");
    }
}
var ortSetup = options.Ort && options.Sections.Contains("rnn")
    ? $"Microsoft.ML.OnnxRuntime {OrtPeer.Version}, CPU provider; model built in memory with OnnxSharp (opset {OrtPeer.Opset}): Transpose → (LSTM, or GRU with linear_before_reset = 1, → Squeeze) per layer → Transpose; intra-op threads {threads}, inter-op 1, sequential, graph optimisation ALL; pre-allocated input and output OrtValues"
    : null;

BlasPeer? blas = null;
string? blasSetup = null;
if (options.Blas && options.Sections.Contains("gemm"))
{
    var (coreTypeToSet, coreType) = BlasPeer.ChooseCoreType(options.BlasCoreType, Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"), machine);
    blas = BlasPeer.TryLoad(coreTypeToSet, out var why);
    if (blas is null)
    {
        notes.Add($"OpenBLAS skipped: {why}.");
        log.WriteLine($"OpenBLAS unavailable: {why}");
    }
    else
    {
        blas.Threads = threads;
        blasSetup = $"`{blas.Path}` ({blas.Config.Trim()}), kernels for core **{blas.CoreName}**, {coreType}; openblas_set_num_threads({threads}) → {blas.Threads} threads; cblas_sgemm row-major";
        log.WriteLine($"OpenBLAS: {blasSetup}");
    }
}

var rnnResults = new List<RnnResult>();
if (options.Sections.Contains("rnn"))
{
    foreach (var config in options.SelectedNetworks)
    {
        log.WriteLine($"{config.CellName} {config.Label}, load {Machine.LoadAverage()}");
        var r = RnnBench.Run(config, options, threads, torchAvailable, gate, log);
        log.WriteLine($"  other processes used at most {r.OthersCpu:P0} of the CPUs in a kept block");
        log.WriteLine($"  inference ms: ours {r.OursInference.Median:F3}, ORT {r.OrtInference?.Median:F3}, Torch {r.TorchInference?.Median:F3}; " +
            $"training ms: ours {r.OursTraining.Median:F3}, Torch {r.TorchTraining?.Median:F3}");
        rnnResults.Add(r);
    }
}

var gemmResults = new List<GemmResult>();
if (options.Sections.Contains("gemm"))
{
    log.WriteLine($"GEMM {options.GemmSize}³, load {Machine.LoadAverage()}");
    gemmResults.AddRange(GemmBench.Run(options.GemmSize, blas, budget, options.Seed, gate, log));
    foreach (var g in gemmResults)
        log.WriteLine($"  {g.Case}: ours {g.Ours.Median:F2} ms ({g.Flops / g.Ours.Median / 1e6:F0} GFLOP/s), OpenBLAS {g.Blas?.Median:F2} ms ({g.Flops / g.Blas?.Median / 1e6:F0} GFLOP/s)");
}

var breakdowns = new List<ConfigBreakdown>();
double? roundTrip = null;
if (options.Sections.Contains("breakdown"))
{
    gate.WaitForQuiet();
    roundTrip = Breakdown.PoolRoundTripUs();
    log.WriteLine($"Kernel breakdown; empty WorkerPool.Run {roundTrip:F1} µs");
    foreach (var config in options.SelectedConfigs)
    {
        var forwardMs = rnnResults.FirstOrDefault(r => r.Config == config)?.OursInference.Median ?? MeasureForward(config);
        for (var attempt = 0; ; attempt++)
        {
            gate.WaitForQuiet();
            var monitor = new CpuMonitor();
            var b = Breakdown.Run(config, forwardMs);
            var share = monitor.OthersShare();
            if (gate.ShouldRedo(share, attempt)) continue;
            log.WriteLine($"  {config.Label}: estimate {b.EstimateMs:F2} ms of measured {b.ForwardMs:F2} ms");
            breakdowns.Add(b with { OthersCpu = share });
            break;
        }
    }
}

var peakAtEnd = MeasurePeak("end");
var quietText = budget.QuietWaitSeconds > 0
    ? string.Create(CultureInfo.InvariantCulture, $"Quiet gate: each block waited until other processes used < {Budget.QuietShare:P0} of the CPUs and was redone (up to {budget.Redos}×) when they used more while it ran; {gate.Redone} block(s) redone, {gate.WaitedSeconds:F0} s spent waiting")
    : "No quiet gate (--quick).";
var info = new RunInfo(
    started,
    "dotnet run -c Release --project bench/LstmSharp.Bench --" + (args.Length == 0 ? "" : " " + string.Join(' ', args)),
    machine, loadBefore, Machine.LoadAverage(), [peakAtStart, peakAtEnd], threads,
    $"kernels {KernelSet.Default.Variant} (LSTMSHARP_KERNELS={Environment.GetEnvironmentVariable(KernelSet.EnvironmentVariable) ?? "unset"}), " +
    $"WorkerPool threads {WorkerPool.Threads} (LSTMSHARP_THREADS={Environment.GetEnvironmentVariable(WorkerPool.EnvironmentVariable) ?? "unset"}); " +
    "inference: Lstm/Gru.Forward per layer; training: ZeroGradients, Forward(training), Backward, Sgd(0.01).Step per layer",
    ortSetup, torchSetup, blasSetup,
    string.Create(CultureInfo.InvariantCulture,
        $"median over {budget.Rounds} interleaved round(s); per engine ≥ {budget.MinRuns} runs and ≥ {budget.MinSeconds:0.##} s (at most ~{budget.MaxSeconds:0.##} s once ≥ {budget.Rounds} runs), each block after a {budget.SettleMs} ms pause and one untimed run; {budget.WarmSeconds:0.##} s warm-up per engine before the first round{(options.Quick ? " (--quick: a smoke run, not for committing)" : "")}. {quietText}"),
    notes);

var markdown = Report.Markdown(info, rnnResults, gemmResults, breakdowns, roundTrip);
var outPath = options.Out ?? DefaultOutPath(machine);
if (outPath == "-")
{
    log.WriteLine();
    log.WriteLine(markdown);
}
else
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
    File.WriteAllText(outPath, markdown);
    File.WriteAllText(Path.ChangeExtension(outPath, ".json"), Report.Json(info, rnnResults, gemmResults, breakdowns, roundTrip));
    log.WriteLine($"Wrote {Path.GetFullPath(outPath)} and {Path.GetFullPath(Path.ChangeExtension(outPath, ".json"))}");
}
return 0;

// bench/results/<cpu-slug>/lstm.md under the repository root (the folder holding LstmSharp.slnx).
static string DefaultOutPath(Machine machine)
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LstmSharp.slnx"))) dir = dir.Parent;
    var root = dir?.FullName ?? Directory.GetCurrentDirectory();
    return Path.Combine(root, "bench", "results", machine.Slug, "lstm.md");
}

double MeasureForward(RnnConfig config)
{
    var ours = new OurRnn(config, options.Seed);
    var timing = new Timing("LstmSharp");
    Stats.Warm(() => ours.Forward(), budget with { WarmSeconds = Math.Max(budget.WarmSeconds, 1.0) });
    Stats.MeasureBlock(() => ours.Forward(), budget with { Rounds = 1 }, timing, gate);
    return timing.Median;
}
