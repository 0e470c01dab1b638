// OneCycle: Smith's one-cycle policy exactly as PyTorch's torch.optim.lr_scheduler.OneCycleLR computes it.
namespace LstmSharp.Optimizers;

/// <summary>
/// The 1cycle policy (Smith &amp; Topin 2018) as <c>torch.optim.lr_scheduler.OneCycleLR</c>, per optimizer step t from 0 of
/// T = <c>totalSteps</c>. With initial = maxRate/divFactor and min = initial/finalDivFactor, the rate goes
/// initial → maxRate over the steps up to pctStart·T − 1, then maxRate → min up to T − 1; with <c>threePhase</c>
/// initial → maxRate up to pctStart·T − 1, maxRate → initial up to 2·pctStart·T − 2, then initial → min up to T − 1.
/// Each phase follows <see cref="AnnealStrategy"/> at p = (t − phase start)/(phase end − phase start). With
/// <c>cycleMomentum</c> (the default, as PyTorch) the momentum moves the other way, maxMomentum → baseMomentum → maxMomentum
/// (three phases: then stays at maxMomentum), and the optimizer takes it as its momentum (Adam's and AdamW's β1);
/// <see cref="Adagrad"/> has none, so use <c>cycleMomentum: false</c> with it. PyTorch refuses steps after T; here the rate
/// and momentum of step T − 1 hold from then on.
/// </summary>
public sealed class OneCycle : LearningRateSchedule
{
    readonly record struct Phase(double End, double StartRate, double EndRate, double StartMomentum, double EndMomentum);

    readonly Phase[] _phases;
    readonly long _totalSteps;
    readonly AnnealStrategy _anneal;
    readonly bool _cycleMomentum;

    /// <summary>
    /// The schedule of <paramref name="totalSteps"/> optimizer steps (epochs × batches per epoch), with PyTorch's defaults.
    /// <paramref name="pctStart"/> is a double, as in PyTorch, so the phases end where PyTorch's do.
    /// </summary>
    public OneCycle(float maxRate, long totalSteps, double pctStart = 0.3, float divFactor = 25f, float finalDivFactor = 1e4f,
        AnnealStrategy anneal = AnnealStrategy.Cosine, bool threePhase = false, bool cycleMomentum = true, float baseMomentum = 0.85f, float maxMomentum = 0.95f)
    {
        if (!(maxRate > 0f && float.IsFinite(maxRate))) throw new ArgumentOutOfRangeException(nameof(maxRate), maxRate, $"maxRate must be a positive finite number; received {maxRate}.");
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, $"totalSteps must be at least 1; received {totalSteps}.");
        if (!(pctStart >= 0 && pctStart <= 1)) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, $"pctStart must be in [0, 1]; received {pctStart}.");
        if (!(divFactor > 0f && float.IsFinite(divFactor))) throw new ArgumentOutOfRangeException(nameof(divFactor), divFactor, $"divFactor must be a positive finite number; received {divFactor}.");
        if (!(finalDivFactor > 0f && float.IsFinite(finalDivFactor))) throw new ArgumentOutOfRangeException(nameof(finalDivFactor), finalDivFactor, $"finalDivFactor must be a positive finite number; received {finalDivFactor}.");
        if (!Enum.IsDefined(anneal)) throw new ArgumentOutOfRangeException(nameof(anneal), anneal, $"anneal must be Cosine or Linear; received {anneal}.");
        if (!(baseMomentum >= 0f && baseMomentum < 1f)) throw new ArgumentOutOfRangeException(nameof(baseMomentum), baseMomentum, $"baseMomentum must be in [0, 1); received {baseMomentum}.");
        if (!(maxMomentum >= 0f && maxMomentum < 1f)) throw new ArgumentOutOfRangeException(nameof(maxMomentum), maxMomentum, $"maxMomentum must be in [0, 1); received {maxMomentum}.");
        double peak = maxRate, initial = peak / divFactor, min = initial / finalDivFactor, high = maxMomentum, low = baseMomentum;
        var rise = pctStart * totalSteps - 1;
        _phases = threePhase
            ? [new(rise, initial, peak, high, low), new(2 * pctStart * totalSteps - 2, peak, initial, low, high), new(totalSteps - 1, initial, min, high, high)]
            : [new(rise, initial, peak, high, low), new(totalSteps - 1, peak, min, low, high)];
        var start = 0.0;
        foreach (var phase in _phases)
        {
            // PyTorch divides by the phase's length; it fails on a phase of length 0, and so do we, but here and by name.
            if (phase.End == start)
                throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, $"pctStart {pctStart} with totalSteps {totalSteps} gives a phase of no steps (ending at step {phase.End}); change pctStart or totalSteps.");
            start = phase.End;
        }
        (_totalSteps, _anneal, _cycleMomentum) = (totalSteps, anneal, cycleMomentum);
    }

    /// <inheritdoc />
    public override float Rate(long iteration) => (float)At(iteration).Rate;

    /// <inheritdoc />
    public override float? Momentum(long iteration) => _cycleMomentum ? (float)At(iteration).Momentum : null;

    /// <summary>PyTorch's <c>get_lr</c> at step <paramref name="iteration"/>: the first phase that has not ended (or the last) and the fraction of it done.</summary>
    (double Rate, double Momentum) At(long iteration)
    {
        double step = Math.Clamp(iteration, 0, _totalSteps - 1), start = 0;
        for (var i = 0; ; i++)
        {
            var phase = _phases[i];
            if (step <= phase.End || i == _phases.Length - 1)
            {
                var p = (step - start) / (phase.End - start);
                return (Anneal(phase.StartRate, phase.EndRate, p), Anneal(phase.StartMomentum, phase.EndMomentum, p));
            }
            start = phase.End;
        }
    }

    double Anneal(double from, double to, double p) => _anneal == AnnealStrategy.Cosine
        ? to + (from - to) / 2 * (Math.Cos(Math.PI * p) + 1)
        : (to - from) * p + from;
}
