// RnnBench: one network configuration (an LSTM or a GRU), every engine. Builds our network, builds each peer
// from our weights, checks once that the peers compute the same thing, then times the engines in interleaved rounds.
namespace LstmSharp.Bench;

/// <summary>The figures of one configuration. Null timings mean the peer was left out or failed (see the notes).</summary>
internal sealed record RnnResult(
    RnnConfig Config,
    Timing OursInference, Timing? OrtInference, Timing? TorchInference,
    Timing OursTraining, Timing? TorchTraining,
    double? OrtMaxDiff, double? TorchMaxDiff, double? TorchGradientRelDiff,
    IReadOnlyList<string> Notes)
{
    /// <summary>The largest share of the CPUs other processes used during any kept timing block of this configuration.</summary>
    public double OthersCpu => new[] { OursInference, OrtInference, TorchInference, OursTraining, TorchTraining }
        .Where(t => t is not null).Select(t => t!.OthersCpu).DefaultIfEmpty(double.NaN).Max();
}

internal static class RnnBench
{
    /// <summary>The tolerance the brief sets for the forward outputs (absolute, on values in (-1, 1)).</summary>
    public const double OutputTolerance = 1e-4;

    /// <summary>Relative tolerance on the gradients: float32 sums over B·T terms in different orders.</summary>
    public const double GradientTolerance = 1e-3;

    public static RnnResult Run(RnnConfig config, BenchOptions options, int threads, bool torchAvailable, QuietGate gate, TextWriter log)
    {
        var notes = new List<string>();
        var ours = new OurRnn(config, options.Seed);
        var reference = ours.Forward().ToArray();

        OrtPeer? ort = null;
        double? ortDiff = null;
        if (options.Ort)
        {
            ort = new OrtPeer(ours, threads);
            ort.Forward();
            ortDiff = MaxAbsDiff(reference, ort.Output);
            log.WriteLine($"  check {config.CellName}: ONNX Runtime output vs ours, max |diff| = {ortDiff:E2} {(ortDiff <= OutputTolerance ? "ok" : "MISMATCH")}");
            if (ortDiff > OutputTolerance) notes.Add($"ONNX Runtime's {config.CellName} output differs from ours by {ortDiff:E2} (> {OutputTolerance:E0}).");
        }

        TorchPeer? torch = null;
        double? torchDiff = null, gradientDiff = null;
        if (torchAvailable)
        {
            torch = new TorchPeer(ours);
            torchDiff = MaxAbsDiff(reference, torch.ForwardOutput());
            ours.ComputeGradients();
            torch.ComputeGradients();
            gradientDiff = 0;
            for (var l = 0; l < config.Layers; l++)
            {
                foreach (var name in new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" })
                {
                    var theirs = torch.Gradient($"{name}_l{l}");
                    var scale = Math.Max(theirs.Max(MathF.Abs), 1e-12f);
                    gradientDiff = Math.Max(gradientDiff.Value, MaxAbsDiff(ours.Parameter(l, name).Gradient.Span, theirs) / scale);
                }
            }
            log.WriteLine($"  check {config.CellName}: TorchSharp output vs ours, max |diff| = {torchDiff:E2} {(torchDiff <= OutputTolerance ? "ok" : "MISMATCH")}; " +
                $"gradients max |diff| / max |grad| = {gradientDiff:E2} {(gradientDiff <= GradientTolerance ? "ok" : "MISMATCH")}");
            if (torchDiff > OutputTolerance && gradientDiff <= GradientTolerance && config.Cell == CellKind.Lstm)
            {
                notes.Add($"TorchSharp's inference output differs from ours by {torchDiff:E2} (> {OutputTolerance:E0}) while its gradients (autograd path) agree: " +
                    "libtorch's oneDNN RNN inference path is wrong for this hidden size on this CPU (bench/README.md, \"TorchSharp's inference is wrong for some sizes\"). Its inference time is that of a wrong result.");
            }
            else if (torchDiff > OutputTolerance)
            {
                notes.Add($"TorchSharp's {config.CellName} output differs from ours by {torchDiff:E2} (> {OutputTolerance:E0}).");
            }
            if (gradientDiff > GradientTolerance) notes.Add($"TorchSharp gradients differ from ours by {gradientDiff:E2} relative (> {GradientTolerance:E0}).");
        }

        var oursInference = new Timing("LstmSharp");
        var oursTraining = new Timing("LstmSharp");
        var ortInference = ort is null ? null : new Timing("ONNX Runtime");
        var torchInference = torch is null ? null : new Timing("TorchSharp");
        var torchTraining = torch is null ? null : new Timing("TorchSharp");

        // Warm-up, the same for every engine: lazily created buffers and thread pools, and for us the JIT's
        // tier-1 code (unoptimised tier-0 Vector512 code is 10-20× slower, and tiering up takes a few hundred ms).
        var budget = options.Budget;
        Stats.Warm(() => ours.Forward(), budget);
        Stats.Warm(ours.TrainStep, budget);
        if (ort is not null) Stats.Warm(ort.Forward, budget);
        if (torch is not null)
        {
            Stats.Warm(torch.Forward, budget);
            Stats.Warm(torch.TrainStep, budget);
        }

        for (var round = 0; round < budget.Rounds; round++)
        {
            Stats.MeasureBlock(() => ours.Forward(), budget, oursInference, gate);
            if (ort is not null) Stats.MeasureBlock(ort.Forward, budget, ortInference!, gate);
            if (torch is not null) Stats.MeasureBlock(torch.Forward, budget, torchInference!, gate);
            Stats.MeasureBlock(ours.TrainStep, budget, oursTraining, gate);
            if (torch is not null) Stats.MeasureBlock(torch.TrainStep, budget, torchTraining!, gate);
        }

        ort?.Dispose();
        torch?.Dispose();
        return new RnnResult(config, oursInference, ortInference, torchInference, oursTraining, torchTraining,
            ortDiff, torchDiff, gradientDiff, notes);
    }

    static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new InvalidOperationException($"Length mismatch: {a.Length} vs {b.Length}.");
        double max = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Abs((double)a[i] - b[i]);
            if (!(d <= max)) max = d;   // NaN counts as a mismatch
        }
        return max;
    }
}
