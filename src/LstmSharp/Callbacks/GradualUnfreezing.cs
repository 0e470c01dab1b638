// GradualUnfreezing: ULMFiT's fine-tuning order — train the top layer group first, then unfreeze one more group per stage.
using LstmSharp.Layers;
using LstmSharp.Optimizers;

namespace LstmSharp.Callbacks;

/// <summary>
/// Gradual unfreezing (Howard &amp; Ruder 2018, §3.3). <c>groups</c> runs from the input to the output. In the first
/// stage of <c>epochsPerStage</c> epochs only the last group trains and every other group is frozen
/// (<see cref="Layer.Trainable"/> false); each following stage unfreezes one more group from the end, until all train.
/// Unfreezing gives a layer back its own <see cref="Layer.Trainable"/>, so a layer frozen before training stays frozen.
/// When training ends (stopped early or diverged included) every parameter's <see cref="Parameter.Trainable"/> and every
/// layer's <see cref="Layer.Trainable"/> are what they were before it began. The stage follows the epoch number, so a run
/// resumed from a checkpoint continues in the right stage. Layers in no group are left alone.
/// </summary>
public sealed class GradualUnfreezing : Callback
{
    readonly Layer[][] _groups;
    readonly int _epochsPerStage;
    (Layer Layer, bool Trainable, bool[] Parameters)[][]? _saved; // [group][layer]: the settings before training

    /// <summary>Unfreezes one more of <paramref name="groups"/> (input to output) every <paramref name="epochsPerStage"/> epochs.</summary>
    public GradualUnfreezing(IReadOnlyList<Layer[]> groups, int epochsPerStage = 1)
    {
        Discriminative.CheckGroups(groups);
        if (epochsPerStage < 1) throw new ArgumentOutOfRangeException(nameof(epochsPerStage), epochsPerStage, $"epochsPerStage must be at least 1; received {epochsPerStage}.");
        _groups = [.. groups.Select(g => (Layer[])g.Clone())];
        _epochsPerStage = epochsPerStage;
    }

    /// <summary>How many groups, counted from the end, train in epoch <paramref name="epoch"/> (from 1).</summary>
    public int TrainingGroups(int epoch) => Math.Min(_groups.Length, 1 + (Math.Max(epoch, 1) - 1) / _epochsPerStage);

    /// <inheritdoc />
    public override void OnTrainBegin(Model model)
    {
        _saved = [.. _groups.Select(g => g.Select(l => (l, l.Trainable, l.Parameters.Select(p => p.Trainable).ToArray())).ToArray())];
    }

    /// <inheritdoc />
    public override void OnEpochBegin(Model model, int epoch)
    {
        var saved = _saved ?? throw new InvalidOperationException("GradualUnfreezing needs OnTrainBegin before OnEpochBegin; pass it to Model.Fit in FitOptions.Callbacks.");
        var firstTraining = _groups.Length - TrainingGroups(epoch);
        for (var g = 0; g < saved.Length; g++)
        {
            foreach (var entry in saved[g])
            {
                if (g < firstTraining) entry.Layer.Trainable = false;
                else Restore(entry);
            }
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(Model model)
    {
        if (_saved is null) return;
        foreach (var entry in _saved.SelectMany(g => g)) Restore(entry);
        _saved = null;
    }

    static void Restore((Layer Layer, bool Trainable, bool[] Parameters) entry)
    {
        entry.Layer.Trainable = entry.Trainable;
        var parameters = entry.Layer.Parameters;
        if (parameters.Count != entry.Parameters.Length) return; // built after training began: it has the layer's setting
        for (var p = 0; p < parameters.Count; p++) parameters[p].Trainable = entry.Parameters[p];
    }
}
